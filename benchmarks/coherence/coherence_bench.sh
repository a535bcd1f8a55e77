#!/bin/bash
# Starts a redis-server and N respite replicas on 127.0.0.1 (ports from PORT_BASE), runs
# coherence_bench.py MODE against them, and stops everything by PID.
#   benchmarks/coherence/coherence_bench.sh lag|coldstart [extra coherence_bench.py args]
# Env: JAR (default proxy-core/target/respite.jar), REPLICAS (3), PORT_BASE (16500),
#      RESPITE_ARGS (extra respite options), JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mode=${1:?usage: $0 lag|coldstart [args]}; shift
jar=${JAR:-$root/proxy-core/target/respite.jar}
replicas=${REPLICAS:-3}
base=${PORT_BASE:-16500}
flags=${JAVA_FLAGS:--XX:+UseParallelGC -XX:ActiveProcessorCount=2 -Xms64m -Xmx640m}
command -v redis-server >/dev/null || { echo "missing redis-server (apt-get install redis-server)" >&2; exit 1; }
[ -f "$jar" ] || { echo "missing $jar: run make build" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
redis-server --port "$base" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
ports=()
for i in $(seq 1 "$replicas"); do
  port=$((base + i))
  # shellcheck disable=SC2086
  java $flags -jar "$jar" --port "$port" --upstream "redis://127.0.0.1:$base" ${RESPITE_ARGS:-} \
    >"$work/respite-$i.log" 2>&1 &
  pids+=($!)
  ports+=("$port")
done
for port in "$base" "${ports[@]}"; do
  for _ in $(seq 1 600); do
    redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
done
python3 "$here/coherence_bench.py" "$mode" --redis "$base" --replicas "$(IFS=,; echo "${ports[*]}")" "$@"
