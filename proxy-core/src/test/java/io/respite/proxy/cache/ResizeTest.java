package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Budgets and TTL changed at run time ({@link StripedLruCache#resize}), and the hottest keys for a warm restart. */
class ResizeTest {

    private static final int OVERHEAD = StripedLruCache.ENTRY_OVERHEAD_BYTES;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shrinkingTheEntryBudgetEvictsTheLeastRecentlyRead() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).maxEntries(10));
        for (int i = 0; i < 10; i++) {
            cache.put(key(i), new byte[1]);
        }
        cache.get(key(0));
        cache.resize(3, StripedLruCache.DEFAULT_MAX_BYTES, 0);

        assertEquals(3, cache.size());
        assertEquals(7, cache.stats().evictedBySize());
        assertNotNull(cache.get(key(0)), "read last, kept");
        assertNotNull(cache.get(key(9)));
        assertNotNull(cache.get(key(8)));
        assertNull(cache.get(key(7)));
        cache.put(key(20), new byte[1]);
        assertEquals(3, cache.size(), "the new budget holds for later writes");
    }

    @Test
    void growingTheEntryBudgetKeepsMore() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).maxEntries(2));
        cache.resize(5, StripedLruCache.DEFAULT_MAX_BYTES, 0);
        for (int i = 0; i < 5; i++) {
            cache.put(key(i), new byte[1]);
        }
        assertEquals(5, cache.size());
        assertEquals(0, cache.stats().evictedBySize());
    }

    @Test
    void shrinkingTheByteBudgetEvictsUntilItHolds() {
        long entry = OVERHEAD + 5 + 100;
        StripedLruCache cache = invariants.track(
                StripedLruCache.builder().stripes(1).maxEntries(100).maxBytes(10 * entry));
        for (int i = 0; i < 10; i++) {
            cache.put(key(i), new byte[100]);
        }
        cache.resize(100, 4 * entry, 0);

        CacheStats s = cache.stats();
        assertEquals(4, s.entries());
        assertEquals(6, s.evictedByBytes());
        assertTrue(s.weightBytes() <= 4 * entry);
    }

    @Test
    void aSmallerByteBudgetLowersThePerEntryLimit() {
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(1)
                .maxEntries(100)
                .maxBytes(100_000)
                .maxEntryBytes(10_000));
        assertTrue(cache.put(key(1), new byte[5_000]));
        cache.resize(100, OVERHEAD + 1_000, 0);
        assertNull(cache.get(key(1)), "evicted: heavier than the whole new budget");
        assertEquals(false, cache.put(key(2), new byte[2_000]), "over the stripe's bytes, so over the limit");
        cache.resize(100, 100_000, 0);
        assertTrue(cache.put(key(2), new byte[5_000]), "the configured limit again");
    }

    @Test
    void aShorterTtlCapsTheEntriesAlreadyCached() {
        FakeTicker ticker = new FakeTicker();
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(1)
                .defaultTtlNanos(Duration.ofHours(1).toNanos())
                .ticker(ticker));
        cache.put(key(1), new byte[1]);
        cache.put(
                key(2), new byte[1], ticker.readNanos() + Duration.ofSeconds(5).toNanos());
        cache.resize(
                StripedLruCache.DEFAULT_MAX_ENTRIES,
                StripedLruCache.DEFAULT_MAX_BYTES,
                Duration.ofSeconds(10).toNanos());
        CacheInvariants.assertValid(cache);

        ticker.advance(Duration.ofSeconds(6));
        assertNull(cache.get(key(2)), "its own earlier deadline stands");
        assertNotNull(cache.get(key(1)));
        ticker.advance(Duration.ofSeconds(5));
        assertNull(cache.get(key(1)), "capped at the new TTL");
    }

    @Test
    void aLongerTtlAppliesToLaterWrites() {
        FakeTicker ticker = new FakeTicker();
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(1)
                .defaultTtlNanos(Duration.ofSeconds(10).toNanos())
                .ticker(ticker));
        cache.put(key(1), new byte[1]);
        cache.resize(
                StripedLruCache.DEFAULT_MAX_ENTRIES,
                StripedLruCache.DEFAULT_MAX_BYTES,
                Duration.ofMinutes(1).toNanos());
        cache.put(key(2), new byte[1]);
        ticker.advance(Duration.ofSeconds(30));
        assertNull(cache.get(key(1)), "cached before: keeps its deadline");
        assertNotNull(cache.get(key(2)), "cached after: the new TTL");
    }

    @Test
    void refusedValuesLeaveTheCacheAsItWas() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(4).maxEntries(8));
        for (int i = 0; i < 8; i++) {
            cache.put(key(i), new byte[1]);
        }
        long before = cache.size();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.resize(3, 1 << 20, 0));
        assertEquals("maxEntries: 3 (expected: >= stripes = 4)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cache.resize(8, 4L * OVERHEAD, 0));
        assertThrows(IllegalArgumentException.class, () -> cache.resize(8, 1 << 20, -1));
        assertEquals(before, cache.size());
    }

    @Test
    void resizingWhileOthersWriteKeepsTheInvariants() throws InterruptedException {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(4).maxEntries(4_000));
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                cache.put(key(i % 10_000), new byte[i % 50]);
                cache.get(key((i * 7) % 10_000));
            }
        });
        writer.start();
        try {
            for (int round = 0; round < 200; round++) {
                int entries = 4 + (round * 37) % 4_000;
                cache.resize(entries, 4L * (OVERHEAD + 64) * entries, round % 2 == 0 ? 0 : 1_000_000_000L);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        cache.resize(100, StripedLruCache.DEFAULT_MAX_BYTES, 0);
        assertTrue(cache.size() <= 100, "at most the last budget: " + cache.size());
    }

    @Test
    void hottestKeysComeMostRecentFirstAcrossStripes() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).maxEntries(100));
        for (int i = 0; i < 10; i++) {
            cache.put(key(i), new byte[1]);
        }
        cache.get(key(3));
        List<byte[]> hottest = cache.hottestKeys(3);
        assertEquals(3, hottest.size());
        assertArrayEquals(key(3), hottest.get(0));
        assertArrayEquals(key(9), hottest.get(1));
        assertArrayEquals(key(8), hottest.get(2));

        StripedLruCache striped =
                invariants.track(StripedLruCache.builder().stripes(8).maxEntries(1_000));
        for (int i = 0; i < 500; i++) {
            striped.put(key(i), new byte[1]);
        }
        assertEquals(500, striped.hottestKeys(10_000).size(), "all of them, each once");
        assertEquals(
                500,
                striped.hottestKeys(10_000).stream()
                        .map(k -> new String(k, StandardCharsets.US_ASCII))
                        .distinct()
                        .count());
        assertEquals(100, striped.hottestKeys(100).size());
    }
}
