#!/usr/bin/env bash
# One command: set up .venv and run the linter and the whole test suite.
# The map tests drive Debian's Chromium; as root on Debian/Ubuntu it is installed if missing.
source "$(dirname "$0")/_setup.sh"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is not installed; the browser tests will be skipped (CI requires them)"
  fi
fi
ruff check network tests bench layers/scripts
python -m pytest "$@"
