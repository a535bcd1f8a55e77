#!/usr/bin/env bash
# Makes sure headless Chromium and its WebDriver are available for DashboardIT (the dashboard in a real browser).
# Looks for chromium and chromedriver on the PATH (Debian: /usr/bin/chromium, /usr/bin/chromedriver), or takes
# CHROMIUM=/path and CHROMEDRIVER=/path. As root with apt-get, installs Debian's chromium and chromium-driver;
# otherwise prints one line saying what is missing and exits 1.
set -eu
found() {
  local var="$1" name="$2"
  if [ -n "${!var:-}" ]; then
    [ -x "${!var}" ] && return 0
    echo "$var=${!var} is not an executable file" >&2; exit 1
  fi
  command -v "$name" >/dev/null 2>&1
}
have_all() { found CHROMIUM chromium && found CHROMEDRIVER chromedriver; }
have_all && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium or chromedriver not found: installing Debian's chromium and chromium-driver" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  have_all && exit 0
fi
echo "missing chromium or chromedriver: install them (Debian: sudo apt-get install chromium chromium-driver)" \
  "or set CHROMIUM=/path/to/chromium and CHROMEDRIVER=/path/to/chromedriver" >&2
exit 1
