package io.respite.proxy.logging;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * One kind of event, logged at most once per period: the first line of a period is written, the
 * rest are counted and the count is added to the next line written ("... and 12 more like it").
 * Redis rate-limits its own cross-protocol warning the same way.
 *
 * <p>Thread-safe: events come from every event loop.
 */
public final class RateLimitedLog {

    private final Logger logger;
    private final Level level;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    /** When the current period started; {@code Long.MIN_VALUE} before the first event. */
    private final AtomicLong periodStartNanos = new AtomicLong(Long.MIN_VALUE);

    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger logger, Level level, long period, TimeUnit unit) {
        this(logger, level, unit.toNanos(period), System::nanoTime);
    }

    /** With an injected clock, for tests. */
    RateLimitedLog(Logger logger, Level level, long periodNanos, LongSupplier nanoClock) {
        this.logger = logger;
        this.level = level;
        this.periodNanos = periodNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * Logs {@code message} if no line of this kind was written in the current period, and counts
     * it otherwise. Returns whether it was written.
     */
    public boolean log(String message) {
        if (!logger.isEnabledForLevel(level)) {
            return false;
        }
        long now = nanoClock.getAsLong();
        long start = periodStartNanos.get();
        if ((start != Long.MIN_VALUE && now - start < periodNanos) || !periodStartNanos.compareAndSet(start, now)) {
            suppressed.incrementAndGet();
            return false;
        }
        long more = suppressed.getAndSet(0);
        logger.atLevel(level)
                .log(more == 0 ? message : message + " (and " + more + " more like it since the last such line)");
        return true;
    }
}
