package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hits and misses allocate nothing, measured with the thread's allocation counter after a warm-up
 * (so the loop is compiled). The bound, under 1 byte per lookup over 100 000 lookups, leaves room
 * for a stray allocation by the JIT or the counter itself, but not for one object per lookup.
 */
class ZeroAllocationTest {

    private static final int KEYS = 1_000;
    private static final int WARMUP_ROUNDS = 200;
    private static final int MEASURED_LOOKUPS = 100_000;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    @Test
    void lookupsAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        StripedLruCache cache = invariants.track(
                StripedLruCache.builder().stripes(4).maxEntries(2 * KEYS).defaultTtlNanos(1_000_000_000_000L));
        // Keys live in one scratch array, as in the proxy; the odd ones are never cached.
        byte[] scratch = new byte[16 * 2 * KEYS];
        for (int i = 0; i < 2 * KEYS; i++) {
            byte[] k = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(k, 0, scratch, 16 * i, 16);
            if (i % 2 == 0) {
                cache.put(k, new byte[32]);
            }
        }
        for (int r = 0; r < WARMUP_ROUNDS; r++) {
            lookups(cache, scratch, 2 * KEYS);
        }
        assertNotNull(cache.get(scratch, 0, 16));
        assertNull(cache.get(scratch, 16, 16));

        long before = threads.getCurrentThreadAllocatedBytes();
        int hits = lookups(cache, scratch, MEASURED_LOOKUPS);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(hits == MEASURED_LOOKUPS / 2, "hits " + hits);
        assertTrue(allocated < MEASURED_LOOKUPS, allocated + " bytes for " + MEASURED_LOOKUPS + " lookups");
    }

    /** The proxy's read path: {@code lookup}, which on a hit must allocate nothing either. */
    @Test
    void hitsThroughLookupAllocateNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        StripedLruCache cache = invariants.track(
                StripedLruCache.builder().stripes(4).maxEntries(2 * KEYS).defaultTtlNanos(1_000_000_000_000L));
        byte[] scratch = new byte[16 * KEYS];
        for (int i = 0; i < KEYS; i++) {
            byte[] k = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(k, 0, scratch, 16 * i, 16);
            cache.put(k, new byte[32]);
        }
        StripedLruCache.Lookup lookup = new StripedLruCache.Lookup();
        for (int r = 0; r < WARMUP_ROUNDS * 2; r++) {
            hits(cache, scratch, lookup, KEYS);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        int hits = hits(cache, scratch, lookup, MEASURED_LOOKUPS);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(hits == MEASURED_LOOKUPS, "hits " + hits);
        assertTrue(allocated < MEASURED_LOOKUPS, allocated + " bytes for " + MEASURED_LOOKUPS + " lookups");
    }

    private static int hits(StripedLruCache cache, byte[] scratch, StripedLruCache.Lookup lookup, int n) {
        int hits = 0;
        for (int i = 0; i < n; i++) {
            cache.lookup(scratch, 16 * (i % KEYS), 16, lookup);
            if (lookup.hit() != null) {
                hits++;
            }
        }
        return hits;
    }

    /** Looks up keys 0, 1, 2, ... (wrapping); returns the number of hits. */
    private static int lookups(StripedLruCache cache, byte[] scratch, int n) {
        int hits = 0;
        for (int i = 0; i < n; i++) {
            int k = i % (2 * KEYS);
            if (cache.get(scratch, 16 * k, 16) != null) {
                hits++;
            }
        }
        return hits;
    }
}
