#!/bin/bash
# Connection-state figures for issue 10, direct to Redis and through respite, one run each:
# MULTI/SET/EXEC transactions per second (TransactionLoad.java), then publish-to-receive latency
# for SUBSCRIBERS subscribers of one channel (PubSubLatency.java) and the upstream connections
# respite used for them.
#   benchmarks/connstate/connstate_bench.sh
# Env: JAR (default proxy-core/target/respite.jar), CLIENTS (50), SECONDS_RUN (10), PORT_BASE (16600),
#      SUBSCRIBERS (1000), MESSAGES (200), RESPITE_ARGS (extra respite options), JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clients=${CLIENTS:-50}
seconds=${SECONDS_RUN:-10}
base=${PORT_BASE:-16600}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
start_redis "$base"
start_respite $((base + 1)) "$base" respite
await_ping "$base" $((base + 1))
echo "direct:  $(java "$here/TransactionLoad.java" 127.0.0.1 "$base" "$clients" "$seconds")"
echo "respite: $(java "$here/TransactionLoad.java" 127.0.0.1 $((base + 1)) "$clients" "$seconds")"
echo "upstream clients after: $(redis-cli -p "$base" INFO clients | grep connected_clients)"
subscribers=${SUBSCRIBERS:-1000}
messages=${MESSAGES:-200}
echo "direct:  $(java "$here/PubSubLatency.java" 127.0.0.1 "$base" "$subscribers" "$messages")"
java "$here/PubSubLatency.java" 127.0.0.1 $((base + 1)) "$subscribers" "$messages" > "$work/pubsub.out" &
load=$!
for _ in $(seq 1 300); do
  [ "$(redis-cli -p "$base" PUBSUB NUMSUB bench | tail -1)" != 0 ] && break
  sleep 0.1
done
sleep 1
echo "upstream connections subscribed while $subscribers subscribers listen through respite:" \
  "$(redis-cli -p "$base" CLIENT LIST | grep -vc ' sub=0 psub=0 ')"
wait "$load"
echo "respite: $(cat "$work/pubsub.out")"
