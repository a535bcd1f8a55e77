/**
 * The upstream Redis: pipelined, multiplexed connections that carry every client's forwarded
 * commands, as raw RESP frames, in order, with failure detection, timeouts and reconnection; and
 * each loop's pool of dedicated connections, leased to clients for connection state; and, with
 * {@code --auth passthrough}, the same per Redis user ({@link io.respite.proxy.upstream.UserLanes}).
 *
 * <p>Threading: an {@link io.respite.proxy.upstream.UpstreamConnection} lives on one event loop,
 * and only code on that loop may call it; {@link io.respite.proxy.upstream.UpstreamPool} gives
 * each worker loop its own connections, so a client session and its upstream traffic share a
 * thread and need no locks. {@link io.respite.proxy.upstream.Upstream} is the seam a Redis
 * Cluster implementation will plug into. Every connection, of whatever kind, is built in one place
 * ({@code UpstreamConnection.connect}), where a {@code rediss://} upstream gets its TLS handler.
 * Depends on the codec, the reply contract, the event-loop plumbing, the words for TLS failures
 * and Netty; must not depend on sessions, dispatch, commands, the cache or coherence.
 */
package io.respite.proxy.upstream;
