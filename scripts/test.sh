#!/usr/bin/env bash
# One command: set up .venv and run the linter and the whole test suite.
source "$(dirname "$0")/_setup.sh"
ruff check network tests bench layers/scripts
python -m pytest "$@"
