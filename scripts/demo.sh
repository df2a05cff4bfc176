#!/usr/bin/env bash
# One command: set up .venv and run the main job on the embedded layers.
source "$(dirname "$0")/_setup.sh"
mkdir -p out
set -x
hzcircle layers check
hzcircle travel-time "Hangzhou East" "Shaoxing North" --modes rail
hzcircle travel-time Keqiao Tonglu --modes any
hzcircle travel-time Huzhou Hangzhou --modes road
hzcircle matrix --modes rail --level county -o out/od_county_rail.csv
hzcircle matrix --modes any --level city -o out/od_city_any.csv
