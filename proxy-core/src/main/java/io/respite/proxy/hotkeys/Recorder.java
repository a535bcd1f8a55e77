package io.respite.proxy.hotkeys;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Counts the key reads of one event loop: a ring of Space-Saving summaries, one per sub-window,
 * rotated lazily by the reads themselves and by snapshots. Thread-confined: {@link #record} and
 * every other method must run on the thread of the executor the recorder was made for (see
 * {@link HotKeys}); there is no lock, atomic or volatile in it.
 */
public final class Recorder {

    /** Epoch of a ring slot that has never held a sub-window. */
    static final long NO_EPOCH = Long.MIN_VALUE;

    final Executor thread;
    private final LongSupplier nanoClock;
    private final long originNanos;
    private final long subWindowNanos;

    /** Sub-window summaries; sub-window e lives in ring[e mod ring.length]. */
    final SpaceSaving[] ring;

    /** The sub-window each ring slot holds, or {@link #NO_EPOCH}. */
    final long[] epochs;

    /** The current sub-window: (now - originNanos) / subWindowNanos at the last rotation. */
    long epoch;

    /** Start of sub-window epoch + 1 on the clock: the reading at which to rotate next. */
    private long nextRotationNanos;

    private SpaceSaving current;

    Recorder(HotKeys owner, Executor thread) {
        this.thread = thread;
        this.nanoClock = owner.nanoClock;
        this.originNanos = owner.originNanos;
        this.subWindowNanos = owner.subWindowNanos;
        this.ring = new SpaceSaving[owner.subWindows];
        this.epochs = new long[owner.subWindows];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new SpaceSaving(owner.capacity, owner.maxKeyBytes);
            epochs[i] = NO_EPOCH;
        }
        this.epoch = epochAt(nanoClock.getAsLong());
        int i = slotOf(epoch);
        epochs[i] = epoch;
        this.current = ring[i];
        this.nextRotationNanos = originNanos + (epoch + 1) * subWindowNanos;
    }

    /**
     * Counts one read of the key {@code key[offset, offset + length)}, a hit or a miss, reading the
     * clock once; see {@link #record(byte[], int, int, long)}. Loop thread only.
     */
    public void record(byte[] key, int offset, int length) {
        record(key, offset, length, nanoClock.getAsLong());
    }

    /**
     * Counts one read at {@code nowNanos}, a reading of the tracker's nanoClock the caller already
     * has (the proxy stamps each command's arrival), which spares a clock read per key. A reading
     * older than one seen before counts in the current sub-window. Loop thread only. Allocates
     * nothing unless a new key longer than any the replaced counter held enters the summary (then
     * one array of at most maxKeyBytes). Only reads the key.
     */
    public void record(byte[] key, int offset, int length, long nowNanos) {
        Objects.checkFromIndexSize(offset, length, key.length);
        if (nowNanos >= nextRotationNanos) {
            rotate(nowNanos);
        }
        current.offer(KeyHash.hash(key, offset, length), key, offset, length);
    }

    /**
     * Rotates to the current time and returns immutable copies of the summaries of the window
     * (the current sub-window and the subWindows - 1 before it) that have counted anything. Loop
     * thread only; {@link HotKeys#top} runs it there.
     */
    List<SpaceSaving.Frozen> snapshot() {
        rotate(nanoClock.getAsLong());
        List<SpaceSaving.Frozen> parts = new ArrayList<>(ring.length);
        for (SpaceSaving s : ring) {
            if (s.size > 0) {
                parts.add(s.freeze());
            }
        }
        return parts;
    }

    /** Counters in use over all sub-windows: at most subWindows x capacity. */
    int entries() {
        int n = 0;
        for (SpaceSaving s : ring) {
            n += s.size;
        }
        return n;
    }

    /** Bytes of key copies retained over all sub-windows: at most subWindows x capacity x maxKeyBytes. */
    long retainedKeyBytes() {
        long n = 0;
        for (SpaceSaving s : ring) {
            n += s.retainedKeyBytes();
        }
        return n;
    }

    /**
     * Moves to the sub-window of {@code now}, clearing the ring slots of the sub-windows entered
     * (at most the whole ring, however long the loop was idle). The slots not cleared then hold the
     * sub-windows still inside the window, so a snapshot needs no age check.
     */
    private void rotate(long now) {
        long target = epochAt(now);
        if (target <= epoch) {
            return;
        }
        long first = Math.max(epoch + 1, target - ring.length + 1);
        for (long e = first; e <= target; e++) {
            int i = slotOf(e);
            ring[i].clear();
            epochs[i] = e;
        }
        epoch = target;
        current = ring[slotOf(target)];
        nextRotationNanos = originNanos + (target + 1) * subWindowNanos;
    }

    private long epochAt(long nanos) {
        return Math.floorDiv(nanos - originNanos, subWindowNanos);
    }

    private int slotOf(long e) {
        return (int) Math.floorMod(e, (long) ring.length);
    }
}
