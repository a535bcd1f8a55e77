#!/bin/bash
# Warm restart against cold start (benchmarks/README.md#warm-restart): starts a redis-server,
# then warm_bench.py starts, stops (SIGTERM) and restarts respite itself, all by PID.
#   benchmarks/warm/warm_bench.sh [warm_bench.py args, such as --rate 0 or --keys 100000]
# Env: JAR (default proxy-core/target/respite.jar), PORT_BASE (16600), RESPITE_ARGS (extra respite
#      options, such as --warm-rate 50000), JAVA_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${PORT_BASE:-16600}
# shellcheck source=../lib.sh
. "$root/benchmarks/lib.sh"
start_redis "$base"
await_ping "$base"
python3 "$here/warm_bench.py" --redis "$base" --port $((base + 1)) --jar "$jar" --work "$work" \
  --java-flags "$flags" --respite-args "${RESPITE_ARGS:-}" "$@"
