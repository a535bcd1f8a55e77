/**
 * A Redis Cluster as the upstream: the slot map (learnt through Lettuce, corrected by MOVED),
 * per-primary lanes behind one {@link io.respite.proxy.upstream.UpstreamLane} per loop that routes
 * each command by its keys' slot, follows MOVED, ASK, TRYAGAIN and CLUSTERDOWN, cuts multi-key
 * commands across slots and fans keyless ones out as their command tips say; dedicated
 * connections bound to one node; shard channels held on their slot's primary; forwarded reads on
 * replicas ({@code --read-from}); and an invalidation stream per primary behind the one coherence
 * knows.
 *
 * <p>Threading: each lane and its callbacks run on their loop; the slot map and node pools are
 * published for every loop (see {@link io.respite.proxy.cluster.ClusterUpstream}). Depends on
 * upstream, command, config's URI, tls's Lettuce settings, reply, eventloop, the codec's public
 * API, Netty and Lettuce; must not depend on sessions, dispatch, the cache or coherence.
 */
package io.respite.proxy.cluster;
