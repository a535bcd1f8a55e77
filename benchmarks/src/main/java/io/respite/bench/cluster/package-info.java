/**
 * Failover recovery seen by a client: {@link io.respite.bench.cluster.FailoverProbe} writes
 * through respite, or straight to a Redis Cluster with Lettuce, while
 * {@code benchmarks/cluster/failover_bench.sh} kills the primary of the key's slot. Results and
 * the exact command are in {@code benchmarks/README.md}, section "Cluster".
 */
package io.respite.bench.cluster;
