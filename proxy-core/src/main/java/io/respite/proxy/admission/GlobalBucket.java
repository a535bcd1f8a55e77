package io.respite.proxy.admission;

import io.respite.proxy.config.RateLimit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The token bucket every client shares ({@code --global-rate-limit}): {@link RateSlots}' debt in
 * one {@link AtomicLong}, so a request costs one read and one compare-and-set, retried only when
 * another thread took a token in between. Lock-free and exact: concurrent requests are ordered by
 * their successful CAS, each against the debt the previous one left, so no more than burst +
 * (tokens added in the interval) are ever admitted. Thread-safe.
 */
final class GlobalBucket {

    private final RateLimit limit;
    private final RateSlots slots;
    private final AtomicLong debt = new AtomicLong();

    GlobalBucket(RateLimit limit, long baseNanos) {
        this.limit = limit;
        this.slots = new RateSlots(limit, baseNanos);
    }

    /** The rate it admits. */
    RateLimit limit() {
        return limit;
    }

    /** Takes a token and returns 0, or takes none and returns the nanoseconds until one is there. */
    long tryTake(long nowNanos) {
        long slot = slots.slotAt(nowNanos);
        for (; ; ) {
            long current = debt.get();
            if (!slots.hasToken(current, slot)) {
                return Math.max(1, slots.nanosUntilToken(current, nowNanos));
            }
            if (debt.compareAndSet(current, RateSlots.take(current, slot))) {
                return 0;
            }
        }
    }
}
