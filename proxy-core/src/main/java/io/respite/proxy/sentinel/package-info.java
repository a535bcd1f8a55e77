/**
 * A Redis Sentinel group as the source of the upstream's address: asks the sentinels which Redis is
 * the primary of the named master, hears of failovers on their {@code +switch-master} channel
 * (and asks again every few seconds, in case a message was missed), and tells its owner each time
 * the primary moves. Lettuce speaks to the sentinels (over TLS for {@code rediss-sentinel://});
 * respite's own connections carry the data.
 *
 * <p>Threading: the watcher's state lives on its own thread, and its owner is told there. Depends on
 * config's URI, tls's Lettuce settings, Lettuce and the JDK; must not depend on the upstream,
 * sessions, dispatch, the cache or coherence, which its owner moves.
 */
package io.respite.proxy.sentinel;
