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
python -m pytest "$@"
