#!/bin/bash
# HTTP hits beside RESP hits, through one respite in the same run (issue 11): redis-benchmark GET
# over RESP, wrk GET /keys/{key} and wrk GET /lookup?key=, all on cached keys, interleaved REPS
# times. For each, requests per second and respite's CPU microseconds per request (utime + stime
# from /proc over the run, divided by the requests served), and Redis's, which stays near zero on
# hits. Prints the medians and the HTTP/RESP CPU ratios.
#   benchmarks/http/http_bench.sh
# Env: JAR, CLIENTS (50), DUR (5, seconds a run), REPS (5), KEYS (1000 keys of VALSIZE 100 bytes),
#      PORT_BASE (16700), RESPITE_ARGS, JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clients=${CLIENTS:-50}
dur=${DUR:-5}
reps=${REPS:-5}
keys=${KEYS:-1000}
valsize=${VALSIZE:-100}
base=${PORT_BASE:-16700}
command -v wrk >/dev/null || { echo "missing wrk (apt-get install wrk)" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "missing redis-benchmark (apt-get install redis-tools)" >&2; exit 1; }
RESPITE_ARGS="--http-port $((base + 2)) ${RESPITE_ARGS:-}"
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
start_redis "$base"
start_respite $((base + 1)) "$base" respite
respite_pid=${pids[-1]}
redis_pid=${pids[0]}
await_ping "$base" $((base + 1))

# Keys key:0 .. key:N-1 as redis-benchmark names them (__rand_int__ is 12 digits, zero-padded).
value=$(head -c "$valsize" /dev/zero | tr '\0' v)
for i in $(seq 0 $((keys - 1))); do printf 'SET key:%012d %s\n' "$i" "$value"; done | redis-cli -p "$base" >/dev/null
cat > "$work/keys.lua" <<LUA
local paths = {}
local prefix = os.getenv("HTTP_PREFIX")
for i = 0, $keys - 1 do paths[i + 1] = prefix .. string.format("key:%012d", i) end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
LUA
http="http://127.0.0.1:$((base + 2))"
# Warm: every key read through RESP and HTTP twice, so that every run below is all hits.
for _ in 1 2; do
  redis-benchmark -p $((base + 1)) -c 10 -n $((keys * 4)) -r "$keys" GET key:__rand_int__ >/dev/null
  HTTP_PREFIX=/keys/ wrk -t1 -c10 -d1s -s "$work/keys.lua" "$http" >/dev/null
  HTTP_PREFIX='/lookup?key=' wrk -t1 -c10 -d1s -s "$work/keys.lua" "$http" >/dev/null
done
for i in 0 $((keys - 1)); do
  curl -sf "$http/keys/key:$(printf %012d "$i")" | cmp -s - <(printf %s "$value") || { echo "wrong value over HTTP" >&2; exit 1; }
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run NAME: one run of a workload; prints "NAME ops/s respite-us/req redis-us/req"
run() {
  local name=$1 before_p before_r requests seconds out
  before_p=$(cpu_ticks "$respite_pid"); before_r=$(cpu_ticks "$redis_pid")
  case $name in
    resp)
      local n=$((dur * 60000))
      out=$(redis-benchmark -p $((base + 1)) -c "$clients" -n "$n" -r "$keys" -q GET key:__rand_int__)
      requests=$n
      seconds=$(echo "$out" | awk -v n="$n" '/requests per second/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) {print n / $i; exit}}')
      ;;
    keys|lookup)
      local prefix=/keys/
      [ "$name" = lookup ] && prefix='/lookup?key='
      out=$(HTTP_PREFIX=$prefix wrk -t1 -c"$clients" -d"${dur}s" -s "$work/keys.lua" "$http")
      if echo "$out" | grep -q "Non-2xx"; then echo "$out" >&2; exit 1; fi
      requests=$(echo "$out" | awk '/requests in/ {print $1}')
      seconds=$(echo "$out" | awk '/requests in/ {sub(/s,$/, "", $4); print $4}')
      ;;
  esac
  local dp=$(( $(cpu_ticks "$respite_pid") - before_p )) dr=$(( $(cpu_ticks "$redis_pid") - before_r ))
  awk -v name="$name" -v req="$requests" -v s="$seconds" -v dp="$dp" -v dr="$dr" -v hz="$hz" \
    'BEGIN {printf "%s %.0f %.2f %.2f\n", name, req / s, dp / hz * 1e6 / req, dr / hz * 1e6 / req}'
}

for _ in $(seq 1 "$reps"); do
  for w in resp keys lookup; do run "$w"; done
done | tee "$work/raw.txt"
echo "--- medians of $reps runs, $clients connections, $keys hot keys of $valsize bytes"
python3 - "$work/raw.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {}
for name in ("resp", "keys", "lookup"):
    rs = [r for r in rows if r[0] == name]
    med[name] = [statistics.median(float(r[i]) for r in rs) for i in (1, 2, 3)]
    print(f"{name:7s} {med[name][0]:>9.0f} req/s   respite {med[name][1]:5.2f} us/req   redis {med[name][2]:5.2f} us/req")
for name in ("keys", "lookup"):
    print(f"{name} / resp CPU per request: {med[name][1] / med['resp'][1]:.2f}x (goal <= 1.5x)")
PY
