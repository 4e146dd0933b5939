#!/usr/bin/env bash
# Browser and document tests use Debian packages: chromium (driven by Playwright; no browser download),
# poppler-utils (pdftotext, pdftoppm) and zbar-tools (zbarimg, to decode the permit certificate's QR code).
# Install whichever is missing when we may use apt-get; otherwise the tests that need them skip with the reason.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "--- installing Debian packages for the browser and document tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "--- missing and not installable here: ${missing[*]} (the tests that need them will be skipped)"
fi
