#!/usr/bin/env bash
# make run: start respite in the foreground. Without UPSTREAM=redis://..., first start a local
# redis-server (no persistence, free port) as its upstream, and stop it (by PID) when respite
# stops. Extra respite options go in ARGS="--port 6390 --ttl 10s".
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=proxy-core/target/respite.jar
PORT=${PORT:-6380}
REDIS_PID=""
RESPITE_PID=""
cleanup() {
  # respite first (it drains and exits 0 on SIGTERM), then the redis-server it was using.
  if [ -n "$RESPITE_PID" ]; then
    kill "$RESPITE_PID" 2>/dev/null || true
    wait "$RESPITE_PID" 2>/dev/null || true
  fi
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${UPSTREAM:-}" ]; then
  ./scripts/ensure-redis.sh
  REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  REDIS_DIR=$(mktemp -d)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
    --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" &
  REDIS_PID=$!
  UPSTREAM="redis://127.0.0.1:$REDIS_PORT"
  echo "started redis-server (pid $REDIS_PID) on 127.0.0.1:$REDIS_PORT as the upstream; log in $REDIS_DIR"
fi

echo "starting respite on port $PORT, upstream $UPSTREAM; connect with: redis-cli -p $PORT   (Ctrl-C stops)"
echo "dashboard and metrics: http://127.0.0.1:9380/ (/metrics, /stats, /health, /ready) unless ARGS set --admin-port"
# Not exec: this shell stays to stop the redis-server it started. The launcher sizes the JVM.
# shellcheck disable=SC2086 # ARGS are words
RESPITE_JAR="$JAR" ./scripts/respite --port "$PORT" --upstream "$UPSTREAM" ${ARGS:-} &
RESPITE_PID=$!
wait "$RESPITE_PID"
