#!/bin/bash
# How long a /metrics scrape (and a /stats read) takes with CLIENTS client connections open and a
# cache of KEYS entries, median and p90 of SCRAPES, one respite in front of one redis-server (#12).
#   benchmarks/observability/scrape_bench.sh
# Env: JAR, CLIENTS (1000), KEYS (100000), SCRAPES (50), PORT_BASE (16800), RESPITE_ARGS, JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clients=${CLIENTS:-1000}
keys=${KEYS:-100000}
scrapes=${SCRAPES:-50}
base=${PORT_BASE:-16800}
command -v curl >/dev/null || { echo "missing curl (apt-get install curl)" >&2; exit 1; }
RESPITE_ARGS="--admin-port $((base + 2)) --max-clients $((clients + 100)) ${RESPITE_ARGS:-}"
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
start_redis "$base"
start_respite $((base + 1)) "$base" respite
await_ping "$base" $((base + 1))
redis-benchmark -p $((base + 1)) -c 50 -n "$keys" -r "$keys" -q SET key:__rand_int__ v >/dev/null
redis-benchmark -p $((base + 1)) -c 50 -n $((keys * 2)) -r "$keys" -q GET key:__rand_int__ >/dev/null
# Hold CLIENTS idle connections open for the scrapes, each having sent one PING.
python3 - "$((base + 1))" "$clients" <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"PING\r\n")
    s.recv(16)
    held.append(s)
print("holding", len(held), flush=True)
time.sleep(600)
PY
holder=$!
pids+=("$holder")
admin="http://127.0.0.1:$((base + 2))"
for _ in $(seq 1 600); do
  [ "$(curl -s "$admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clients"]["connected"])')" -ge "$clients" ] && break
  sleep 0.1
done
echo "connected: $(curl -s "$admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clients"]["connected"])'), cached entries: $(curl -s "$admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cache"]["entries"])')"
for route in metrics stats; do
  for _ in $(seq 1 "$scrapes"); do curl -s -o /dev/null -w '%{time_total}\n' "$admin/$route"; done > "$work/$route.times"
  python3 - "$route" "$work/$route.times" <<'PY'
import statistics, sys
t = sorted(float(x) * 1000 for x in open(sys.argv[2]))
print(f"/{sys.argv[1]}: median {statistics.median(t):.2f} ms, p90 {t[int(len(t) * 0.9)]:.2f} ms, max {t[-1]:.2f} ms over {len(t)}")
PY
done
echo "/metrics size: $(curl -s "$admin/metrics" | wc -c) bytes, $(curl -s "$admin/metrics" | grep -vc '^#') samples"
