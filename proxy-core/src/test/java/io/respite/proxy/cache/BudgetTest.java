package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The entry budget, the byte budget and the per-entry size limit, and which entry is evicted. */
class BudgetTest {

    private static final int OVERHEAD = StripedLruCache.ENTRY_OVERHEAD_BYTES;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void entryBudgetEvictsTheLeastRecentlyRead() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).maxEntries(3));
        cache.put(key(1), new byte[1]);
        cache.put(key(2), new byte[2]);
        cache.put(key(3), new byte[3]);
        assertEquals(1, cache.get(key(1)).length);
        cache.put(key(4), new byte[4]);

        assertNull(cache.get(key(2)), "key 2 was the least recently read");
        assertEquals(1, cache.get(key(1)).length);
        assertEquals(3, cache.size());
        assertEquals(1, cache.stats().evictedBySize());
    }

    @Test
    void byteBudgetEvictsUntilItHolds() {
        long entry = OVERHEAD + 5 + 100;
        StripedLruCache cache = invariants.track(
                StripedLruCache.builder().stripes(1).maxEntries(100).maxBytes(3 * entry));
        for (int i = 0; i < 3; i++) {
            cache.put(key(i), new byte[100]);
        }
        assertEquals(3 * entry, cache.stats().weightBytes());
        cache.put(key(7), new byte[200]);

        CacheStats s = cache.stats();
        assertEquals(2, s.evictedByBytes(), "one entry of 100 is not enough room for one of 200");
        assertEquals(2, s.entries());
        assertTrue(s.weightBytes() <= 3 * entry);
        assertNull(cache.get(key(0)));
        assertNull(cache.get(key(1)));
    }

    @Test
    void budgetsHoldAcrossStripesUnderRandomWrites() {
        long maxBytes = 64 * (OVERHEAD + 300L);
        StripedLruCache cache = invariants.track(
                StripedLruCache.builder().stripes(8).maxEntries(128).maxBytes(maxBytes));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            cache.put(key(random.nextInt(1_000)), new byte[random.nextInt(600)]);
            CacheStats s = cache.stats();
            assertTrue(s.entries() <= 128, "entries " + s.entries());
            assertTrue(s.weightBytes() <= maxBytes, "bytes " + s.weightBytes());
        }
        CacheInvariants.assertValid(cache);
    }

    @Test
    void valueAboveTheEntryLimitPassesThroughAndRemovesTheOlderValue() {
        long limit = OVERHEAD + 5 + 1_000;
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).maxEntryBytes(limit));
        byte[] small = new byte[10];
        assertTrue(cache.put(key(1), small));
        assertTrue(cache.put(key(2), new byte[1_000]), "exactly at the limit is cached");

        assertFalse(cache.put(key(1), new byte[1_001]));
        assertNull(cache.get(key(1)), "the older value must not survive a newer one that was not cached");
        CacheStats s = cache.stats();
        assertEquals(1, s.rejected());
        assertEquals(1, s.invalidated());
        assertEquals(1, s.entries());
    }

    @Test
    void entryLimitIsCappedAtTheStripeByteBudget() {
        long perStripe = OVERHEAD + 105;
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(2)
                .maxEntries(10)
                .maxBytes(2 * perStripe)
                .maxEntryBytes(1 << 20));
        assertFalse(cache.put(key(1), new byte[101]), "one byte over the stripe budget");
        assertTrue(cache.put(key(1), new byte[100]));
    }

    @Test
    void regionLookupsSeeTheSameEntryAsWholeKeys() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(4).maxEntries(64));
        byte[] value = {1, 2, 3};
        cache.put(key(12), value);
        byte[] scratch = "xxkey:12yy".getBytes(StandardCharsets.US_ASCII);

        assertSame(value, cache.get(scratch, 2, 6));
        assertNull(cache.get(scratch, 2, 5), "key:1 is another key");
        assertTrue(cache.invalidate(scratch, 2, 6));
        assertNull(cache.get(key(12)));
        assertArrayEquals(new byte[] {1, 2, 3}, value, "values are never mutated");
    }
}
