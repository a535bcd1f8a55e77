package io.respite.proxy.admission;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The state {@code --upstream-ops-limit} shares across every event loop: permits in use, commands
 * queued, the lanes that may be waiting for a permit, and the counters. Lock-free and
 * thread-safe; see {@link LimitedLane} for the protocol that uses it.
 */
final class OpsLimit {

    /** Changed by a configuration reload ({@link #resize}); read at every acquire. */
    private volatile int maxInFlight;

    private volatile int maxQueued;
    /** Permits taken: commands sent and not yet answered. At most {@link #maxInFlight}. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Commands held in the lanes' queues together. At most {@link #maxQueued}. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Every limited lane, one per event loop: few, and added once each. */
    private final List<LimitedLane> lanes = new CopyOnWriteArrayList<>();

    private final LongAdder waited = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param maxInFlight most commands in flight at once, at least 1
     * @param maxQueued most commands waiting for a permit, across all lanes
     */
    OpsLimit(int maxInFlight, int maxQueued) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: >= 1)");
        }
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
    }

    /**
     * New bounds. Commands over a lower limit finish as they are; none is sent until the count is
     * below it. A higher limit wakes every hungry lane, whose queue may now go.
     */
    void resize(int newMaxInFlight, int newMaxQueued) {
        if (newMaxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight: " + newMaxInFlight + " (expected: >= 1)");
        }
        boolean more = newMaxInFlight > maxInFlight;
        maxInFlight = newMaxInFlight;
        maxQueued = newMaxQueued;
        if (more) {
            wakeHungry(null);
        }
    }

    void register(LimitedLane lane) {
        lanes.add(lane);
    }

    void unregister(LimitedLane lane) {
        lanes.remove(lane);
    }

    /** Takes a permit if one is free. */
    boolean tryAcquire() {
        return incrementBelow(inFlight, maxInFlight);
    }

    /**
     * Gives a permit back. The caller then offers it to its own lane's queue, else calls {@link
     * #wakeHungry}: the decrement comes first, so a lane that marks itself hungry after this
     * sees the permit when it tries again.
     */
    void release() {
        inFlight.decrementAndGet();
    }

    /** Reserves a place in the queue, counting the command as one that waited; false when the queue is full. */
    boolean tryQueue() {
        if (incrementBelow(queued, maxQueued)) {
            waited.increment();
            return true;
        }
        refused.increment();
        return false;
    }

    /** A queued command left its queue (sent, or dropped). */
    void dequeued() {
        queued.decrementAndGet();
    }

    /** Asks each other lane that is hungry to drain its queue, on its own loop; whether any was. */
    boolean wakeHungry(@Nullable LimitedLane releaser) {
        boolean woke = false;
        for (LimitedLane lane : lanes) {
            if (lane != releaser) {
                woke |= lane.wakeIfHungry();
            }
        }
        return woke;
    }

    long inFlight() {
        return inFlight.get();
    }

    long queued() {
        return queued.get();
    }

    long waited() {
        return waited.sum();
    }

    long refused() {
        return refused.sum();
    }

    private static boolean incrementBelow(AtomicInteger counter, int bound) {
        for (; ; ) {
            int current = counter.get();
            if (current >= bound) {
                return false;
            }
            if (counter.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }
}
