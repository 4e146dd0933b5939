#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; no browser is downloaded.
# Install it (and poppler-utils for PDF checks) when missing and we may use apt-get.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "--- installing Debian chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium poppler-utils >/dev/null
else
  echo "--- /usr/bin/chromium is missing and cannot be installed here: browser tests will be skipped"
fi
