/**
 * The proxy's local cache: a hand-written, lock-striped LRU from binary keys to binary values,
 * with an entry budget, a byte budget, a per-entry size limit, time-to-live expiry, race-safe
 * fills and cheap statistics ({@link io.respite.proxy.cache.StripedLruCache}), and the periodic
 * sweeper that reclaims expired entries without reads ({@link io.respite.proxy.cache.CacheSweeper}).
 *
 * <p>This package owns the cached bytes: values handed to it are kept by reference and must never
 * be mutated afterwards, and values it returns are the same arrays, which callers must not mutate
 * either. It depends on nothing but the JDK and fastutil (no Netty, no other respite package;
 * annotations aside: JSpecify's nullness, and Error Prone's {@code @GuardedBy}, which the build
 * checks), so it can be tested and benchmarked on its own. Every public class here is thread-safe; each
 * stripe of the cache is guarded by its own lock, as the design comment of {@code StripedLruCache}
 * describes.
 */
package io.respite.proxy.cache;
