#!/bin/bash
# Failover recovery, respite beside Lettuce as a direct cluster client (see benchmarks/README.md#cluster).
# A 3-primary/3-replica cluster (cluster-node-timeout 2000) and one respite over it on 127.0.0.1
# from PORT_BASE (17100); three FailoverProbe clients (io.respite.bench.cluster) write to their own
# key of one slot every INTERVAL_MS (10), each write with a TIMEOUT_MS (200) timeout:
#   respite      Lettuce's RedisClient through respite
#   lettuce-5s   Lettuce's RedisClusterClient straight to the cluster, periodic refresh every 5 s
#                (respite's own period), all adaptive triggers, auto-reconnect
#   lettuce-60s  the same with Lettuce's default period (60 s)
# Each of REPS (3) rounds waits until GAP_MS (25000) after the last kill, then a random 0 to
# PAUSE_MAX_MS (5000) ms, kills (-9, by PID) the primary of that slot, the three probes timing
# their recovery from that one kill; then restarts the killed node (it rejoins as a replica of the
# primary that replaced it) and waits until the cluster is whole and every probe writes steadily.
#   make build && make bench-jar && benchmarks/cluster/failover_bench.sh
# Env: JAR, BENCH_JAR (benchmarks/target/benchmarks.jar), JAVA_FLAGS, PORT_BASE, REPS, INTERVAL_MS,
#      TIMEOUT_MS, GAP_MS, PAUSE_MAX_MS, LOGS (a directory to copy every log and probe output into at the end).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${PORT_BASE:-17100}
reps=${REPS:-3}
interval=${INTERVAL_MS:-10}
timeout=${TIMEOUT_MS:-200}
pause=${PAUSE_MAX_MS:-5000}
gap=${GAP_MS:-25000}
bench_jar=${BENCH_JAR:-$root/benchmarks/target/benchmarks.jar}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
[ -f "$bench_jar" ] || { echo "missing $bench_jar: run make bench-jar" >&2; exit 1; }
keep_logs() { if [ -n "${LOGS:-}" ]; then mkdir -p "$LOGS" && cp "$work"/*.log "$work"/*.out "$work"/*.err "$LOGS"/; fi; }
trap 'keep_logs; cleanup' EXIT

ports=$(seq $((base + 1)) $((base + 6)))
seeds="127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))"
proxy=$((base + 10))
echo "$(date -u '+%F %T') UTC, commit $(git -C "$root" rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_cluster "$base"
# shellcheck disable=SC2086
java $flags -jar "$jar" --port "$proxy" --admin-port none --upstream "redis-cluster://$seeds" >"$work/respite.log" 2>&1 &
pids+=($!)
await_ping "$proxy"

# Each probe reads commands from a FIFO and answers each with one line, in order: answer k is
# line k of its output.
declare -A probe_fd asked
names=(respite lettuce-5s lettuce-60s)
start_probe() {
  local name=$1 fd
  shift
  mkfifo "$work/$name.in"
  java -XX:+UseSerialGC -Xms32m -Xmx128m -cp "$bench_jar" io.respite.bench.cluster.FailoverProbe "$name" "$@" \
    <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  exec {fd}>"$work/$name.in"
  probe_fd[$name]=$fd
  asked[$name]=0
}
start_probe respite single "127.0.0.1:$proxy" "{failover}:respite" "$interval" "$timeout"
start_probe lettuce-5s cluster "$seeds" "{failover}:lettuce-5s" "$interval" "$timeout" 5
start_probe lettuce-60s cluster "$seeds" "{failover}:lettuce-60s" "$interval" "$timeout" 60

# tell NAME COMMAND: one command to probe NAME
tell() {
  echo "$2" >&"${probe_fd[$1]}"
  asked[$1]=$((asked[$1] + 1))
}

# answer NAME SECONDS: the answer to NAME's last command; the run stops if none comes in time
answer() {
  local deadline=$((SECONDS + $2))
  until [ "$(wc -l <"$work/$1.out")" -ge "${asked[$1]}" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$1: no answer within $2 s to its command ${asked[$1]}; its stderr:" >&2
      tail -5 "$work/$1.err" >&2
      exit 1
    fi
    sleep 0.1
  done
  sed -n "${asked[$1]}p" "$work/$1.out"
}

# steady: until every probe has written 100 times in a row (FailoverProbe.STEADY_WRITES)
steady() {
  local name
  for name in "${names[@]}"; do tell "$name" steady; done
  for name in "${names[@]}"; do answer "$name" 120 >/dev/null; done
}

# owner KEY: the port of the primary serving KEY (the others answer MOVED)
owner() {
  local port
  for port in $ports; do
    [[ $(redis-cli -p "$port" EXISTS "$1" 2>/dev/null) =~ ^[0-9]+$ ]] && echo "$port" && return
  done
  echo "no node serves $1" >&2
  exit 1
}

# whole: until every node says the cluster is ok with all slots served, six nodes known, none
# flagged as failing, and every replica's link to its primary up
whole() {
  local port info ok
  for _ in $(seq 1 600); do
    ok=1
    for port in $ports; do
      info=$(redis-cli -p "$port" CLUSTER INFO 2>/dev/null | tr -d '\r' || true)
      grep -q '^cluster_state:ok$' <<<"$info" && grep -q '^cluster_slots_ok:16384$' <<<"$info" \
        && grep -q '^cluster_known_nodes:6$' <<<"$info" || ok=0
      # Node ids are hex: "fail" can only be a flag (fail, fail?).
      redis-cli -p "$port" CLUSTER NODES 2>/dev/null | grep -q fail && ok=0
      info=$(redis-cli -p "$port" INFO replication 2>/dev/null | tr -d '\r' || true)
      grep -q '^role:master$' <<<"$info" || grep -q '^master_link_status:up$' <<<"$info" || ok=0
    done
    [ $ok = 1 ] && return
    sleep 0.1
  done
  echo "the cluster is not whole a minute after the restart" >&2
  exit 1
}

# since PORT PATTERN: ms from the kill ($before) to the last line of node PORT's log matching
# PATTERN (the log's clock is the local time, to the millisecond)
since() {
  local stamp
  stamp=$(grep -E "$2" "$work/n$1.log" | tail -1 | awk '{ print $2, $3, $4, $5 }' || true)
  if [ -z "$stamp" ]; then echo "?"; else echo $((($(date -d "$stamp" +%s%6N) - before) / 1000)); fi
}

declare -A results
# Replicas that have not synced yet would not be elected.
whole
steady
echo "probes steady; a write every $interval ms, timeout $timeout ms each; $reps kills"
before=0
for rep in $(seq 1 "$reps"); do
  # Each kill meets clients in the state a long quiet spell leaves them in: GAP_MS after the last
  # kill, Lettuce has reconnected to the restarted node (its 14th attempt, some 17 s after the
  # kill) and the 5 s limit on adaptive refreshes that this reconnect started has run out. Then a
  # random pause, so that the kill falls at a random point of the 5 s periodic refreshes
  # (respite's and lettuce-5s'): rounds last nearly the same, and the phase would repeat.
  wait_ms=$(((before / 1000 + gap) - ${EPOCHREALTIME/./} / 1000))
  [ "$wait_ms" -gt 0 ] && sleep "$(awk -v ms="$wait_ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
  sleep "$(awk -v r=$RANDOM -v max="$pause" 'BEGIN { printf "%.3f", r % (max + 1) / 1000 }')"
  port=$(owner "{failover}")
  pid=${node_pid[$port]}
  before=${EPOCHREALTIME/./}
  kill -9 "$pid"
  after=${EPOCHREALTIME/./}
  # Reaped at once, so that bash does not report the kill on its own.
  wait "$pid" 2>/dev/null || true
  for name in "${names[@]}"; do tell "$name" "killed $before $after"; done
  echo "kill $rep: primary $port (pid $pid), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for name in "${names[@]}"; do
    line=$(answer "$name" 180)
    echo "  $line"
    results[$name]+="$(sed -E 's/.*recovered_ms=([0-9.]+) failed=([0-9]+).*/\1 \2/' <<<"$line");"
  done
  promoted=$(owner "{failover}")
  echo "  cluster: $(since "$promoted" 'as failing|FAIL message received') ms to the primary marked failed," \
    "$(since "$promoted" 'Failover election won') ms to replica $promoted elected (its log)"
  # Restart the killed node: it comes back as a replica of the primary that took its slots.
  new_pids=()
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || new_pids+=("$p"); done
  pids=("${new_pids[@]}")
  start_node "$port"
  whole
  steady
done

echo "summary over $reps kills: ms from the kill to the first write acknowledged after it (writes failed)"
for name in "${names[@]}"; do
  runs=$(tr ';' '\n' <<<"${results[$name]}" | grep . | awk '{ printf "%s%s (%s)", (NR > 1 ? ", " : ""), $1, $2 }')
  median=$(tr ';' '\n' <<<"${results[$name]}" | grep . | sort -n | awk '{ ms[NR] = $1 }
    END { print NR % 2 ? ms[(NR + 1) / 2] : (ms[NR / 2] + ms[NR / 2 + 1]) / 2 }')
  printf "  %-12s median %8.1f ms   each kill: %s\n" "$name" "$median" "$runs"
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
