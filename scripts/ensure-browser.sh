#!/usr/bin/env bash
# Make Debian's chromium available for the Playwright browser tests, installing it when we can.
# Without it the browser tests skip (or fail, when PLATEKEEPER_REQUIRE_BROWSER=1).
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
fi
echo "note: chromium is not installed and could not be installed here; browser tests will skip." >&2
echo "      On Debian/Ubuntu: sudo apt-get install chromium" >&2
exit 0
