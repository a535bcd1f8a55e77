#!/usr/bin/env bash
# The compose file's cluster profile: makes the Redis nodes given one cluster of primaries
# (`redis-cli --cluster create`, every slot assigned, no replicas), unless they already form one
# (a second `up` finds them so), then waits until every node says cluster_state:ok.
#
#   scripts/cluster-create.sh HOST:PORT HOST:PORT HOST:PORT [...]
#
# Host names are resolved first: the cluster's nodes know each other by address. Needs
# redis-cli and getent. Exits 0 once the cluster is ok, 1 otherwise, 2 on bad usage.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 HOST:PORT HOST:PORT HOST:PORT [...] (three primaries or more)" >&2; exit 2; }

cli() { # HOST:PORT, redis-cli arguments...
  local node=$1
  shift
  redis-cli -h "${node%:*}" -p "${node##*:}" "$@" 2>&1 || true
}
field() { # HOST:PORT FIELD: that field of the node's CLUSTER INFO
  cli "$1" CLUSTER INFO | tr -d '\r' | sed -n "s/^$2://p"
}

deadline=$((SECONDS + 60))
addresses=()
for node in "$@"; do
  until [ "$(cli "$node" PING)" = PONG ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "cluster-create: $node does not answer PING" >&2; exit 1; }
    sleep 0.2
  done
  ip=$(getent hosts "${node%:*}" | awk '{ print $1; exit }')
  [ -n "$ip" ] || { echo "cluster-create: cannot resolve ${node%:*}" >&2; exit 1; }
  addresses+=("$ip:${node##*:}")
done

if [ "$(field "$1" cluster_state)" = ok ] && [ "$(field "$1" cluster_known_nodes)" = $# ]; then
  echo "cluster-create: the $# nodes already form a cluster"
else
  echo "cluster-create: creating a cluster of ${addresses[*]}"
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 0 --cluster-yes
fi

for node in "$@"; do
  until [ "$(field "$node" cluster_state)" = ok ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "cluster-create: $node: cluster_state $(field "$node" cluster_state)" >&2; exit 1; }
    sleep 0.2
  done
done
echo "cluster-create: cluster_state:ok on all $# nodes"
