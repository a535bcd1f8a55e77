#!/bin/bash
# GET hits over TLS beside plain RESP, and OpenSSL beside the JDK's provider, in one run (issue 14).
# The e2e harness drives plain TCP only, so this does its measurement its own way: two respites in
# front of one redis-server, each with a plain port and a TLS port, one with --tls-provider openssl
# and one with --tls-provider jdk; redis-benchmark GET key:__rand_int__ on cached keys, pipeline 1
# and 16, against the plain port and each TLS port (--tls --cacert), interleaved REPS times. For
# each run: requests per second and respite's CPU microseconds per request (utime + stime from
# /proc over the run, divided by the requests served). Prints the medians and the TLS/plain ratios.
# Certificates: a throwaway CA and server certificate made here with the openssl CLI (EC P-256).
#   benchmarks/tls/tls_bench.sh
# Env: JAR, CLIENTS (50), DUR (4, seconds a run), REPS (5), KEYS (1000 keys of VALSIZE 100 bytes),
#      PORT_BASE (16800), RESPITE_ARGS, JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clients=${CLIENTS:-50}
dur=${DUR:-4}
reps=${REPS:-5}
keys=${KEYS:-1000}
valsize=${VALSIZE:-100}
base=${PORT_BASE:-16800}
command -v redis-benchmark >/dev/null || { echo "missing redis-benchmark (apt-get install redis-tools)" >&2; exit 1; }
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"

make_certs respite

start_redis "$base"
redis_pid=${pids[0]}
tls_args="--tls-cert $work/respite.crt --tls-key $work/respite.key"
RESPITE_ARGS="--tls-port $((base + 2)) --tls-provider openssl $tls_args ${RESPITE_ARGS:-}" \
  start_respite $((base + 1)) "$base" openssl
openssl_pid=${pids[-1]}
RESPITE_ARGS="--tls-port $((base + 4)) --tls-provider jdk $tls_args ${RESPITE_ARGS:-}" \
  start_respite $((base + 3)) "$base" jdk
jdk_pid=${pids[-1]}
await_ping "$base" $((base + 1)) $((base + 3))
grep -h "TLS provider" "$work/openssl.log" "$work/jdk.log" >&2

value=$(head -c "$valsize" /dev/zero | tr '\0' v)
for i in $(seq 0 $((keys - 1))); do printf 'SET key:%012d %s\n' "$i" "$value"; done | redis-cli -p "$base" >/dev/null

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# bench PORT PID TLS(0|1) PIPELINE N: one redis-benchmark run; prints "ops/s respite-us/req"
bench() {
  local port=$1 pid=$2 tls=$3 pipeline=$4 n=$5 before out ops
  local tls_flags=()
  [ "$tls" = 1 ] && tls_flags=(--tls --cacert "$work/ca.crt")
  before=$(cpu_ticks "$pid")
  out=$(redis-benchmark -p "$port" "${tls_flags[@]}" -c "$clients" -n "$n" -r "$keys" -P "$pipeline" -q \
    GET key:__rand_int__)
  ops=$(echo "$out" | awk '/requests per second/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) {print $i; exit}}')
  awk -v ops="$ops" -v n="$n" -v d="$(( $(cpu_ticks "$pid") - before ))" -v hz="$hz" \
    'BEGIN {printf "%.0f %.2f\n", ops, d / hz * 1e6 / n}'
}

# Warm: every key read through every port twice, so that every run below is all hits.
for target in "$((base + 1)) $openssl_pid 0" "$((base + 2)) $openssl_pid 1" "$((base + 3)) $jdk_pid 0" \
  "$((base + 4)) $jdk_pid 1"; do
  # shellcheck disable=SC2086
  set -- $target
  bench "$1" "$2" "$3" 1 $((keys * 8)) >/dev/null
done

for _ in $(seq 1 "$reps"); do
  for pipeline in 1 16; do
    n=$((dur * (pipeline == 1 ? 60000 : 300000)))
    echo "p$pipeline plain $(bench $((base + 1)) "$openssl_pid" 0 "$pipeline" "$n")"
    echo "p$pipeline openssl $(bench $((base + 2)) "$openssl_pid" 1 "$pipeline" "$n")"
    echo "p$pipeline jdk $(bench $((base + 4)) "$jdk_pid" 1 "$pipeline" "$n")"
  done
done | tee "$work/raw.txt" >&2

# Medians per workload and target, and each TLS target's CPU per request over plain's.
python3 - "$work/raw.txt" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    workload, target, ops, us = line.split()
    runs.setdefault((workload, target), []).append((float(ops), float(us)))
print(f"{'workload':8} {'target':8} {'ops/s':>9} {'respite CPU us/req':>19} {'vs plain':>9}")
for workload in ("p1", "p16"):
    plain = statistics.median(us for _, us in runs[(workload, "plain")])
    for target in ("plain", "openssl", "jdk"):
        ops = statistics.median(o for o, _ in runs[(workload, target)])
        us = statistics.median(u for _, u in runs[(workload, target)])
        print(f"{workload:8} {target:8} {ops:9.0f} {us:19.2f} {us / plain:8.2f}x")
PY
