#!/usr/bin/env bash
# make demo: docker/compose.yml's topology as plain processes on this machine, checked the same
# way: one redis-server on a free port, three respites (the jar, through the launcher) on
# consecutive ports with their HTTP API and admin listeners, docker/healthcheck against each (the
# image's HEALTHCHECK), then scripts/coherence-check.sh against them all. Prints PASS or FAIL and
# stops everything it started by PID on the way out, whatever happened.
#
# DEMO_REQUESTS: redis-benchmark requests per test and replica (default 20000). DEMO_ARGS: more
# respite options for the three ("--coherence ttl" shows the check failing).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=proxy-core/target/respite.jar
[ -f "$jar" ] || { echo "demo: $jar not found: run 'make demo' (it builds it)" >&2; exit 1; }
./scripts/ensure-redis.sh
for tool in redis-cli redis-benchmark curl python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "demo: missing $tool (Debian: apt-get install redis-tools curl python3)" >&2
    exit 1
  }
done

work=$(mktemp -d /tmp/respite-demo.XXXXXX)
pids=()
check=""
cleanup() {
  local status=$?
  if [ -n "$check" ]; then
    kill -- "-$check" 2>/dev/null || true
    wait "$check" 2>/dev/null || true
  fi
  # respites first (SIGTERM: they drain and exit 0), then the redis-server behind them.
  for ((n = ${#pids[@]} - 1; n >= 0; n--)); do
    kill "${pids[n]}" 2>/dev/null || true
    wait "${pids[n]}" 2>/dev/null || true
  done
  if [ "$status" = 0 ]; then
    rm -rf "$work"
    echo "demo: PASS (stopped ${#pids[@]} processes)"
  else
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $log"; tail -n 15 "$log"; }
    done
    echo "demo: FAIL (stopped ${#pids[@]} processes; logs kept in $work)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ten free consecutive ports: Redis, then the respites' RESP, HTTP and admin ports, three of each.
# Free when looked at: another program may still take one before we bind it, and then the process
# that loses says so and the demo fails.
base=$(python3 - <<'EOF'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 40000)
    socks = []
    try:
        for port in range(base, base + 10):
            s = socket.socket()
            socks.append(s)
            s.bind(("127.0.0.1", port))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
EOF
)
[ -n "$base" ] || { echo "demo: found no 10 free consecutive ports" >&2; exit 1; }
redis_port=$base

redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
  --dir "$work" --logfile "$work/redis.log" &
pids+=($!)
echo "demo: redis-server (pid $!) on 127.0.0.1:$redis_port"

replicas=()
for n in 1 2 3; do
  resp=$((base + n))
  http=$((base + 3 + n))
  admin=$((base + 6 + n))
  # A small cache: three JVMs share this machine (the launcher gives each a 192 MB heap).
  # shellcheck disable=SC2086 # DEMO_ARGS are words
  RESPITE_JAR="$jar" ./scripts/respite --port "$resp" --upstream "redis://127.0.0.1:$redis_port" \
    --http-port "$http" --admin-port "$admin" --max-memory 32mb ${DEMO_ARGS:-} >"$work/respite-$n.log" 2>&1 &
  pids+=($!)
  replicas+=(--replica "127.0.0.1:$resp:$http:$admin")
  echo "demo: respite $n (pid $!): RESP 127.0.0.1:$resp, HTTP http://127.0.0.1:$http/keys/..," \
    "admin http://127.0.0.1:$admin/"
done

# The image's health check, against each replica's admin listener, once it listens.
deadline=$((SECONDS + 90))
for n in 1 2 3; do
  admin=$((base + 6 + n))
  while :; do
    if out=$(RESPITE_ADMIN_PORT=$admin docker/healthcheck); then
      echo "demo: docker/healthcheck on respite $n: healthy"
      break
    fi
    kill -0 "${pids[n]}" 2>/dev/null || { echo "demo: respite $n exited: see its log" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "demo: respite $n: $out" >&2; exit 1; }
    sleep 0.1
  done
done

# In the background, so that a SIGTERM to the demo runs the trap at once rather than after the
# check; in a process group of its own, which the trap ends whole (redis-benchmark included).
setsid ./scripts/coherence-check.sh --redis "127.0.0.1:$redis_port" "${replicas[@]}" --requests "${DEMO_REQUESTS:-20000}" &
check=$!
wait "$check"
