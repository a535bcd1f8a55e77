package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Eight threads run mixed gets, puts, fills, invalidations, sweeps and clock advances on a small
 * cache for a bounded time; then the invariant checker (registered below) must pass. Each thread
 * also owns a few keys nobody else writes, on which it checks what must hold under any
 * interleaving: a fill staled by its own invalidation never installs, and its own last write is
 * either still there or gone, never replaced by something else.
 */
class StripedLruCacheStressTest {

    private static final int THREADS = 8;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(2_500);
    private static final int SHARED_KEYS = 2_000;

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    @Test
    void mixedOperationsKeepTheInvariants() throws InterruptedException {
        FakeTicker ticker = new FakeTicker();
        StripedLruCache cache = invariants.track(StripedLruCache.builder()
                .stripes(8)
                .maxEntries(256)
                .maxBytes(256L * (StripedLruCache.ENTRY_OVERHEAD_BYTES + 32))
                .maxEntryBytes(StripedLruCache.ENTRY_OVERHEAD_BYTES + 120)
                .defaultTtlNanos(1_000_000)
                .maxLoadsInFlight(64)
                .ticker(ticker));
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong operations = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Thread thread = new Thread(
                    () -> {
                        try {
                            start.await();
                            operations.addAndGet(run(cache, ticker, id));
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "cache-stress-" + t);
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a worker failed", failure.get());
        }
        assertTrue(operations.get() > 10_000, "too few operations to mean anything: " + operations.get());
        CacheStats s = cache.stats();
        assertTrue(
                s.evictedBySize() + s.evictedByBytes() > 0 && s.expired() > 0 && s.staleFillsDropped() > 0,
                s.toString());
    }

    private static long run(StripedLruCache cache, FakeTicker ticker, int id) {
        SplittableRandom random = new SplittableRandom(id);
        byte[][] own = new byte[4][];
        byte[][] lastWritten = new byte[own.length][];
        for (int i = 0; i < own.length; i++) {
            own[i] = ("own:" + id + ":" + i).getBytes(StandardCharsets.US_ASCII);
        }
        List<LoadToken> tokens = new ArrayList<>();
        long end = System.nanoTime() + RUN_NANOS;
        long ops = 0;
        while ((ops & 255) != 0 || System.nanoTime() < end) {
            ops++;
            byte[] key = ("k" + random.nextInt(SHARED_KEYS)).getBytes(StandardCharsets.US_ASCII);
            int op = random.nextInt(1_000);
            if (op < 500) {
                cache.get(key);
            } else if (op < 700) {
                cache.put(
                        key,
                        new byte[random.nextInt(150)],
                        random.nextBoolean() ? 0 : ticker.readNanos() + random.nextLong(2_000_000));
            } else if (op < 780) {
                cache.invalidate(key);
            } else if (op < 850) {
                tokens.add(cache.beginLoad(key));
            } else if (op < 900 && !tokens.isEmpty()) {
                LoadToken token = tokens.remove(random.nextInt(tokens.size()));
                if (random.nextBoolean()) {
                    cache.completeLoad(token, new byte[random.nextInt(100)], 0);
                } else {
                    cache.abandonLoad(token);
                }
            } else if (op < 930) {
                cache.expireBatch(8);
            } else if (op < 960) {
                ticker.advanceNanos(random.nextLong(50_000));
            } else if (op < 961) {
                cache.invalidateAll();
            } else {
                int i = random.nextInt(own.length);
                checkOwnKey(cache, own[i], lastWritten, i, random);
            }
        }
        for (LoadToken token : tokens) {
            cache.abandonLoad(token);
        }
        return ops;
    }

    private static void checkOwnKey(
            StripedLruCache cache, byte[] key, byte[][] lastWritten, int i, SplittableRandom random) {
        byte[] seen = cache.get(key);
        assertTrue(seen == null || seen == lastWritten[i], "only this thread writes its own keys");
        if (random.nextBoolean()) {
            LoadToken token = cache.beginLoad(key);
            cache.invalidate(key);
            assertFalse(cache.completeLoad(token, new byte[1], 0), "a fill staled by invalidate installs nothing");
            assertEquals(null, cache.get(key));
        } else {
            lastWritten[i] = new byte[random.nextInt(16)];
            cache.put(key, lastWritten[i]);
        }
    }
}
