#!/bin/bash
# respite over a Redis Cluster beside respite over one Redis (see benchmarks/README.md#cluster):
#   1. throughput and respite CPU per request: GET hits, GET misses, SET, through each respite
#   2. upstream connections each respite holds
#   3. invalidation lag per node: a write on the node until respite serves it
#   4. time from a primary stopped (SIGKILL) to writes served again, respite vs redis-cli -c
#      (failover_bench.sh measures the same against Lettuce's cluster client, three kills)
# Starts a standalone redis-server, a 3-primary/3-replica cluster (cluster-node-timeout 2000) and
# two respites on 127.0.0.1 from PORT_BASE (17000), and stops everything by PID.
# Env: JAR, JAVA_FLAGS, PORT_BASE, REQUESTS (200000), CLIENTS (50).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${PORT_BASE:-17000}
requests=${REQUESTS:-200000}
clients=${CLIENTS:-50}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"

start_redis "$base"
await_ping "$base"
start_cluster "$base"
single=$((base + 10))
cluster=$((base + 11))
start_respite "$single" "$base" single
# shellcheck disable=SC2086
java $flags -jar "$jar" --port "$cluster" --admin-port none \
  --upstream "redis-cluster://127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))" >"$work/cluster.log" 2>&1 &
pids+=($!)
cluster_pid=$!
single_pid=${pids[-2]}
await_ping "$single" "$cluster"
await_writes "$cluster"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run NAME PORT PID redis-benchmark-args...: req/s and respite CPU-µs per request
run() {
  local name=$1 port=$2 pid=$3; shift 3
  local before after rps
  before=$(ticks "$pid")
  rps=$(redis-benchmark -p "$port" -n "$requests" -c "$clients" -q "$@" | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1)
  after=$(ticks "$pid")
  awk -v n="$name" -v r="$rps" -v t=$((after - before)) -v hz="$hz" -v q="$requests" \
    'BEGIN { printf "  %-34s %10.0f req/s %8.2f respite CPU-us/req\n", n, r, t * 1e6 / hz / q }'
}

echo "1. throughput ($requests requests, $clients clients; machine: 2 shared cores)"
for target in single cluster; do
  port=${!target}
  pid=$([ $target = single ] && echo "$single_pid" || echo "$cluster_pid")
  redis-benchmark -p "$port" -n 10000 -c 10 -r 1000 -q -t set >/dev/null
  redis-benchmark -p "$port" -n 20000 -c 10 -r 1000 -q -t get >/dev/null
  run "$target: GET hits (1000 keys)" "$port" "$pid" -r 1000 -t get
  run "$target: GET misses (10M key space)" "$port" "$pid" -r 10000000 -t get
  run "$target: SET (1M key space)" "$port" "$pid" -r 1000000 -t set
  echo "  $target: $(redis-cli -p "$port" INFO respite | grep -E '^cache_(hits|misses):' | tr -d '\r' | tr '\n' ' ')"
done

echo "2. upstream connections held (CLIENT LIST on each node, not counting this one)"
total=0
for i in 1 2 3 4 5 6; do
  n=$(($(redis-cli -p $((base + i)) CLIENT LIST | wc -l) - 1))
  role=$(redis-cli -p $((base + i)) ROLE | head -1)
  echo "  node $((base + i)) ($role): $n"
  total=$((total + n))
done
echo "  total over the cluster: $total (the cluster's own replication links included)"
echo "  single Redis: $(($(redis-cli -p "$base" CLIENT LIST | wc -l) - 1))"

echo "3. invalidation lag per node (write on the primary -> respite serves it), 100 writes each"
python3 - "$cluster" "$base" <<'PY'
import socket, statistics, sys, time
proxy, base = int(sys.argv[1]), int(sys.argv[2])

class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
    def call(self, *args):
        out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
        self.sock.sendall(out)
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        if line[:1] == b"$" and line != b"$-1":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        return line.decode()

through = Conn(proxy)
for i in range(1, 7):
    node = Conn(base + i)
    if "role:master" not in node.call("INFO", "replication"):
        continue
    key = next(k for k in ("lag:%d" % j for j in range(10000)) if not node.call("GET", k).startswith("-MOVED"))
    lags = []
    for r in range(100):
        node.call("SET", key, "v%d" % r)
        while through.call("GET", key) != "v%d" % r:
            pass
        through.call("GET", key)
        t = time.perf_counter()
        node.call("SET", key, "w%d" % r)
        while through.call("GET", key) != "w%d" % r:
            pass
        lags.append((time.perf_counter() - t) * 1000)
    lags.sort()
    print("  node %d: median %.2f ms, p90 %.2f ms, max %.2f ms" % (base + i, statistics.median(lags), lags[89], lags[-1]))
PY

echo "4. a primary killed (SIGKILL): time until a write to its slots succeeds again"
key=failover:k
owner=$(for i in 1 2 3 4 5 6; do
  r=$(redis-cli -p $((base + i)) SET "$key" x 2>&1); [ "$r" = OK ] && echo $((base + i)) && break; done)
other=$(for i in 1 2 3 4 5 6; do p=$((base + i)); [ $p != "$owner" ] && redis-cli -p $p ROLE | head -1 | grep -q master && echo $p && break; done)
owner_pid=$(redis-cli -p "$owner" INFO server | grep process_id | cut -d: -f2 | tr -d '\r')
start=$(date +%s%N)
kill -9 "$owner_pid"
wait "$owner_pid" 2>/dev/null || true  # reaped at once, so that bash does not report the kill
respite_ms=""; direct_ms=""
while [ -z "$respite_ms" ] || [ -z "$direct_ms" ]; do
  now=$(date +%s%N)
  if [ -z "$respite_ms" ] && [ "$(redis-cli -p "$cluster" SET "$key" y 2>/dev/null)" = OK ]; then
    respite_ms=$(((now - start) / 1000000))
  fi
  if [ -z "$direct_ms" ] && [ "$(redis-cli -c -p "$other" SET "$key" y 2>/dev/null)" = OK ]; then
    direct_ms=$(((now - start) / 1000000))
  fi
  [ $(((now - start) / 1000000000)) -gt 60 ] && break
  sleep 0.02
done
echo "  respite: ${respite_ms:-timeout} ms; redis-cli -c (a cluster client, fresh each try): ${direct_ms:-timeout} ms"
echo "  (node timeout 2000 ms: the cluster itself needs that plus an election)"
