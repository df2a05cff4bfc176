#!/usr/bin/env bash
# Build the wheel, install it into a clean venv (no checkout on the path) and run the main job
# from an empty folder outside the checkout: the installed package must carry its layers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PYTHON" -m pip wheel --quiet --no-deps -w "$WORK/wheels" .
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip
"$WORK/venv/bin/python" -m pip install --quiet "$WORK"/wheels/hzcircle-*.whl
mkdir "$WORK/empty"
cd "$WORK/empty"
env -u HZCIRCLE_LAYERS "$WORK/venv/bin/hzcircle" report --years 2025 -o out --maps-dir maps >/dev/null
test -s out/report.txt && test -s maps/commute_circle.html
echo "wheel check: installed wheel ran the main job from an empty folder ($(ls out maps | wc -l) files)"
