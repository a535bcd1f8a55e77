#!/usr/bin/env bash
# Makes sure redis-server is available for the tests and `make run`.
# As root with apt-get, installs Debian's redis-server (and redis-tools for redis-cli);
# otherwise prints one line saying what is missing and exits 1.
set -eu
if [ -n "${REDIS_SERVER:-}" ]; then
  [ -x "$REDIS_SERVER" ] && exit 0
  echo "REDIS_SERVER=$REDIS_SERVER is not an executable file" >&2; exit 1
fi
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "redis-server not found: installing Debian's redis-server and redis-tools" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
  command -v redis-server >/dev/null 2>&1 && exit 0
fi
echo "missing redis-server: install it (Debian: sudo apt-get install redis-server) or set REDIS_SERVER=/path/to/redis-server" >&2
exit 1
