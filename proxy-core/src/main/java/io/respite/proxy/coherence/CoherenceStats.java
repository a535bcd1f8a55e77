package io.respite.proxy.coherence;

import java.util.concurrent.atomic.LongAdder;

/**
 * What coherence has done, counted since start: invalidation messages from Redis, keys they named
 * and entries they dropped, flushes (a null message, or the stream or a tracked connection lost),
 * fills refused because Redis might not have tracked their read, and starts of tracking. Thread-safe; each figure is
 * exact, the set is not one atomic snapshot.
 */
public final class CoherenceStats {

    final LongAdder messages = new LongAdder();
    final LongAdder keys = new LongAdder();
    final LongAdder keysDropped = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder fillsRefused = new LongAdder();
    final LongAdder trackingStarts = new LongAdder();

    CoherenceStats() {}

    /** Invalidation messages received. */
    public long messages() {
        return messages.sum();
    }

    /** Keys the messages named. */
    public long keys() {
        return keys.sum();
    }

    /** Cache entries the messages dropped. */
    public long keysDropped() {
        return keysDropped.sum();
    }

    /** Times the whole cache was dropped for coherence's sake. */
    public long flushes() {
        return flushes.sum();
    }

    /** Fills not cached because their read might not have been tracked. */
    public long fillsRefused() {
        return fillsRefused.sum();
    }

    /** Times Redis started tracking respite's reads: once at start, then once per recovery of the stream. */
    public long trackingStarts() {
        return trackingStarts.sum();
    }
}
