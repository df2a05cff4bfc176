#!/usr/bin/env bash
# One command: set up .venv and run the linter and the whole test suite.
# The map tests drive Debian's Chromium and the figures use Noto Sans CJK (fonts-noto-cjk); as
# root on Debian/Ubuntu both are installed if missing.
source "$(dirname "$0")/_setup.sh"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if command -v fc-list >/dev/null 2>&1; then
  fc-list | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
else
  [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's ${missing[*]} for the browser tests and figures..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed; browser tests are skipped without chromium (CI requires them), figures fall back to English labels without fonts-noto-cjk"
  fi
fi
ruff check network tests bench layers/scripts
# With more than one CPU the tests run in parallel (pytest-xdist, one worker per CPU, each test
# file on one worker so module fixtures are built once); pass -n 0 to run them in one process.
# The 15 slowest tests are listed at the end so the CI log shows where the time goes.
parallel=()
cpus=$(python -c "import os; print(len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1)")
case " $* " in
  *" -n"*|*" --numprocesses"*|*"no:xdist"*) ;;
  *) if [ "$cpus" -gt 1 ]; then parallel=(-n "$cpus" --dist loadfile); fi ;;
esac
python -m pytest --durations=15 ${parallel[@]+"${parallel[@]}"} "$@"
