package io.respite.proxy.cache;

/**
 * A snapshot of the cache's counters, summed over the stripes (each stripe read under its lock, so
 * the sum is exact per stripe but not one atomic moment across stripes).
 *
 * @param hits lookups that returned a value
 * @param misses lookups that returned nothing (including those that found an expired entry)
 * @param entries entries currently cached
 * @param weightBytes bytes currently charged: key + value + {@link StripedLruCache#ENTRY_OVERHEAD_BYTES} per entry
 * @param evictedBySize entries evicted to keep within the entry budget
 * @param evictedByBytes entries evicted to keep within the byte budget
 * @param expired entries removed because their deadline had passed (on read, by the sweeper or at eviction)
 * @param invalidated entries removed by an invalidation (of one key or of all) or a write that could not be
 *     cached
 * @param staleFillsDropped fills not installed because their token was stale, or because another fill of
 *     the same flight brought a different value
 * @param rejected writes not cached because the entry was too large or already expired
 * @param loadsInFlight keys with a fill in flight
 * @param coalesced misses that joined a fill in flight instead of reading upstream (single-flight)
 */
public record CacheStats(
        long hits,
        long misses,
        long entries,
        long weightBytes,
        long evictedBySize,
        long evictedByBytes,
        long expired,
        long invalidated,
        long staleFillsDropped,
        long rejected,
        long loadsInFlight,
        long coalesced) {}
