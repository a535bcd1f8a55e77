package io.respite.proxy.hotkeys;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/*
 * Design
 * ------
 * Each event loop counts its own key reads in a Recorder: a ring of subWindows Space-Saving
 * summaries (SpaceSaving, capacity counters each), one per sub-window of subWindowNanos. Sub-windows
 * are numbered from the clock reading at construction (epoch = (now - origin) / subWindowNanos), the
 * same for every recorder, so the recorders' windows line up. A read goes to the current sub-window;
 * the window is the current sub-window plus the subWindows - 1 before it, i.e. the last
 * (subWindows - 1) x subWindowNanos to subWindows x subWindowNanos. Memory per recorder is fixed at
 * construction: subWindows x capacity counters plus at most maxKeyBytes of key copy per counter, for
 * any number of distinct keys.
 *
 * A report (top) takes a snapshot of every recorder on its own loop and merges the frozen summaries.
 * For summary s with smallest counter m_s (0 if not full) a key's reads in s are within
 * [count_s - error_s, count_s] if s monitors it, else within [0, m_s]. Summing over the summaries:
 *   count = sum(count_s where monitored) + sum(m_s where not)
 *   error = sum(error_s where monitored) + sum(m_s where not)
 * so count - error <= true reads <= count still holds for the merged key (mergeable summaries,
 * Agarwal et al. 2012). Keys rank by count, then by count - error.
 *
 * Concurrency
 * -----------
 * A Recorder and its summaries are confined to one thread, the one that runs its executor (an event
 * loop): record() has no lock, atomic, volatile nor allocation in the common case. Rotation is lazy:
 * record() compares the clock (or the caller's reading of it) with the next sub-window boundary,
 * and snapshot() rotates first, so an idle loop's old counts vanish from reports too. The only
 * cross-thread steps are (1) recorder(), which publishes the new recorder through a
 * CopyOnWriteArrayList, and (2) top(), which submits snapshot() to each recorder's executor and
 * receives immutable copies through CompletableFutures (their completion orders the copy before the
 * merge). The merge runs on whichever loop answers
 * last: a few thousand counters, a few times a minute.
 *
 * Invariants (per summary; HotKeysInvariants in the tests checks each)
 *   1. size <= capacity; slotOfHash has exactly size entries, and slotOfHash[hashes[s]] == s for
 *      every slot s < size.
 *   2. The heap holds slots 0..size-1 once each, heapIndex[heap[i]] == i, and it is ordered
 *      (count of a parent <= count of its children).
 *   3. reads == sum of counts, and 0 <= error < count for every slot; error <= minCount.
 *   4. Every key array holds at most maxKeyBytes; the summary retains at most capacity x maxKeyBytes.
 * Per recorder: every ring slot holds a sub-window of the window (epoch - subWindows, epoch], or
 * none and is empty; the current summary is the one of epoch.
 *
 * References
 * ----------
 * Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k Elements in Data
 * Streams" (ICDT 2005); Agarwal et al., "Mergeable Summaries" (PODS 2012); camellia's hot-key
 * monitor, which reports per-proxy top keys over a time window.
 */

/**
 * The hot-keys tracker: the keys read most over a sliding window, across event loops, with
 * Space-Saving's error bounds, in bounded memory. Make one, give each event loop its own
 * {@link #recorder(Executor)}, call {@link Recorder#record} on that loop for every key read, and
 * ask {@link #top(int)} from any thread. See the design comment at the top of the source file.
 *
 * <p>Configuration (see {@link Builder}):
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>capacity</td><td>{@value #DEFAULT_CAPACITY}</td><td>counters per sub-window per loop</td></tr>
 *   <tr><td>subWindows</td><td>{@value #DEFAULT_SUB_WINDOWS}</td><td>sub-windows in the window</td></tr>
 *   <tr><td>subWindowNanos</td><td>{@value #DEFAULT_SUB_WINDOW_NANOS}</td><td>length of a sub-window</td></tr>
 *   <tr><td>maxKeyBytes</td><td>{@value #DEFAULT_MAX_KEY_BYTES}</td><td>key bytes kept per counter;
 *       longer keys are counted whole and reported truncated</td></tr>
 *   <tr><td>nanoClock</td><td>{@link System#nanoTime()}</td><td>the clock; never goes backwards; the
 *       readings callers pass to {@link Recorder#record(byte[], int, int, long)} come from it</td></tr>
 * </table>
 *
 * <p>Thread-safe: {@link #recorder} and {@link #top} may be called from any thread.
 */
public final class HotKeys {

    /** Default counters per sub-window per recorder: comfortably more than the 20 reported. */
    public static final int DEFAULT_CAPACITY = 256;

    /** Default number of sub-windows: with 10 s each, a window of 50 to 60 s. */
    public static final int DEFAULT_SUB_WINDOWS = 6;

    /** Default length of a sub-window in nanoseconds (10 s). */
    public static final long DEFAULT_SUB_WINDOW_NANOS = 10_000_000_000L;

    /** Default bytes of a key kept for the report, per counter. */
    public static final int DEFAULT_MAX_KEY_BYTES = 128;

    /** Largest capacity accepted, in counters per sub-window. */
    public static final int MAX_CAPACITY = 1 << 16;

    /** Largest number of sub-windows accepted. */
    public static final int MAX_SUB_WINDOWS = 1 << 10;

    /** Largest maxKeyBytes accepted, in bytes. */
    public static final int MAX_MAX_KEY_BYTES = 1 << 16;

