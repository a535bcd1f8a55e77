package io.respite.proxy.admission;

import io.respite.proxy.config.RateLimit;

/*
 * Design
 * ------
 * A token bucket in its virtual-scheduling (GCRA) form, counted in whole tokens instead of time
 * so that it stays exact for any rate: token j (j = 1, 2, ...) is added at exactly j / rate
 * seconds after the base, rounded up to the nanosecond, and the bucket starts full. slotAt(t)
 * is how many tokens have been added by t. The whole state is one long, the debt D: the bucket
 * holds burst - (D - slotAt(now)) tokens, or burst when D <= slotAt(now) (full: credit beyond the
 * burst is not kept). A request is admitted iff D - slotAt(now) < burst, and then
 * D' = max(D, slotAt(now)) + 1. A refused request can be admitted at the time of slot
 * D - burst + 1.
 *
 * A "time at which the bucket is empty" in nanoseconds would need the emission interval
 * 1e9 / rate, which is a fraction for most rates; its rounding error would add up once per
 * request. Counting tokens needs no division by the rate on the admitting path: slotAt divides by
 * the constant 1e9 only, split so that no product overflows (see slotAt).
 *
 * Ranges: rate and burst are at most RateLimit.MAX (1e9), so (e % 1e9) * rate < 1e18 and
 * (j % rate) * 1e9 < 1e18 fit in a long; D grows by at most rate a second, for 292 years at the
 * largest rate.
 *
 * Concurrency: none here; the holders of D (ClientAdmission, GlobalBucket) say how it is kept.
 */

/** The arithmetic of one token bucket of {@code rate} tokens a second and {@code burst} at most; immutable. */
final class RateSlots {

    /** Nanoseconds in a second. */
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long perSecond;
    private final long burst;
    /** Clock reading at which the bucket was full with no token added yet, in nanoseconds. */
    private final long baseNanos;

    RateSlots(RateLimit limit, long baseNanos) {
        this.perSecond = limit.perSecond();
        this.burst = limit.burst();
        this.baseNanos = baseNanos;
    }

    /** How many tokens have been added by {@code nowNanos}, a reading of the bucket's clock. */
    long slotAt(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - baseNanos);
        return elapsed / NANOS_PER_SECOND * perSecond + elapsed % NANOS_PER_SECOND * perSecond / NANOS_PER_SECOND;
    }

    /** Whether a bucket with {@code debt} has a token at {@code slot}. */
    boolean hasToken(long debt, long slot) {
        return debt - slot < burst;
    }

    /** The debt after taking a token at {@code slot}; the caller checked {@link #hasToken}. */
    static long take(long debt, long slot) {
        return Math.max(debt, slot) + 1;
    }

    /** Nanoseconds from {@code nowNanos} until a bucket with {@code debt} has a token; 0 if it has one now. */
    long nanosUntilToken(long debt, long nowNanos) {
        long slot = debt - burst + 1;
        if (slot <= 0) {
            return 0;
        }
        long at = slot / perSecond * NANOS_PER_SECOND + ceilDiv(slot % perSecond * NANOS_PER_SECOND, perSecond);
        return Math.max(0, baseNanos + at - nowNanos);
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
