#!/bin/bash
# --read-from: where a cluster's forwarded reads land, and what they cost (benchmarks/README.md#cluster).
# A 3-primary/3-replica cluster and two respites in front of it, one with --read-from primary and
# one with --read-from replica. redis-benchmark LRANGE over 1,000 lists (forwarded, never cached)
# through each; CPU per request of respite, of the primaries and of the replicas, from /proc.
# Env: JAR, JAVA_FLAGS, PORT_BASE (17100), REQUESTS (200000), CLIENTS (50).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${PORT_BASE:-17100}
requests=${REQUESTS:-200000}
clients=${CLIENTS:-50}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"

start_cluster "$base"
seeds="127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
declare -A proxy_pid
for mode in primary replica; do
  port=$([ $mode = primary ] && echo $((base + 10)) || echo $((base + 11)))
  # shellcheck disable=SC2086
  java $flags -jar "$jar" --port "$port" --admin-port none --upstream "redis-cluster://$seeds" \
    --read-from "$mode" >"$work/$mode.log" 2>&1 &
  pids+=($!)
  proxy_pid[$mode]=$!
done
await_ping $((base + 10)) $((base + 11))
await_writes $((base + 10))
await_writes $((base + 11))

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sum_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(ticks "$p"))); done; echo $t; }
hz=$(getconf CLK_TCK)
primaries=(); replicas=()
for i in 1 2 3 4 5 6; do
  port=$((base + i))
  if redis-cli -p "$port" ROLE | head -1 | grep -q master; then primaries+=("${node_pid[$port]}"); else replicas+=("${node_pid[$port]}"); fi
done

# 1,000 lists of about 100 elements, written through respite, then read until every replica has them.
redis-benchmark -p $((base + 10)) -n 10000 -c 20 -r 1000 -q RPUSH 'list:__rand_int__' a b c d e f g h i j >/dev/null
for i in 1 2 3 4 5 6; do
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p $((base + i)) DBSIZE)" -ge 300 ] && break
    sleep 0.1
  done
done

echo "LRANGE 0 99 over 1,000 lists ($requests requests, $clients clients; machine: 2 shared cores)"
for mode in primary replica; do
  port=$([ $mode = primary ] && echo $((base + 10)) || echo $((base + 11)))
  redis-benchmark -p "$port" -n 20000 -c 10 -r 1000 -q LRANGE 'list:__rand_int__' 0 99 >/dev/null
  before_proxy=$(ticks "${proxy_pid[$mode]}")
  before_primaries=$(sum_ticks "${primaries[@]}")
  before_replicas=$(sum_ticks "${replicas[@]}")
  rps=$(redis-benchmark -p "$port" -n "$requests" -c "$clients" -r 1000 -q LRANGE 'list:__rand_int__' 0 99 \
    | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  proxy=$(($(ticks "${proxy_pid[$mode]}") - before_proxy))
  prim=$(($(sum_ticks "${primaries[@]}") - before_primaries))
  repl=$(($(sum_ticks "${replicas[@]}") - before_replicas))
  awk -v m="$mode" -v r="$rps" -v a="$proxy" -v p="$prim" -v s="$repl" -v hz="$hz" -v q="$requests" \
    'BEGIN { printf "  --read-from %-8s %8.0f req/s; CPU-us/req: respite %.2f, primaries %.2f, replicas %.2f\n",
             m, r, a * 1e6 / hz / q, p * 1e6 / hz / q, s * 1e6 / hz / q }'
done
