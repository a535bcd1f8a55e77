package io.respite.proxy.cache;

/**
 * One cached key and value: at the same time an element of its stripe's hash table, a node of
 * its recency list ({@link KeyedList}, newest = most recently used) and an element of its expiry
 * heap. Every field is guarded by the stripe lock.
 *
 * <p>Layout with compressed oops: 12-byte header, {@code key}, {@code newer}, {@code older},
 * {@code value} (4 bytes each), {@code hash}, {@code heapIndex} (4 each), {@code deadlineNanos}
 * (8): 44 bytes, 48 with alignment (CacheFootprint prints it with JOL).
 */
final class Entry extends Keyed {

    /** The cached value, kept by reference. */
    byte[] value;

    /** Absolute deadline on the cache's time line (nanoseconds since its origin); {@code Long.MAX_VALUE} if none. */
    long deadlineNanos;

    /** Position in the stripe's expiry heap. */
    int heapIndex;

    Entry(byte[] key, int keyHash, byte[] value, long deadlineNanos) {
        this.key = key;
        this.hash = keyHash;
        this.value = value;
        this.deadlineNanos = deadlineNanos;
    }
}
