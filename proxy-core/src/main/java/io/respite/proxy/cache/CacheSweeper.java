package io.respite.proxy.cache;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reclaims expired entries of a {@link StripedLruCache} without reads: every period it calls
 * {@link StripedLruCache#expireBatch(int)}, which removes a bounded batch per stripe and never
 * blocks on a busy stripe. Runs on the executor it is given (the proxy passes a Netty event loop);
 * it owns nothing but its scheduled task, which {@link #close()} cancels.
 *
 * <p>Sizing: with period p and batch b per stripe, the sweeper reclaims up to b x stripes / p
 * entries per second; an entry that expires beyond that rate is still never returned (reads check
 * lazily) and is reclaimed by a later tick or evicted by the budgets.
 */
public final class CacheSweeper implements AutoCloseable {

    /** Default time between sweeps, in milliseconds. */
    public static final long DEFAULT_PERIOD_MILLIS = 100;

    /** Default maximum number of expired entries removed per stripe per sweep. */
    public static final int DEFAULT_BATCH_ENTRIES_PER_STRIPE = 128;

    private final ScheduledFuture<?> task;

    private CacheSweeper(ScheduledFuture<?> task) {
        this.task = task;
    }

    /**
     * Schedules sweeps of {@code cache} on {@code executor}: the first at once, then one every
     * {@code periodNanos} after the previous one ended.
     */
    public static CacheSweeper start(
            StripedLruCache cache, ScheduledExecutorService executor, long periodNanos, int batchEntriesPerStripe) {
        Objects.requireNonNull(cache, "cache");
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("periodNanos: " + periodNanos + " (expected: > 0)");
        }
        if (batchEntriesPerStripe < 1) {
            throw new IllegalArgumentException("batchEntriesPerStripe: " + batchEntriesPerStripe + " (expected: >= 1)");
        }
        Runnable sweep = () -> cache.expireBatch(batchEntriesPerStripe);
        return new CacheSweeper(executor.scheduleWithFixedDelay(sweep, 0, periodNanos, TimeUnit.NANOSECONDS));
    }

    /** Schedules sweeps with {@link #DEFAULT_PERIOD_MILLIS} and {@link #DEFAULT_BATCH_ENTRIES_PER_STRIPE}. */
    public static CacheSweeper start(StripedLruCache cache, ScheduledExecutorService executor) {
        return start(
                cache,
                executor,
                TimeUnit.MILLISECONDS.toNanos(DEFAULT_PERIOD_MILLIS),
                DEFAULT_BATCH_ENTRIES_PER_STRIPE);
    }

    /** Returns whether the sweeps were cancelled. */
    public boolean isClosed() {
        return task.isCancelled();
    }

    /** Cancels the sweeps; a sweep already running finishes. Idempotent. */
    @Override
    public void close() {
        task.cancel(false);
    }
}
