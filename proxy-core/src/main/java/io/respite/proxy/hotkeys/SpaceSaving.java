package io.respite.proxy.hotkeys;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.Arrays;

/**
 * One Space-Saving summary (Metwally, Agrawal and El Abbadi, 2005) of at most {@link #capacity}
 * counters: the reads of one sub-window of one recorder. Not thread-safe: confined to its
 * recorder's thread until {@link #freeze()} copies it.
 *
 * <p>A read of a monitored key increments its counter. A read of another key takes a free counter
 * if there is one (count 1, error 0), else replaces the key of the smallest counter m: the new key
 * gets count m + 1 and error m. Hence, for n reads: the counts add up to n; for a monitored key,
 * count - error &lt;= true count &lt;= count; an unmonitored key was read at most {@link #minCount()}
 * &lt;= n / capacity times, so every key read more than n / capacity times is monitored.
 *
 * <p>Layout: counters live in slots 0..size-1 of parallel arrays; a fastutil open-addressing map
 * finds a key's slot from its 64-bit hash (no key object, no byte comparison), and an indexed
 * binary min-heap of slots by count finds the smallest counter in O(1). An increment only sifts
 * down, and a hot key sits at the bottom of the heap, so its increment is O(1) in practice.
 * Nothing allocates after construction except a key copy when a replacing key is longer than the
 * slot's array: slot arrays are reused, and each holds at most {@link #maxKeyBytes}.
 */
final class SpaceSaving {

    /** The key of a slot that never held one. */
    private static final byte[] NO_KEY = new byte[0];

    final int capacity;
    final int maxKeyBytes;

    /** Key hash to slot; no entry = -1. */
    final Long2IntOpenHashMap slotOfHash;

    final long[] hashes;
    final long[] counts;
    final long[] errors;

    /** The first min(keyLength, maxKeyBytes) bytes of the slot's key, at the start of the array. */
    final byte[][] keys;

    /** Full length of the slot's key, which may exceed what {@link #keys} retains. */
    final int[] keyLengths;

    /** Min-heap of slots by count: counts[heap[i]] &lt;= counts[heap[2i+1]], counts[heap[2i+2]]. */
    final int[] heap;

    /** Position of each slot in {@link #heap}. */
    final int[] heapIndex;

    int size;

    /** Reads offered since the last clear; always the sum of the counts. */
    long reads;

    SpaceSaving(int capacity, int maxKeyBytes) {
        this.capacity = capacity;
        this.maxKeyBytes = maxKeyBytes;
        // Sized for capacity keys at load 1/2: never rehashes, and fastutil never shrinks below it.
        this.slotOfHash = new Long2IntOpenHashMap(capacity, 0.5f);
        slotOfHash.defaultReturnValue(-1);
        this.hashes = new long[capacity];
        this.counts = new long[capacity];
        this.errors = new long[capacity];
        this.keys = new byte[capacity][];
        Arrays.fill(keys, NO_KEY);
        this.keyLengths = new int[capacity];
        this.heap = new int[capacity];
        this.heapIndex = new int[capacity];
    }

    /** Counts one read of the key {@code key[offset, offset + length)}, whose hash is {@code hash}. */
    void offer(long hash, byte[] key, int offset, int length) {
        reads++;
        int slot = slotOfHash.get(hash);
        if (slot >= 0) {
            counts[slot]++;
            siftDown(heapIndex[slot]);
            return;
        }
        if (size < capacity) {
            slot = size++;
            heap[slot] = slot;
            heapIndex[slot] = slot;
            enter(slot, hash, key, offset, length, 0);
            // A new counter of 1 is no larger than any other: it rises to the top.
            siftUp(slot);
            return;
        }
        slot = heap[0];
        slotOfHash.remove(hashes[slot]);
        enter(slot, hash, key, offset, length, counts[slot]);
        siftDown(0);
    }

    /** The smallest count when every counter is in use, else 0: a bound on any unmonitored key. */
    long minCount() {
        return size < capacity ? 0 : counts[heap[0]];
    }

    /** Forgets every key; the arrays stay allocated for the next sub-window. */
    void clear() {
        slotOfHash.clear();
        size = 0;
        reads = 0;
    }

    /** Bytes of key copies this summary holds, at most capacity x maxKeyBytes. */
    long retainedKeyBytes() {
        long bytes = 0;
        for (byte[] k : keys) {
            bytes += k.length;
        }
        return bytes;
    }

    /** An immutable copy of the monitored counters, safe to hand to another thread. */
    Frozen freeze() {
        long[] h = new long[size];
        long[] c = new long[size];
        long[] e = new long[size];
        byte[][] k = new byte[size][];
        int[] lengths = new int[size];
        for (int slot = 0; slot < size; slot++) {
            h[slot] = hashes[slot];
            c[slot] = counts[slot];
            e[slot] = errors[slot];
            k[slot] = Arrays.copyOf(keys[slot], Math.min(keyLengths[slot], maxKeyBytes));
            lengths[slot] = keyLengths[slot];
        }
        return new Frozen(h, c, e, k, lengths, minCount(), reads);
    }

    private void enter(int slot, long hash, byte[] key, int offset, int length, long previousMin) {
        int kept = Math.min(length, maxKeyBytes);
        if (keys[slot].length < kept) {
            keys[slot] = new byte[kept];
        }
        System.arraycopy(key, offset, keys[slot], 0, kept);
        keyLengths[slot] = length;
        hashes[slot] = hash;
        counts[slot] = previousMin + 1;
        errors[slot] = previousMin;
        slotOfHash.put(hash, slot);
    }

    private void siftUp(int i) {
        int slot = heap[i];
        long count = counts[slot];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int p = heap[parent];
            if (counts[p] <= count) {
                break;
            }
            place(i, p);
            i = parent;
        }
        place(i, slot);
    }

    private void siftDown(int i) {
        int slot = heap[i];
        long count = counts[slot];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int c = heap[child];
            int right = child + 1;
            if (right < size && counts[heap[right]] < counts[c]) {
                child = right;
                c = heap[child];
            }
            if (count <= counts[c]) {
                break;
            }
            place(i, c);
            i = child;
        }
        place(i, slot);
    }

    private void place(int i, int slot) {
        heap[i] = slot;
        heapIndex[slot] = i;
    }

    /**
     * The counters of one summary at one instant, immutable (final fields, never-mutated arrays),
     * so it may be read by any thread once published through a future.
     */
    static final class Frozen {
        final long[] hashes;
        final long[] counts;
        final long[] errors;
        final byte[][] keys;
        final int[] keyLengths;
        final long minCount;
        final long reads;

        Frozen(
                long[] hashes,
                long[] counts,
                long[] errors,
                byte[][] keys,
                int[] keyLengths,
                long minCount,
                long reads) {
            this.hashes = hashes;
            this.counts = counts;
            this.errors = errors;
            this.keys = keys;
            this.keyLengths = keyLengths;
            this.minCount = minCount;
            this.reads = reads;
        }
    }
}
