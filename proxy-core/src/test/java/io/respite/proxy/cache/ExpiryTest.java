package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Time-to-live, explicit deadlines, the lazy check on read and the sweeper, all on a fake clock. */
class ExpiryTest {

    private static final long TTL_NANOS = Duration.ofSeconds(30).toNanos();

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final FakeTicker ticker = new FakeTicker();

    private StripedLruCache cache(int stripes) {
        return invariants.track(StripedLruCache.builder()
                .stripes(stripes)
                .maxEntries(10_000)
                .defaultTtlNanos(TTL_NANOS)
                .ticker(ticker));
    }

    private static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void entryExpiresAtItsTimeToLive() {
        StripedLruCache cache = cache(1);
        cache.put(key(1), new byte[1]);
        ticker.advanceNanos(TTL_NANOS - 1);
        assertNotNull(cache.get(key(1)), "a read does not extend a write-based deadline, and 1 ns is left");
        ticker.advanceNanos(1);

        assertNull(cache.get(key(1)));
        CacheStats s = cache.stats();
        assertEquals(1, s.expired());
        assertEquals(0, s.entries(), "the lazy check removed it");
        assertEquals(1, s.misses());
    }

    @Test
    void explicitDeadlineEarlierThanTheTtlWins() {
        StripedLruCache cache = cache(1);
        cache.put(key(1), new byte[1], ticker.readNanos() + 5);
        cache.put(key(2), new byte[1], ticker.readNanos() + 2 * TTL_NANOS);
        ticker.advanceNanos(5);
        assertNull(cache.get(key(1)));
        ticker.advance(Duration.ofSeconds(30));
        assertNull(cache.get(key(2)), "the later explicit deadline is capped by the default TTL");
    }

    @Test
    void alreadyExpiredValueIsNotCached() {
        StripedLruCache cache = cache(1);
        cache.put(key(1), new byte[1]);
        assertFalse(cache.put(key(1), new byte[2], ticker.readNanos()));
        assertNull(cache.get(key(1)));
        assertEquals(1, cache.stats().rejected());
    }

    @Test
    void withoutTtlOnlyExplicitDeadlinesExpire() {
        StripedLruCache cache =
                invariants.track(StripedLruCache.builder().stripes(1).ticker(ticker));
        cache.put(key(1), new byte[1]);
        cache.put(key(2), new byte[1], ticker.readNanos() + 10);
        ticker.advance(Duration.ofDays(365));
        assertNotNull(cache.get(key(1)));
        assertNull(cache.get(key(2)));
    }

    @Test
    void sweeperReclaimsExpiredEntriesWithoutReadsInBoundedBatches() {
        StripedLruCache cache = cache(4);
        for (int i = 0; i < 1_000; i++) {
            cache.put(key(i), new byte[8]);
        }
        ticker.advanceNanos(TTL_NANOS / 2);
        for (int i = 1_000; i < 1_100; i++) {
            cache.put(key(i), new byte[8]);
        }
        ticker.advanceNanos(TTL_NANOS / 2);

        assertEquals(4 * 10, cache.expireBatch(10), "10 per stripe, every stripe has plenty expired");
        int removed = 40;
        int batch;
        while ((batch = cache.expireBatch(10)) > 0) {
            assertTrue(batch <= 40);
            removed += batch;
        }
        assertEquals(1_000, removed, "exactly the expired entries, none of the 100 still fresh");
        CacheStats s = cache.stats();
        assertEquals(100, s.entries());
        assertEquals(1_000, s.expired());
        assertEquals(0, s.hits() + s.misses(), "no reads were involved");
    }

    @Test
    void scheduledSweeperRunsOnTheExecutorAndCancels() throws Exception {
        StripedLruCache cache = cache(2);
        cache.put(key(1), new byte[1]);
        cache.put(key(2), new byte[1]);
        ticker.advanceNanos(TTL_NANOS);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
        executor.setRemoveOnCancelPolicy(true);
        try {
            CacheSweeper sweeper = CacheSweeper.start(cache, executor, TimeUnit.HOURS.toNanos(1), 16);
            // The first sweep is due at once; a task submitted later runs after it (FIFO for equal
            // or later trigger times), so its completion proves the sweep has run.
            executor.submit(() -> {}).get();
            assertEquals(0, cache.size());
            assertEquals(2, cache.stats().expired());
            assertFalse(sweeper.isClosed());
            sweeper.close();
            assertTrue(sweeper.isClosed());
            assertTrue(executor.getQueue().isEmpty(), "the periodic task was removed");
        } finally {
            executor.shutdownNow();
        }
    }
}
