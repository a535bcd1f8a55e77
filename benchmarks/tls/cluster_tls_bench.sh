#!/bin/bash
# GET misses through respite over a plain Redis Cluster beside respite over the same cluster on
# TLS (rediss-cluster://), in one run: two 3-primary clusters on 127.0.0.1 (one plain, one TLS only:
# --port 0 --tls-port P --tls-cluster yes, client certificates required) and a respite in front of
# each; redis-benchmark GET key:__rand_int__ over a 1e8 key space (so every GET misses the cache
# and goes to a node), pipeline 1, against each respite in turn, REPS times. Clients speak plain
# RESP to respite in both: only respite's upstream connections differ. For each run: requests per
# second, respite's CPU microseconds per request and the three nodes' (utime + stime from /proc
# over the run, divided by the requests). Prints the medians and the TLS/plain ratios.
# Certificates: a throwaway CA and one EC P-256 certificate (IP 127.0.0.1) made with the openssl
# CLI, presented by the nodes and by respite alike.
#   benchmarks/tls/cluster_tls_bench.sh
# Env: JAR, JAVA_FLAGS, CLIENTS (50), REQUESTS (100000 a run), REPS (5), PORT_BASE (17100).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v redis-benchmark >/dev/null || { echo "missing redis-benchmark (apt-get install redis-tools)" >&2; exit 1; }
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
clients=${CLIENTS:-50} requests=${REQUESTS:-100000} reps=${REPS:-5} base=${PORT_BASE:-17100}

make_certs redis
tls_files=(--tls-cert-file "$work/redis.crt" --tls-key-file "$work/redis.key" --tls-ca-cert-file "$work/ca.crt")
cli_tls=(--tls --cacert "$work/ca.crt" --cert "$work/redis.crt" --key "$work/redis.key")

# cluster FIRST_PORT tls|plain: three primaries from FIRST_PORT, formed with redis-cli --cluster create
cluster() {
  local first=$1 kind=$2 members=() port
  for port in $first $((first + 1)) $((first + 2)); do
    mkdir -p "$work/n$port"
    local listen=(--port "$port")
    [ "$kind" = tls ] && listen=(--port 0 --tls-port "$port" --tls-cluster yes --tls-replication yes "${tls_files[@]}")
    redis-server "${listen[@]}" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/n$port" \
      --cluster-enabled yes --cluster-config-file nodes.conf >"$work/n$port.log" 2>&1 &
    pids+=($!)
    members+=("127.0.0.1:$port")
  done
  local cli=()
  [ "$kind" = tls ] && cli=("${cli_tls[@]}")
  for port in $first $((first + 1)) $((first + 2)); do
    for _ in $(seq 1 300); do
      redis-cli "${cli[@]}" -p "$port" PING 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
  done
  redis-cli "${cli[@]}" --cluster create "${members[@]}" --cluster-yes >"$work/create-$kind.log"
  for _ in $(seq 1 300); do
    redis-cli "${cli[@]}" -p "$first" CLUSTER INFO | grep -q cluster_state:ok && break
    sleep 0.1
  done
}

plain_first=$((base + 1))
tls_first=$((base + 11))
cluster "$plain_first" plain
plain_nodes="${pids[*]: -3}"
cluster "$tls_first" tls
tls_nodes="${pids[*]: -3}"
plain_port=$((base + 20))
tls_port=$((base + 21))
# shellcheck disable=SC2086
java $flags -jar "$jar" --port "$plain_port" --admin-port none \
  --upstream "redis-cluster://127.0.0.1:$plain_first,127.0.0.1:$((plain_first + 1))" >"$work/plain.log" 2>&1 &
pids+=($!)
plain_pid=$!
# shellcheck disable=SC2086
java $flags -jar "$jar" --port "$tls_port" --admin-port none \
  --upstream "rediss-cluster://127.0.0.1:$tls_first,127.0.0.1:$((tls_first + 1))" \
  --upstream-tls-ca "$work/ca.crt" --upstream-tls-cert "$work/redis.crt" --upstream-tls-key "$work/redis.key" \
  >"$work/tls.log" 2>&1 &
pids+=($!)
tls_pid=$!
await_ping "$plain_port" "$tls_port"
await_writes "$plain_port" "$tls_port"
grep -h "TLS provider" "$work/tls.log" >&2

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
node_ticks() { local sum=0 p; for p in $1; do sum=$((sum + $(ticks "$p"))); done; echo $sum; }
hz=$(getconf CLK_TCK)

# bench PORT PID NODE_PIDS N: one redis-benchmark run; prints "ops/s respite-us/req nodes-us/req"
bench() {
  local port=$1 pid=$2 node_set=$3 n=$4 before nbefore ops
  before=$(ticks "$pid")
  nbefore=$(node_ticks "$node_set")
  ops=$(redis-benchmark -p "$port" -c "$clients" -n "$n" -r 100000000 -q GET key:__rand_int__ \
    | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  awk -v ops="$ops" -v n="$n" -v d="$(($(ticks "$pid") - before))" -v nd="$(($(node_ticks "$node_set") - nbefore))" \
    -v hz="$hz" 'BEGIN {printf "%.0f %.2f %.2f\n", ops, d / hz * 1e6 / n, nd / hz * 1e6 / n}'
}

# Warm: the JIT and every lane of both respites.
bench "$plain_port" "$plain_pid" "$plain_nodes" "$requests" >/dev/null
bench "$tls_port" "$tls_pid" "$tls_nodes" "$requests" >/dev/null

for _ in $(seq 1 "$reps"); do
  echo "plain $(bench "$plain_port" "$plain_pid" "$plain_nodes" "$requests")"
  echo "tls $(bench "$tls_port" "$tls_pid" "$tls_nodes" "$requests")"
done | tee "$work/raw.txt" >&2
echo "misses: $(redis-cli -p "$tls_port" INFO respite | grep -E '^cache_(hits|misses):' | tr -d '\r' | tr '\n' ' ')" >&2

python3 - "$work/raw.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    target, ops, us, nodes = line.split()
    runs.setdefault(target, []).append((float(ops), float(us), float(nodes)))
med = {t: [statistics.median(r[i] for r in runs[t]) for i in range(3)] for t in runs}
print(f"{'upstream':8} {'ops/s':>9} {'respite CPU us/req':>19} {'vs plain':>9} {'nodes CPU us/req':>17} {'vs plain':>9}")
for target in ("plain", "tls"):
    ops, us, nodes = med[target]
    print(f"{target:8} {ops:9.0f} {us:19.2f} {us / med['plain'][1]:8.2f}x {nodes:17.2f} {nodes / med['plain'][2]:8.2f}x")
PY
