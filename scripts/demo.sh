#!/usr/bin/env bash
# One command: set up .venv and run the main job on the embedded layers.
source "$(dirname "$0")/_setup.sh"
set -x
hzcircle layers check
hzcircle report -o out
hzcircle travel-time "Hangzhou East" "Shaoxing North" --modes rail
hzcircle travel-time Hangzhou Shaoxing --modes rail
hzcircle matrix --modes rail --level county -o out/od_county_rail.csv
