package io.respite.proxy.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design
 * ------
 * A map from binary keys to binary values, split into N stripes (N a power of two). A key goes to
 * stripe (spread(hash) >>> (32 - log2 N)), where hash is the polynomial hash of the key bytes and
 * spread multiplies by the golden ratio, so the stripe takes the well-mixed high bits and the
 * stripe's table (fastutil, which mixes again and takes low bits) sees independent ones. Each
 * stripe owns, under one ReentrantLock:
 *   - an open-addressing table (fastutil ObjectOpenCustomHashSet with a byte-content strategy) of
 *     Entry objects; the Entry is its own key, so a slot is one reference, and a lookup goes
 *     through the stripe's mutable Probe pointing at the caller's array region: no wrapper, no copy;
 *   - an intrusive doubly linked recency list (KeyedList, links in the entry), newest = most
 *     recently used; a hit or a write makes the entry the newest, eviction takes the oldest;
 *   - an indexed binary min-heap of entries by deadline (Entry.heapIndex), so any entry is removed
 *     in O(log n) and the sweeper finds the next expired entry in O(1);
 *   - a table of fills in flight (Flight, one per key, also in a KeyedList by start) and the
 *     stripe's budgets and counters.
 * Budgets are split evenly: each stripe holds at most floor(maxEntries / N) entries and
 * floor(maxBytes / N) bytes, so the per-stripe budgets add up to at most the global ones. An entry
 * is charged key.length + value.length + ENTRY_OVERHEAD_BYTES.
 *
 * The budgets and the default TTL can change at run time (resize, for a configuration reload):
 * each stripe takes its new share under its lock and evicts down to it at once, so invariant 5
 * holds again whenever the lock is free. The stripe count cannot change (it would rehash every
 * key), so a new entry budget must still give each stripe at least one entry. The per-entry
 * limit is min(the configured limit, the stripe's byte budget), recomputed with the budget, so an
 * entry that fits its stripe's bytes also fits the limit.
 *
 * Concurrency
 * -----------
 * Stripe.lock guards every field of the stripe and of its Entry, Flight and LoadToken objects;
 * each operation takes exactly one stripe lock (invalidateAll and stats take them one after the
 * other, never two at once), so there is no lock ordering to get wrong. Operations take a busy
 * stripe by spinning on tryLock, then yielding, and block in lock() only after both
 * (Stripe.acquire): critical sections are short, a parked waiter turns every release into an
 * unpark system call, and a blocked lock() allocates a queue node, which would break "no
 * allocation on a hit" under contention. The sweeper uses tryLock only and skips a busy stripe
 * until its next tick. Values are returned after the lock is released; they are immutable by
 * contract. stats() and size() sum the stripes one by one: each stripe's part is exact, the
 * total is eventually consistent under concurrent writes.
 *
 * Invariants (per stripe, whenever its lock is free; CacheInvariants in the tests checks each)
 *   1. An entry is in the table iff it is in the recency list iff it is in the heap; so
 *      table size == list length == heap size.
 *   2. The list is consistent both ways: newest.newer == null, oldest.older == null, and for
 *      every entry e, e.older.newer == e and e.newer.older == e where those neighbours exist.
 *   3. The heap is ordered (parent deadline <= child deadline) and heap[i].heapIndex == i.
 *   4. weightBytes == sum over entries of (key.length + value.length + ENTRY_OVERHEAD_BYTES).
 *   5. size <= maxEntriesPerStripe and weightBytes <= maxBytesPerStripe; no entry weighs more
 *      than the per-entry limit.
 *   6. Every flight in the in-flight table is not stale, has at least one outstanding token, is in
 *      the list of flights (consistent as in 2) and vice versa, and their number is at most the
 *      per-stripe in-flight limit.
 * Across stripes: size() and stats() totals equal the sums of the stripes. During a resize the
 * stripes change one after another: for that moment some hold the old budgets and some the new.
 *
 * Expiration
 * ----------
 * Deadlines live on the cache's own time line: ticker nanoseconds minus the ticker reading at
 * construction, so they compare with <= and no wrap-around arithmetic. An entry's deadline is
 * min(now + defaultTtl, explicit deadline) where each exists, else never (Long.MAX_VALUE, which
 * sorts last in the heap). A value whose deadline has already passed is not cached. Reads check
 * lazily: an expired entry found by get() is removed and reported as a miss. Without reads, the
 * sweeper (expireBatch, scheduled by CacheSweeper) pops at most k expired entries per stripe from
 * each heap per call: O(k log n) work per stripe and lock hold, never a scan. When a budget forces
 * an eviction, the least recently used entry goes; if it had expired it is counted as expired.
 *
 * Race-safe fills
 * ---------------
 * After a miss the caller takes a LoadToken (beginLoad), reads upstream, then completeLoad. The
 * token belongs to the key's Flight; invalidate, put and invalidateAll mark the flight stale and
 * forget it, and completing a stale token installs nothing (counted as a stale fill). A flight is
 * forgotten when its last token is completed or abandoned, and the per-stripe in-flight table is
 * bounded: beginning a fill on a full table stales the oldest flight. Tokens of one flight after
 * the first report isFirst() == false.
 *
 * Single-flight: a miss whose token is not the first of its flight may join the flight while the
 * first token is outstanding (join): its token is used up, and when the first completes (or is
 * abandoned) the waiters are told, on the completing thread, after the lock is released. Two reads
 * of one flight (a joined miss makes none, but a miss that could not join does, and an MGET's)
 * that bring different values may be older or newer than each other: the second one seen
 * (observe, or completeLoad) removes the entry and stales the flight, so a client never sees a
 * key's value go back in time through the cache.
 *
 * Complexity (n = entries of the stripe)
 *   get            O(1) expected (hash of the key, one probe, list move); O(log n) if it expires
 *   put            O(log n) (heap insert or fix; O(1) for entries without deadline) + evictions
 *   invalidate     O(log n)
 *   invalidateAll  O(n) per stripe
 *   beginLoad      O(1) expected + copy of the key
 *   completeLoad   as put;  abandonLoad O(1)
 *   expireBatch(k) O(k log n) per stripe
 *   size, stats    O(N stripes)
 *
 * References
 * ----------
 * Caffeine BoundedLocalCache and Node (guarded-by comments, the validation interceptor the tests
 * copy); Lettuce ClientSideCaching.get(), whose read-then-unconditional-put is the race the load
 * tokens close; java.util.PriorityQueue (sift loops).
 */

/**
 * The proxy's local cache: a lock-striped LRU from binary keys to binary values with an entry
 * budget, a byte budget, a per-entry size limit, time-to-live expiry and race-safe fills. See the
 * design comment at the top of the source file for locking, invariants and complexity.
 *
 * <p>Keys given to {@code get}, {@code invalidate} and {@code beginLoad} are only read during the
 * call. Keys and values given to {@code put} and values given to {@code completeLoad} are kept by
 * reference: callers must not mutate them afterwards. Returned values are the cached arrays
 * themselves and must not be mutated either.
 *
 * <p>Deadlines passed in are absolute times of the configured {@link Ticker} in nanoseconds, or
 * {@code 0} for "the default time-to-live only".
 *
 * <p>Configuration (see {@link Builder}):
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>maxEntries</td><td>{@value #DEFAULT_MAX_ENTRIES}</td><td>entries, split across stripes</td></tr>
 *   <tr><td>maxBytes</td><td>{@value #DEFAULT_MAX_BYTES}</td><td>charged bytes, split across stripes</td></tr>
 *   <tr><td>maxEntryBytes</td><td>{@value #DEFAULT_MAX_ENTRY_BYTES}</td><td>charged bytes above which
 *       a value is not cached (capped at the per-stripe byte budget)</td></tr>
 *   <tr><td>defaultTtlNanos</td><td>{@value #DEFAULT_TTL_NANOS}</td><td>expire-after-write; 0 = none</td></tr>
 *   <tr><td>stripes</td><td>from the core count</td><td>a power of two; by default the smallest
 *       power of two &gt;= 4 x cores, at most {@value #MAX_STRIPES}, halved while a stripe would get
 *       fewer than {@value #MIN_AUTO_ENTRIES_PER_STRIPE} entries or less than maxEntryBytes</td></tr>
 *   <tr><td>maxLoadsInFlight</td><td>{@value #DEFAULT_MAX_LOADS_IN_FLIGHT}</td><td>keys with a fill in
 *       flight, split across stripes; beyond it the oldest fill of the stripe turns stale</td></tr>
 *   <tr><td>ticker</td><td>{@link Ticker#SYSTEM}</td><td>the nanosecond clock</td></tr>
 * </table>
 *
 * <p>Over 400 lines, most of them the design block above and the contracts of the public
 * methods; the work is in {@link Stripe}.
 */
public final class StripedLruCache {

    /**
     * Bytes charged per entry on top of its key and value lengths. Accounted: the Entry object
     * (48 with compressed oops), two byte-array headers (16 each), their alignment padding (0 to 7
     * each, 7 on average for both), one table slot (4 bytes at a load factor between 3/8 and 3/4)
     * and one heap slot (4 bytes, the array between half and fully used). Measured with JOL
     * (CacheFootprint in the benchmarks module, 16-byte keys and 100-byte values, so 4 bytes of
     * padding): 96 to 98.5 bytes per entry for 4 096 to 100 000 entries, i.e. 99.5 to 102 with
     * average padding; 104 stays above that. Keys and values whose lengths are 1 modulo 8 pad 14
     * bytes and may cost up to about 109.
     */
    public static final int ENTRY_OVERHEAD_BYTES = 104;

    /** Default maximum number of entries. */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    /** Default maximum charged bytes (64 MiB). */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    /** Default maximum charged bytes of one entry (1 MiB); larger values pass through uncached. */
    public static final long DEFAULT_MAX_ENTRY_BYTES = 1L << 20;

    /** Default time-to-live in nanoseconds; 0 means entries expire only at an explicit deadline. */
    public static final long DEFAULT_TTL_NANOS = 0;

    /** Default maximum number of keys with a fill in flight. */
    public static final int DEFAULT_MAX_LOADS_IN_FLIGHT = 16_384;

    /** Largest stripe count the default chooses. */
    public static final int MAX_STRIPES = 256;

    /** Fewest entries per stripe the default stripe count leaves. */
    public static final int MIN_AUTO_ENTRIES_PER_STRIPE = 64;

    /** Multiplier of the golden-ratio spread that picks the stripe from a key hash. */
    private static final int SPREAD = 0x9E3779B9;

    private final Stripe[] stripes;
    private final int stripeShift;
    private final int stripeMask;
    private final Ticker ticker;
    private final long originNanos;
    /** The per-entry limit asked for; each stripe's is at most its byte budget too. */
    private final long maxEntryBytes;

    private StripedLruCache(Builder b, int stripeCount) {
        this.ticker = b.ticker;
        this.maxEntryBytes = b.maxEntryBytes;
        this.originNanos = ticker.readNanos();
        int bits = Integer.numberOfTrailingZeros(stripeCount);
        this.stripeShift = 32 - bits;
        this.stripeMask = stripeCount - 1;
        int entriesPerStripe = b.maxEntries / stripeCount;
        long bytesPerStripe = b.maxBytes / stripeCount;
        long entryBytes = Math.min(b.maxEntryBytes, bytesPerStripe);
        int flightsPerStripe = Math.max(1, b.maxLoadsInFlight / stripeCount);
        this.stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe(
                    ticker,
                    originNanos,
                    entriesPerStripe,
                    bytesPerStripe,
                    entryBytes,
                    b.defaultTtlNanos,
                    flightsPerStripe);
        }
    }

    /** Returns a builder with the defaults of the table above. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the cached value for {@code key}, or null; see {@link #get(byte[], int, int)}. */
    public byte @Nullable [] get(byte[] key) {
        return get(key, 0, key.length);
    }

    /**
     * Returns the value cached for the key {@code key[offset, offset + length)}, or null on a miss
     * (including an entry whose deadline has passed, which is removed). A hit makes the entry the
     * most recently used of its stripe. Allocates nothing, on a hit or a miss.
     */
    public byte @Nullable [] get(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        int h = Keyed.hash(key, offset, length);
        return stripeFor(h).get(key, offset, length, h);
    }

    /**
     * A {@link #get(byte[], int, int)} that, on a miss, also begins a fill of the key
     * ({@link #beginLoad(byte[], int, int)}), under one hold of the stripe's lock and one hash of
     * the key: the read path of a caching proxy, where every miss is followed by a fill. The
     * outcome goes into {@code result}: a hit's value, or on a miss the token to complete or
     * abandon. Allocates nothing on a hit. Later misses of the key may {@link #join} the fill.
     */
    public void lookup(byte[] key, int offset, int length, Lookup result) {
        lookup(key, offset, length, true, result);
    }

    /**
     * As {@link #lookup(byte[], int, int, Lookup)}; a fill begun by this miss is {@code joinable}
     * or not: a batch read whose reply differs from a single read's (MGET answers nil where GET
     * answers an error) must not stand in for the misses that would join it.
     */
    public void lookup(byte[] key, int offset, int length, boolean joinable, Lookup result) {
        Objects.checkFromIndexSize(offset, length, key.length);
        int h = Keyed.hash(key, offset, length);
        stripeFor(h).lookup(key, offset, length, h, joinable, result);
    }

    /**
     * Single-flight: turns a miss whose token is not the first of its key's flight
     * ({@link LoadToken#isFirst()} false: another read of the key is in flight) into a wait for that
     * read, while it is outstanding: {@code waiter} is told its outcome, and {@code token} is used
     * up (neither completed nor abandoned by the caller). Returns false when there is nothing to
     * join (the first read has ended or come back, a write made the flight stale, or the flight is
     * not joinable): the caller then reads the key itself with its token. Writes and invalidations
     * after the join make the flight stale as usual, so later misses begin a new one.
     */
    public boolean join(LoadToken token, FillWaiter waiter) {
        return token.stripe.join(token, waiter);
    }

    /**
     * The outcome of one {@link #lookup}: the value on a hit, or the load token on a miss. A
     * mutable holder, so that a lookup allocates nothing: one per thread, read before the next
     * lookup into it. Not thread-safe.
     */
    public static final class Lookup {

        private byte @Nullable [] hit;
        private @Nullable LoadToken token;

        void set(byte @Nullable [] hit, @Nullable LoadToken token) {
            this.hit = hit;
            this.token = token;
        }

        /** The cached value, or null on a miss. */
        public byte @Nullable [] hit() {
            return hit;
        }

        /** On a miss, the token the caller must complete or abandon; null on a hit. */
        public @Nullable LoadToken token() {
            return token;
        }
    }

    /** Caches {@code value} under {@code key} with the default time-to-live; see {@link #put(byte[], byte[], long)}. */
    public boolean put(byte[] key, byte[] value) {
        return put(key, value, 0);
    }

    /**
     * Caches {@code value} under {@code key} unconditionally, keeping both arrays by reference, and
     * makes any fill in flight for the key stale. The deadline is the earlier of now + default TTL
     * and {@code deadlineNanos} (absolute ticker time, 0 for none). A value that is too large or
     * already expired is not cached and removes the older entry for the key.
     *
     * @return whether the value was cached
     */
    public boolean put(byte[] key, byte[] value, long deadlineNanos) {
        Objects.requireNonNull(value, "value");
        int h = Keyed.hash(key, 0, key.length);
        return stripeFor(h).put(key, h, value, deadlineNanos);
    }

    /** Removes the entry for {@code key}; see {@link #invalidate(byte[], int, int)}. */
    public boolean invalidate(byte[] key) {
        return invalidate(key, 0, key.length);
    }

    /**
     * Removes the entry for the key region, if any, and makes any fill in flight for it stale.
     *
     * @return whether an entry was removed
     */
    public boolean invalidate(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        int h = Keyed.hash(key, offset, length);
        return stripeFor(h).invalidate(key, offset, length, h);
    }

    /** Removes every entry and makes every fill in flight stale, one stripe after another. */
    public void invalidateAll() {
        for (Stripe s : stripes) {
            s.invalidateAll();
        }
    }

    /**
     * Removes every entry whose cache key {@code doomed} accepts and makes the fills in flight for
     * such keys stale, one stripe after another under its lock; returns how many entries went.
     * Scans the whole cache: for rare events (a Redis Cluster slot changing owner).
     */
    public int invalidateIf(Predicate<byte[]> doomed) {
        int removed = 0;
        for (Stripe s : stripes) {
            removed += s.invalidateIf(doomed);
        }
        return removed;
    }

    /** Begins a fill of {@code key}; see {@link #beginLoad(byte[], int, int)}. */
    public LoadToken beginLoad(byte[] key) {
        return beginLoad(key, 0, key.length);
    }

    /**
     * Begins a fill of the key region after a miss; the key is copied. The token must be passed to
     * exactly one of {@link #completeLoad} or {@link #abandonLoad}. {@link LoadToken#isFirst()} tells
     * whether another fill of the key was already in flight (the coalescing hook).
     */
    public LoadToken beginLoad(byte[] key, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, key.length);
        int h = Keyed.hash(key, offset, length);
        return stripeFor(h).beginLoad(key, offset, length, h);
    }

    /**
     * Installs {@code value} (kept by reference) for the token's key, unless the token is stale;
     * a stale fill is counted and dropped. Deadline as for {@link #put(byte[], byte[], long)}.
     *
     * @return whether the value was cached
     * @throws IllegalStateException if the token was already completed or abandoned
     */
    public boolean completeLoad(LoadToken token, byte[] value, long deadlineNanos) {
        Objects.requireNonNull(value, "value");
        return token.stripe.completeLoad(token, value, deadlineNanos);
    }

    /**
     * A fill's read brought {@code value} and its client was answered with it, though it is not
     * cached yet (its deadline is still to come), or brought nothing cacheable ({@code null}). If
     * another read of the same flight brought a different value, either may be the older: the
     * flight is dropped, its entry too, and nothing of it is cached, so that no client is handed
     * the older value after the newer. Call before answering the client; a no-op for a used-up
     * token. The misses that joined a first token are handed {@code value} now (a null leaves them
     * waiting for the completion or abandonment).
     */
    public void observe(LoadToken token, byte @Nullable [] value) {
        token.stripe.observe(token, value);
    }

    /** Gives a token back without a value (an upstream error, say). Safe to repeat and after completion. */
    public void abandonLoad(LoadToken token) {
        token.stripe.abandonLoad(token, null);
    }

    /**
     * Gives a token back without caching anything, though its read brought a reply (one not to be
     * cached: an error, a value too large, a key about to expire): the misses that joined it are
     * handed {@code reply.get()} (called once, outside the lock, only if some joined; null tells
     * them it failed). Safe to repeat and after completion.
     */
    public void abandonLoad(LoadToken token, Supplier<byte @Nullable []> reply) {
        token.stripe.abandonLoad(token, reply);
    }

    /**
     * Removes up to {@code maxEntriesPerStripe} expired entries from each stripe, earliest deadline
     * first, reading the clock once. Takes each stripe lock with {@code tryLock} and skips a stripe
     * that is busy, so it never blocks; the skipped stripe is swept on the next call.
     *
     * @return the number of entries removed
     */
    public int expireBatch(int maxEntriesPerStripe) {
        if (maxEntriesPerStripe < 1) {
            throw new IllegalArgumentException("maxEntriesPerStripe: " + maxEntriesPerStripe + " (expected: >= 1)");
        }
        long nowNanos = ticker.readNanos() - originNanos;
        int removed = 0;
        for (Stripe s : stripes) {
            removed += s.expireBatch(maxEntriesPerStripe, nowNanos);
        }
        return removed;
    }

    /**
     * Takes new budgets and a new default TTL at run time, and evicts down to them at once (least
     * recently used first). A shorter TTL caps every entry's remaining life at the new TTL; a longer
     * one applies to values cached from now on. Stripe by stripe, one lock at a time.
     *
     * @throws IllegalArgumentException as {@link Builder#build()} for values it would refuse with
     *     this cache's stripe count, leaving the cache as it was
     */
    public void resize(int maxEntries, long maxBytes, long defaultTtlNanos) {
        int n = stripes.length;
        Builder.require(maxEntries >= n, "maxEntries", maxEntries, ">= stripes = " + n);
        Builder.require(
                maxBytes / n > ENTRY_OVERHEAD_BYTES,
                "maxBytes",
                maxBytes,
                "> stripes x " + ENTRY_OVERHEAD_BYTES + " = " + (long) n * ENTRY_OVERHEAD_BYTES);
        Builder.require(defaultTtlNanos >= 0, "defaultTtlNanos", defaultTtlNanos, ">= 0");
        long bytesPerStripe = maxBytes / n;
        for (Stripe s : stripes) {
            s.resize(maxEntries / n, bytesPerStripe, Math.min(maxEntryBytes, bytesPerStripe), defaultTtlNanos);
        }
    }

    /**
     * The cache keys ({@link DatabaseKeys}' prefix, then the key) of up to {@code n} entries, the
     * most recently used first: the i-th most recent entry of every stripe, then the (i+1)-th, and
     * so on. Keys spread evenly over the stripes, so this round robin approximates the global
     * recency order without a global list. The arrays are the cache's own: callers must not write
     * to them. Takes each stripe's lock once; for shutdown, not for the request path.
     */
    public List<byte[]> hottestKeys(int n) {
        List<List<byte[]>> perStripe = new ArrayList<>(stripes.length);
        int share = n;
        for (Stripe s : stripes) {
            List<byte[]> keys = new ArrayList<>();
            s.forNewest(share, keys::add);
            perStripe.add(keys);
        }
        List<byte[]> hottest = new ArrayList<>(Math.min(n, 1024));
        for (int rank = 0; hottest.size() < n; rank++) {
            boolean any = false;
            for (List<byte[]> keys : perStripe) {
                if (rank < keys.size() && hottest.size() < n) {
                    hottest.add(keys.get(rank));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return hottest;
    }

    /** The configured ticker's reading now: the time base of the deadlines this cache is given. */
    public long nowNanos() {
        return ticker.readNanos();
    }

    /** Returns the number of entries, summed over the stripes. */
    public long size() {
        return stats().entries();
    }

    /** A cached value's size: its cache key (database prefix, then the key) and the bytes it holds. */
    public static final class ValueSize {
        private final byte[] cacheKey;
        private final int bytes;

        ValueSize(byte[] cacheKey, int bytes) {
            this.cacheKey = cacheKey;
            this.bytes = bytes;
        }

        /** The cache key: {@link DatabaseKeys}'s prefix, then the key. The caller must not write to it. */
        public byte[] cacheKey() {
            return cacheKey;
        }

        public int bytes() {
            return bytes;
        }
    }

    /**
     * The {@code n} largest cached values, largest first. Scans every entry, one stripe at a time
     * under its lock: for a report asked every few seconds, not for the request path.
     */
    public List<ValueSize> largest(int n) {
        PriorityQueue<ValueSize> smallestFirst = new PriorityQueue<>(Comparator.comparingInt(ValueSize::bytes));
        for (Stripe stripe : stripes) {
            stripe.forEachEntry((key, bytes) -> {
                if (smallestFirst.size() < n) {
                    smallestFirst.add(new ValueSize(key, bytes));
                } else if (n > 0 && bytes > smallestFirst.peek().bytes()) {
                    smallestFirst.poll();
                    smallestFirst.add(new ValueSize(key, bytes));
                }
            });
        }
        List<ValueSize> largest = new ArrayList<>(smallestFirst);
        largest.sort(Comparator.comparingInt(ValueSize::bytes).reversed());
        return largest;
    }

    /** Returns a snapshot of the counters, summed over the stripes. */
    public CacheStats stats() {
        long[] sum = new long[12];
        for (Stripe s : stripes) {
            CacheStats c = s.snapshot();
            sum[0] += c.hits();
            sum[1] += c.misses();
            sum[2] += c.entries();
            sum[3] += c.weightBytes();
            sum[4] += c.evictedBySize();
            sum[5] += c.evictedByBytes();
            sum[6] += c.expired();
            sum[7] += c.invalidated();
            sum[8] += c.staleFillsDropped();
            sum[9] += c.rejected();
            sum[10] += c.loadsInFlight();
            sum[11] += c.coalesced();
        }
        return new CacheStats(
                sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7], sum[8], sum[9], sum[10], sum[11]);
    }

    /** The stripes, for the invariant checker in the tests. */
    Stripe[] stripes() {
        return stripes;
    }

    private Stripe stripeFor(int keyHash) {
        return stripes[((keyHash * SPREAD) >>> stripeShift) & stripeMask];
    }

    /** Options of a {@link StripedLruCache}; validated by {@link #build()}. Not thread-safe. */
    public static final class Builder {

        private int maxEntries = DEFAULT_MAX_ENTRIES;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private long maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
        private long defaultTtlNanos = DEFAULT_TTL_NANOS;
        private int stripes;
        private int maxLoadsInFlight = DEFAULT_MAX_LOADS_IN_FLIGHT;
        private Ticker ticker = Ticker.SYSTEM;

        private Builder() {}

        /** Maximum number of entries, at least the stripe count. */
        public Builder maxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
            return this;
        }

        /** Maximum charged bytes (key + value + {@link #ENTRY_OVERHEAD_BYTES} per entry). */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /** Charged bytes above which a value is not cached. */
        public Builder maxEntryBytes(long maxEntryBytes) {
            this.maxEntryBytes = maxEntryBytes;
            return this;
        }

        /** Expire-after-write in nanoseconds; 0 for none. */
        public Builder defaultTtlNanos(long defaultTtlNanos) {
            this.defaultTtlNanos = defaultTtlNanos;
            return this;
        }

        /** Stripe count, a power of two; 0 chooses from the core count. */
        public Builder stripes(int stripes) {
            this.stripes = stripes;
            return this;
        }

        /** Maximum number of keys with a fill in flight. */
        public Builder maxLoadsInFlight(int maxLoadsInFlight) {
            this.maxLoadsInFlight = maxLoadsInFlight;
            return this;
        }

        /** The nanosecond clock. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Validates the options and builds the cache. */
        public StripedLruCache build() {
            require(maxEntries >= 1, "maxEntries", maxEntries, ">= 1");
            require(maxEntryBytes > ENTRY_OVERHEAD_BYTES, "maxEntryBytes", maxEntryBytes, "> " + ENTRY_OVERHEAD_BYTES);
            require(defaultTtlNanos >= 0, "defaultTtlNanos", defaultTtlNanos, ">= 0");
            require(maxLoadsInFlight >= 1, "maxLoadsInFlight", maxLoadsInFlight, ">= 1");
            require(stripes >= 0 && Integer.bitCount(stripes) <= 1, "stripes", stripes, "0 or a power of two");
            int n = stripes != 0 ? stripes : defaultStripes();
            require(maxEntries >= n, "maxEntries", maxEntries, ">= stripes = " + n);
            require(
                    maxBytes / n > ENTRY_OVERHEAD_BYTES,
                    "maxBytes",
                    maxBytes,
                    "> stripes x " + ENTRY_OVERHEAD_BYTES + " = " + (long) n * ENTRY_OVERHEAD_BYTES);
            return new StripedLruCache(this, n);
        }

        private int defaultStripes() {
            int cores = Runtime.getRuntime().availableProcessors();
            int n = Math.min(MAX_STRIPES, Integer.highestOneBit(Math.max(1, 4 * cores - 1)) << 1);
            while (n > 1 && (maxEntries / n < MIN_AUTO_ENTRIES_PER_STRIPE || maxBytes / n < maxEntryBytes)) {
                n >>>= 1;
            }
            return n;
        }

        static void require(boolean ok, String name, long actual, String expected) {
            if (!ok) {
                throw new IllegalArgumentException(name + ": " + actual + " (expected: " + expected + ")");
            }
        }
    }
}
