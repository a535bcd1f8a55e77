#!/bin/bash
# Starts a redis-server and N respite replicas on 127.0.0.1 (ports from PORT_BASE), runs
# coherence_bench.py MODE against them, and stops everything by PID.
#   benchmarks/coherence/coherence_bench.sh lag|coldstart [extra coherence_bench.py args]
# Env: JAR (default proxy-core/target/respite.jar), REPLICAS (3), PORT_BASE (16500),
#      RESPITE_ARGS (extra respite options), JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mode=${1:?usage: $0 lag|coldstart [args]}; shift
replicas=${REPLICAS:-3}
base=${PORT_BASE:-16500}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
start_redis "$base"
ports=()
for i in $(seq 1 "$replicas"); do
  start_respite $((base + i)) "$base" "respite-$i"
  ports+=($((base + i)))
done
await_ping "$base" "${ports[@]}"
python3 "$here/coherence_bench.py" "$mode" --redis "$base" --replicas "$(IFS=,; echo "${ports[*]}")" "$@"
