/**
 * What each command means. Per client, a {@link io.respite.proxy.dispatch.ClientContext} keeps
 * every piece of the client's protocol state in one place (database, protocol, name,
 * authentication, where its commands go: the {@link io.respite.proxy.dispatch.Pinning} state
 * machine, the dedicated connection it leases, its subscriptions; with {@code --auth passthrough}
 * the Redis user it runs as, {@link io.respite.proxy.dispatch.Passthrough}). Shared by all clients and
 * stateless, the {@link io.respite.proxy.dispatch.CommandRouter} and its services answer
 * connection commands locally as Redis does, serve GET and MGET from the cache, move connection
 * state onto a dedicated connection, hand subscriptions to the loop's subscriber connection, and
 * forward everything else unchanged, the keys of writes leaving the cache. Which
 * commands write, and where their keys are, comes from the upstream's own command table.
 *
 * <p>Threading: everything for one client runs on its session's event loop. Depends on session,
 * upstream, admission, hotkeys, pubsub, command, cache, coherence, reply, logging and the codec's
 * public API; must not depend on the codec's {@code internal} package or on the proxy's root
 * package.
 */
package io.respite.proxy.dispatch;
