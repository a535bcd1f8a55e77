# Shared by the benchmark scripts: source it after setting $root. Starts a redis-server and
# respite replicas on 127.0.0.1, waits for them, and stops everything by PID on exit.
# Env: JAR (default proxy-core/target/respite.jar), RESPITE_ARGS (extra respite options), JAVA_FLAGS.
jar=${JAR:-$root/proxy-core/target/respite.jar}
flags=${JAVA_FLAGS:--XX:+UseParallelGC -XX:ActiveProcessorCount=2 -Xms64m -Xmx640m}
command -v redis-server >/dev/null || { echo "missing redis-server (apt-get install redis-server)" >&2; exit 1; }
[ -f "$jar" ] || { echo "missing $jar: run make build" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# start_redis PORT
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
  pids+=($!)
}

# start_respite PORT UPSTREAM_PORT NAME
start_respite() {
  # shellcheck disable=SC2086
  java $flags -jar "$jar" --port "$1" --upstream "redis://127.0.0.1:$2" ${RESPITE_ARGS:-} >"$work/$3.log" 2>&1 &
  pids+=($!)
}

# start_node PORT: a cluster-enabled redis-server (cluster-node-timeout 2000) keeping its state in
# $work/nPORT, so that it restarts as the same node; its PID goes to node_pid[PORT].
declare -A node_pid
start_node() {
  mkdir -p "$work/n$1"
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/n$1" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
    >>"$work/n$1.log" 2>&1 &
  pids+=($!)
  node_pid[$1]=$!
}

# start_cluster BASE: 3 primaries and 3 replicas on ports BASE+1 to BASE+6, until cluster_state:ok
start_cluster() {
  local nodes=() port
  for port in $(seq $(($1 + 1)) $(($1 + 6))); do
    start_node "$port"
    nodes+=("127.0.0.1:$port")
  done
  await_ping $(seq $(($1 + 1)) $(($1 + 6)))
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$work/create.log"
  for _ in $(seq 1 300); do
    redis-cli -p $(($1 + 1)) CLUSTER INFO | grep -q cluster_state:ok && break
    sleep 0.1
  done
}

# await_ping PORT...: until each answers PING (up to a minute each)
await_ping() {
  for port in "$@"; do
    for _ in $(seq 1 600); do
      redis-cli -p "$port" PING 2>/dev/null | grep -q PONG && break
      sleep 0.1
    done
  done
}

# await_writes PORT...: until a respite in front of a cluster passes writes to every primary (each
# primary's lanes open once the topology names it; up to 30 s each)
await_writes() {
  for port in "$@"; do
    for _ in $(seq 1 300); do
      ok=1
      for k in a b c d e f g h; do
        redis-cli -p "$port" SET "probe:$k" 1 | grep -q OK || ok=0
      done
      [ $ok = 1 ] && break
      sleep 0.1
    done
  done
}

# make_certs NAME: a throwaway CA ($work/ca.crt, ca.key) and an EC P-256 certificate it signed for
# 127.0.0.1 and localhost ($work/NAME.crt, NAME.key), with the openssl CLI
make_certs() {
  command -v openssl >/dev/null || { echo "missing openssl (apt-get install openssl)" >&2; exit 1; }
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=bench CA" \
    -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$work/$1.key" -out "$work/$1.csr" 2>/dev/null
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost') -out "$work/$1.crt" 2>/dev/null
}