    final int capacity;
    final int subWindows;
    final long subWindowNanos;
    final int maxKeyBytes;
    final LongSupplier nanoClock;
    final long originNanos;
    private final List<Recorder> recorders = new CopyOnWriteArrayList<>();

    private HotKeys(Builder b) {
        this.capacity = b.capacity;
        this.subWindows = b.subWindows;
        this.subWindowNanos = b.subWindowNanos;
        this.maxKeyBytes = b.maxKeyBytes;
        this.nanoClock = b.nanoClock;
        this.originNanos = nanoClock.getAsLong();
    }

    /** Returns a builder with the defaults of the table above. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes the recorder of one event loop. {@code thread} must run its tasks one at a time on the
     * single thread that will call {@link Recorder#record} (a Netty {@code EventLoop} does), and run
     * them for as long as this tracker is asked for reports. Call once per loop, at setup, and hand
     * the recorder to code on that loop safely: make it on the loop, or pass it through a task.
     */
    public Recorder recorder(Executor thread) {
        Recorder r = new Recorder(this, Objects.requireNonNull(thread, "thread"));
        recorders.add(r);
        return r;
    }

    /**
     * The {@code n} keys read most over the window across all recorders, most read first. Snapshots
     * each recorder on its own thread, so the future completes once every loop has run that task
     * (fails if an executor rejects it); callers that must not wait forever on a stuck loop add
     * {@code orTimeout}.
     */
    public CompletableFuture<List<HotKey>> top(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
        }
        List<CompletableFuture<List<SpaceSaving.Frozen>>> snapshots = new ArrayList<>();
        try {
            for (Recorder r : recorders) {
                snapshots.add(CompletableFuture.supplyAsync(r::snapshot, r.thread));
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.allOf(snapshots.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> {
                    List<SpaceSaving.Frozen> parts = new ArrayList<>();
                    for (CompletableFuture<List<SpaceSaving.Frozen>> s : snapshots) {
                        parts.addAll(s.join());
                    }
                    return merge(parts, n);
                });
    }

    /** Merges frozen summaries as the design comment describes; returns the top {@code n}. */
    static List<HotKey> merge(List<SpaceSaving.Frozen> parts, int n) {
        long totalMin = 0;
        for (SpaceSaving.Frozen p : parts) {
            totalMin += p.minCount;
        }
        // Each candidate accumulates (count_s - m_s) and (error_s - m_s) where monitored, so that
        // adding totalMin afterwards counts m_s for every summary that does not monitor it.
        Long2ObjectOpenHashMap<Candidate> byHash = new Long2ObjectOpenHashMap<>();
        for (SpaceSaving.Frozen p : parts) {
            for (int i = 0; i < p.hashes.length; i++) {
                Candidate c = byHash.get(p.hashes[i]);
                if (c == null) {
                    c = new Candidate(p.keys[i], p.keyLengths[i]);
                    byHash.put(p.hashes[i], c);
                }
                c.count += p.counts[i] - p.minCount;
                c.error += p.errors[i] - p.minCount;
            }
        }
        List<HotKey> all = new ArrayList<>(byHash.size());
        for (Candidate c : byHash.values()) {
            all.add(new HotKey(c.key, c.keyLength, totalMin + c.count, totalMin + c.error));
        }
        all.sort(Comparator.comparingLong(HotKey::count)
                .thenComparingLong(k -> k.count() - k.error())
                .reversed());
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /** A key seen by the merge, with its sums over the summaries that monitor it. */
    private static final class Candidate {
        final byte[] key;
        final int keyLength;
        long count;
        long error;

        Candidate(byte[] key, int keyLength) {
            this.key = key;
            this.keyLength = keyLength;
        }
    }

    /** Options of a {@link HotKeys}; validated by {@link #build()}. Not thread-safe. */
    public static final class Builder {

        private int capacity = DEFAULT_CAPACITY;
        private int subWindows = DEFAULT_SUB_WINDOWS;
        private long subWindowNanos = DEFAULT_SUB_WINDOW_NANOS;
        private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {}

        /** Counters per sub-window per recorder. */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Number of sub-windows in the window. */
        public Builder subWindows(int subWindows) {
            this.subWindows = subWindows;
            return this;
        }

        /** Length of one sub-window. */
        public Builder subWindow(Duration subWindow) {
            this.subWindowNanos = subWindow.toNanos();
            return this;
        }

        /** Bytes of each key kept for the report. */
        public Builder maxKeyBytes(int maxKeyBytes) {
            this.maxKeyBytes = maxKeyBytes;
            return this;
        }

        /** The nanosecond clock, as {@link System#nanoTime()}: only differences matter. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** Validates the options and builds the tracker. */
        public HotKeys build() {
            require(capacity >= 1 && capacity <= MAX_CAPACITY, "capacity", capacity, "1 to " + MAX_CAPACITY);
            require(
                    subWindows >= 1 && subWindows <= MAX_SUB_WINDOWS,
                    "subWindows",
                    subWindows,
                    "1 to " + MAX_SUB_WINDOWS);
            require(subWindowNanos >= 1, "subWindowNanos", subWindowNanos, ">= 1");
            require(
                    maxKeyBytes >= 1 && maxKeyBytes <= MAX_MAX_KEY_BYTES,
                    "maxKeyBytes",
                    maxKeyBytes,
                    "1 to " + MAX_MAX_KEY_BYTES);
            return new HotKeys(this);
        }

        private static void require(boolean ok, String name, long actual, String expected) {
            if (!ok) {
                throw new IllegalArgumentException(name + ": " + actual + " (expected: " + expected + ")");
            }
        }
    }
}
