package io.respite.proxy.cache;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * The namespaces a cache key's prefix ({@link DatabaseKeys}) names, and which of them have been
 * filled, so that an invalidation, which names a key but no database, can reach the key in each.
 *
 * <p>With one identity upstream a namespace is a database number, as it always was. With
 * {@code --auth passthrough} the cache is partitioned by Redis user: a namespace is then
 * {@code partition << 16 | command << 15 | database}, where {@code partition} (1 and up) stands for
 * a user and {@code command} is 1 for MGET's reads and 0 for GET's, since a user's ACL may allow
 * one and not the other; so no user is ever served what another (or another command) read. In
 * that mode every cached read is partitioned: no namespace without a partition is used.
 *
 * <p>Thread-safe: namespaces below 63 are bits of one {@code AtomicLong}, only ever OR-ed into,
 * so recording one already there costs a read; the others (databases above 62, and every user
 * partition) are a sorted array replaced on change, under this object's lock.
 */
public final class Namespaces {

    /** How far a user's partition number is shifted in a namespace, in bits. */
    public static final int PARTITION_SHIFT = 16;
    /** The bit of MGET's reads in a partitioned namespace. */
    public static final int MGET_BIT = 1 << 15;
    /** Highest database a partitioned namespace can hold; reads of higher ones are not cached. */
    public static final int MAX_PARTITIONED_DATABASE = MGET_BIT - 1;
    /** Highest user partition number, so that a namespace stays a positive int. */
    public static final int MAX_PARTITION = (1 << (31 - PARTITION_SHIFT)) - 1;

    /** Namespaces below this are bits of {@link #low}. */
    private static final int LOW_NAMESPACES = 63;

    private final AtomicLong low = new AtomicLong();
    /** Recorded namespaces of {@link #LOW_NAMESPACES} and above, sorted; replaced, never changed. */
    private volatile int[] high = new int[0];

    /**
     * The namespace of {@code database} for the user of {@code partition} (0: no partitioning, the
     * database itself), for GET's reads or MGET's ({@code mget}); -1 when it cannot be cached (a
     * partitioned database above {@link #MAX_PARTITIONED_DATABASE}, or no partition to be had).
     */
    public static int of(int partition, int database, boolean mget) {
        if (partition == 0) {
            return database;
        }
        if (partition < 0 || partition > MAX_PARTITION || database > MAX_PARTITIONED_DATABASE) {
            return -1;
        }
        return partition << PARTITION_SHIFT | (mget ? MGET_BIT : 0) | database;
    }

    /** The database of a partitioned namespace (one of {@link #of} with a partition above 0). */
    public static int partitionedDatabase(int namespace) {
        return namespace & MAX_PARTITIONED_DATABASE;
    }

    /** Records that {@code namespace} may hold entries: invalidations reach it from now. */
    public void record(int namespace) {
        if (namespace < LOW_NAMESPACES) {
            long bit = 1L << namespace;
            if ((low.get() & bit) == 0) {
                low.getAndUpdate(mask -> mask | bit);
            }
        } else if (Arrays.binarySearch(high, namespace) < 0) {
            addHigh(namespace);
        }
    }

    private synchronized void addHigh(int namespace) {
        int[] now = high;
        int at = Arrays.binarySearch(now, namespace);
        if (at >= 0) {
            return;
        }
        int insert = -at - 1;
        int[] next = new int[now.length + 1];
        System.arraycopy(now, 0, next, 0, insert);
        next[insert] = namespace;
        System.arraycopy(now, insert, next, insert + 1, now.length - insert);
        high = next;
    }

    /** Calls {@code each} with every namespace recorded, in increasing order. */
    public void forEach(IntConsumer each) {
        long mask = low.get();
        for (int namespace = 0; mask != 0 && namespace < LOW_NAMESPACES; namespace++) {
            if ((mask & (1L << namespace)) != 0) {
                each.accept(namespace);
            }
        }
        for (int namespace : high) {
            each.accept(namespace);
        }
    }
}
