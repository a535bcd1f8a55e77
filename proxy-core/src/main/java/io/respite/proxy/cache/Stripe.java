package io.respite.proxy.cache;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import it.unimi.dsi.fastutil.objects.ObjectOpenCustomHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One stripe of a {@link StripedLruCache}: its hash table, recency list, expiry heap, in-flight
 * fills, budgets and counters, all guarded by {@link #lock}. The design and the invariants are
 * described on {@link StripedLruCache}; this class implements them for one stripe. Every method
 * that is not private takes the lock itself.
 *
 * <p>Over 400 lines because the table, the recency list, the expiry heap and the in-flight fills
 * share one lock and one set of invariants, each operation touching several of them under it.
 */
final class Stripe {

    /** Deadline of an entry that never expires. */
    static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * Times a contended operation retries {@code tryLock} with a spin hint before it starts to
     * yield. A stripe is held for well under a microsecond (bounded work per operation), so a
     * short spin usually wins it.
     */
    private static final int LOCK_SPINS = 64;

    /**
     * Times it then retries after {@link Thread#yield()} before it blocks in {@code lock()}.
     * Blocking is the last resort: a parked waiter makes every release unpark it (a system call)
     * while the running thread barges back in, a convoy that measured at less than half the
     * uncontended throughput with two threads on two cores; and {@code lock()} allocates a queue
     * node, which would break "no allocation on a hit" under contention.
     */
    private static final int LOCK_YIELDS = 1_000;

    /** Initial capacity of the tables and the heap of a stripe, in entries. */
    private static final int INITIAL_CAPACITY = 16;

    final ReentrantLock lock = new ReentrantLock();

    private final Ticker ticker;
    private final long originNanos;
    private final int maxFlights;

    // Budgets and TTL: changed at run time by resize, under the lock like everything they bound.
    @GuardedBy("lock")
    private int maxEntries;

    @GuardedBy("lock")
    private long maxBytes;

    @GuardedBy("lock")
    private long maxEntryBytes;

    @GuardedBy("lock")
    private long ttlNanos;

    /** Key to entry. */
    @GuardedBy("lock")
    final ObjectOpenCustomHashSet<Keyed> table = new ObjectOpenCustomHashSet<>(INITIAL_CAPACITY, Keyed.STRATEGY);
    /** Key to fill in flight. */
    @GuardedBy("lock")
    final ObjectOpenCustomHashSet<Keyed> flights = new ObjectOpenCustomHashSet<>(INITIAL_CAPACITY, Keyed.STRATEGY);

    @GuardedBy("lock")
    private final Probe probe = new Probe();

    /** Entries, most recently used newest; the oldest is the next victim. */
    @GuardedBy("lock")
    final KeyedList recency = new KeyedList();
    /** Binary min-heap of entries by deadline; {@code heap[i].heapIndex == i}. */
    @GuardedBy("lock")
    Entry[] heap = new Entry[INITIAL_CAPACITY];

    @GuardedBy("lock")
    int heapSize;
    /** Fills in flight by start; the oldest is dropped when there are too many. */
    @GuardedBy("lock")
    final KeyedList flightOrder = new KeyedList();
    /** Sum of {@link #weigh} over the entries. */
    @GuardedBy("lock")
    long weightBytes;

    // Counters.
    @GuardedBy("lock")
    private long hits;

    @GuardedBy("lock")
    private long misses;

    @GuardedBy("lock")
    private long evictedBySize;

    @GuardedBy("lock")
    private long evictedByBytes;

    @GuardedBy("lock")
    private long expired;

    @GuardedBy("lock")
    private long invalidated;

    @GuardedBy("lock")
    private long staleFillsDropped;

    @GuardedBy("lock")
    private long coalesced;

    @GuardedBy("lock")
    private long rejected;

    Stripe(
            Ticker ticker,
            long originNanos,
            int maxEntries,
            long maxBytes,
            long maxEntryBytes,
            long ttlNanos,
            int maxFlights) {
        this.ticker = ticker;
        this.originNanos = originNanos;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.maxEntryBytes = maxEntryBytes;
        this.ttlNanos = ttlNanos;
        this.maxFlights = maxFlights;
    }

    @GuardedBy("lock")
    int maxEntries() {
        return maxEntries;
    }

    @GuardedBy("lock")
    long maxBytes() {
        return maxBytes;
    }

    @GuardedBy("lock")
    long maxEntryBytes() {
        return maxEntryBytes;
    }

    int maxFlights() {
        return maxFlights;
    }

    /** Nanoseconds since the cache's origin: the time line of every deadline in the stripe. */
    long nowNanos() {
        return ticker.readNanos() - originNanos;
    }

    /** The bytes an entry is charged: key + value + the fixed per-entry overhead. */
    static long weigh(byte[] key, byte[] value) {
        return (long) key.length + value.length + StripedLruCache.ENTRY_OVERHEAD_BYTES;
    }

    // ---------------------------------------------------------------- operations (each takes the lock)

    byte @Nullable [] get(byte[] key, int offset, int length, int keyHash) {
        acquire();
        try {
            return getLocked(key, offset, length, keyHash);
        } finally {
            lock.unlock();
        }
    }

    /** A get, and on a miss the start of a fill, under one hold of the lock. */
    void lookup(byte[] key, int offset, int length, int keyHash, boolean joinable, StripedLruCache.Lookup result) {
        acquire();
        try {
            byte[] hit = getLocked(key, offset, length, keyHash);
            result.set(hit, hit == null ? beginLoadLocked(key, offset, length, keyHash, joinable) : null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Joins the fill in flight that {@code token} (not its flight's first) belongs to, while that
     * first token is outstanding: {@code waiter} will be told its outcome, and {@code token} is
     * used up. Returns false, leaving {@code token} as it was, when there is nothing to join.
     */
    boolean join(LoadToken token, FillWaiter waiter) {
        acquire();
        try {
            Flight f = token.flight;
            // Once a read of the flight has come back, a miss may no longer join it: that value was
            // read before the miss was asked (the key may have expired or changed since).
            if (token.done || token.isFirst() || f.stale || !f.joinable || !f.leaderOutstanding || f.seen != null) {
                return false;
            }
            f.addWaiter(waiter);
            release(token);
            coalesced++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private byte @Nullable [] getLocked(byte[] key, int offset, int length, int keyHash) {
        Entry e = (Entry) table.get(probe.set(key, offset, length, keyHash));
        probe.clear();
        if (e == null) {
            misses++;
            return null;
        }
        // Read the clock only for entries that can expire: a hit without TTL stays clock-free.
        if (e.deadlineNanos != NO_DEADLINE && e.deadlineNanos <= nowNanos()) {
            remove(e);
            expired++;
            misses++;
            return null;
        }
        recency.moveToNewest(e);
        hits++;
        return e.value;
    }

    boolean put(byte[] key, int keyHash, byte[] value, long deadlineNanos) {
        acquire();
        try {
            staleFlight(probe.set(key, 0, key.length, keyHash));
            probe.clear();
            return install(key, keyHash, value, deadlineNanos);
        } finally {
            lock.unlock();
        }
    }

    boolean invalidate(byte[] key, int offset, int length, int keyHash) {
        acquire();
        try {
            probe.set(key, offset, length, keyHash);
            staleFlight(probe);
            Entry e = (Entry) table.get(probe);
            probe.clear();
            if (e == null) {
                return false;
            }
            remove(e);
            invalidated++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void invalidateAll() {
        acquire();
        try {
            invalidated += table.size();
            table.clear();
            table.trim();
            Arrays.fill(heap, 0, heapSize, null);
            heapSize = 0;
            recency.clear();
            weightBytes = 0;
            for (Keyed f = flightOrder.newest; f != null; f = f.older) {
                ((Flight) f).stale = true;
            }
            flights.clear();
            flights.trim();
            flightOrder.clear();
        } finally {
            lock.unlock();
        }
    }

    LoadToken beginLoad(byte[] key, int offset, int length, int keyHash) {
        acquire();
        try {
            return beginLoadLocked(key, offset, length, keyHash, true);
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private LoadToken beginLoadLocked(byte[] key, int offset, int length, int keyHash, boolean joinable) {
        Flight f = (Flight) flights.get(probe.set(key, offset, length, keyHash));
        probe.clear();
        boolean first = f == null;
        if (first) {
            Keyed oldest = flightOrder.oldest;
            if (flights.size() >= maxFlights && oldest != null) {
                staleFlight((Flight) oldest);
            }
            f = new Flight(Arrays.copyOfRange(key, offset, offset + length), keyHash);
            f.leaderOutstanding = true;
            f.joinable = joinable;
            flights.add(f);
            flightOrder.addNewest(f);
        }
        f.outstanding++;
        return new LoadToken(this, f, first);
    }

    boolean completeLoad(LoadToken token, byte[] value, long deadlineNanos) {
        List<FillWaiter> waiters;
        boolean installed;
        acquire();
        try {
            if (token.done) {
                throw new IllegalStateException("token: completed or abandoned (expected: outstanding)");
            }
            Flight f = token.flight;
            if (!seenLocked(token, value)) {
                installed = false;
            } else if (f.stale) {
                staleFillsDropped++;
                installed = false;
            } else {
                installed = install(f.key, f.hash, value, deadlineNanos);
            }
            waiters = release(token);
        } finally {
            lock.unlock();
        }
        tellFilled(waiters, value);
        return installed;
    }

    void observe(LoadToken token, byte @Nullable [] value) {
        List<FillWaiter> waiters = null;
        acquire();
        try {
            if (!token.done) {
                seenLocked(token, value);
                if (value != null && token.isFirst()) {
                    // The misses that joined get the value now, not after the fill's PTTL.
                    waiters = token.flight.takeWaiters();
                }
            }
        } finally {
            lock.unlock();
        }
        if (value != null) {
            tellFilled(waiters, value);
        }
    }

    /** Tells the misses that joined a fill (if any) its value; outside the lock. */
    private static void tellFilled(@Nullable List<FillWaiter> waiters, byte[] value) {
        if (waiters != null) {
            for (FillWaiter waiter : waiters) {
                waiter.filled(value);
            }
        }
    }

    void abandonLoad(LoadToken token, @Nullable Supplier<byte @Nullable []> reply) {
        List<FillWaiter> waiters = null;
        acquire();
        try {
            if (!token.done) {
                waiters = release(token);
            }
        } finally {
            lock.unlock();
        }
        if (waiters == null) {
            return;
        }
        byte[] answer = reply == null ? null : reply.get();
        for (FillWaiter waiter : waiters) {
            if (answer == null) {
                waiter.failed();
            } else {
                waiter.filled(answer);
            }
        }
    }

    /**
     * Takes new budgets and a new default TTL, then evicts (least recently used first, counted as
     * any eviction) until the budgets hold. A shorter TTL also caps every entry's deadline at now
     * plus the new TTL, so no entry outlives it; min(deadline, cap) keeps the heap's order, since
     * it never reorders two deadlines, so no sift is needed. A longer TTL applies to later writes.
     */
    void resize(int newMaxEntries, long newMaxBytes, long newMaxEntryBytes, long newTtlNanos) {
        acquire();
        try {
            long now = nowNanos();
            boolean shorterTtl = newTtlNanos > 0 && (ttlNanos == 0 || newTtlNanos < ttlNanos);
            boolean shrinking = newMaxEntries < maxEntries || newMaxBytes < maxBytes;
            maxEntries = newMaxEntries;
            maxBytes = newMaxBytes;
            maxEntryBytes = newMaxEntryBytes;
            ttlNanos = newTtlNanos;
            if (shorterTtl) {
                long cap = saturatedAdd(now, newTtlNanos);
                for (int i = 0; i < heapSize; i++) {
                    heap[i].deadlineNanos = Math.min(heap[i].deadlineNanos, cap);
                }
            }
            enforceBudgets(now);
            if (shrinking) {
                // Give back the table and heap slots the smaller budget no longer needs.
                table.trim();
                heap = Arrays.copyOf(heap, Math.max(INITIAL_CAPACITY, Math.min(heap.length, heapSize * 2)));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Offers up to {@code limit} keys (the stripe's own arrays, never written again) from the most
     * recently used on, to {@code sink}, under the lock: for the warm-restart file, once at shutdown.
     */
    void forNewest(int limit, Consumer<byte[]> sink) {
        acquire();
        try {
            int n = 0;
            for (Keyed k = recency.newest; k != null && n < limit; k = k.older, n++) {
                sink.accept(((Entry) k).key);
            }
        } finally {
            lock.unlock();
        }
    }

    int expireBatch(int batchEntries, long nowNanos) {
        // tryLock: the sweeper runs on an event loop and must never wait for a busy stripe; a stripe
        // skipped now is swept on the next tick, and reads never return expired entries meanwhile.
        if (!lock.tryLock()) {
            return 0;
        }
        try {
            int n = 0;
            while (n < batchEntries && heapSize > 0 && heap[0].deadlineNanos <= nowNanos) {
                remove(heap[0]);
                expired++;
                n++;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    CacheStats snapshot() {
        acquire();
        try {
            return new CacheStats(
                    hits,
                    misses,
                    table.size(),
                    weightBytes,
                    evictedBySize,
                    evictedByBytes,
                    expired,
                    invalidated,
                    staleFillsDropped,
                    rejected,
                    flights.size(),
                    coalesced);
        } finally {
            lock.unlock();
        }
    }

    /** Takes {@link #lock}: when it is busy, spins, then yields, and blocks only after both. */
    @SuppressWarnings("ThreadPriorityCheck") // yielding to the holder is the point: see LOCK_YIELDS
    private void acquire() {
        if (lock.tryLock()) {
            return;
        }
        for (int i = 0; i < LOCK_SPINS; i++) {
            Thread.onSpinWait();
            if (lock.tryLock()) {
                return;
            }
        }
        for (int i = 0; i < LOCK_YIELDS; i++) {
            Thread.yield();
            if (lock.tryLock()) {
                return;
            }
        }
        lock.lock();
    }

    // ---------------------------------------------------------------- under the lock

    /**
     * Caches {@code value} under {@code key} (kept by reference), replacing any entry for the key,
     * then evicts until the budgets hold. A value that is too large or already expired is not
     * cached, and the entry it would have replaced is removed: it is older than the value.
     */
    @GuardedBy("lock")
    private boolean install(byte[] key, int keyHash, byte[] value, long explicitDeadlineNanos) {
        long now = nowNanos();
        long deadline = effectiveDeadline(now, explicitDeadlineNanos);
        Entry e = (Entry) table.get(probe.set(key, 0, key.length, keyHash));
        probe.clear();
        long weight = weigh(key, value);
        if (weight > maxEntryBytes || deadline <= now) {
            if (e != null) {
                remove(e);
                invalidated++;
            }
            rejected++;
            return false;
        }
        if (e == null) {
            e = new Entry(key, keyHash, value, deadline);
            table.add(e);
            recency.addNewest(e);
            heapAdd(e);
        } else {
            weightBytes -= weigh(e.key, e.value);
            e.value = value;
            e.deadlineNanos = deadline;
            heapFix(e);
            recency.moveToNewest(e);
        }
        weightBytes += weight;
        enforceBudgets(now);
        return true;
    }

    /** min(now + TTL, explicit) where each exists; {@link #NO_DEADLINE} when neither does. */
    @GuardedBy("lock")
    private long effectiveDeadline(long nowNanos, long explicitDeadlineNanos) {
        long deadline = ttlNanos > 0 ? saturatedAdd(nowNanos, ttlNanos) : NO_DEADLINE;
        return explicitDeadlineNanos != 0 ? Math.min(deadline, explicitDeadlineNanos - originNanos) : deadline;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? NO_DEADLINE : sum;
    }

    /** Evicts from the least recently used end until both budgets hold (invariant 5). */
    @GuardedBy("lock")
    private void enforceBudgets(long nowNanos) {
        while (table.size() > maxEntries || weightBytes > maxBytes) {
            // Over a budget, so the list holds at least one entry.
            Entry victim = (Entry) Objects.requireNonNull(recency.oldest);
            if (victim.deadlineNanos <= nowNanos) {
                expired++;
            } else if (table.size() > maxEntries) {
                evictedBySize++;
            } else {
                evictedByBytes++;
            }
            remove(victim);
        }
    }

    @GuardedBy("lock")
    private void remove(Entry e) {
        table.remove(e);
        recency.unlink(e);
        heapRemove(e);
        weightBytes -= weigh(e.key, e.value);
    }

    // Expiry heap: indexed binary min-heap on deadlineNanos.

    @GuardedBy("lock")
    private void heapAdd(Entry e) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, Math.min(heap.length * 2, maxEntries + 1));
        }
        heapSize++;
        siftUp(e, heapSize - 1);
    }

    @GuardedBy("lock")
    private void heapRemove(Entry e) {
        int i = e.heapIndex;
        Entry last = heap[--heapSize];
        heap[heapSize] = null;
        if (last != e) {
            siftDown(last, i);
            if (last.heapIndex == i) {
                siftUp(last, i);
            }
        }
        e.heapIndex = -1;
    }

    @GuardedBy("lock")
    private void heapFix(Entry e) {
        int i = e.heapIndex;
        siftDown(e, i);
        if (e.heapIndex == i) {
            siftUp(e, i);
        }
    }

    @GuardedBy("lock")
    private void siftUp(Entry e, int index) {
        int i = index;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Entry p = heap[parent];
            if (p.deadlineNanos <= e.deadlineNanos) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    @GuardedBy("lock")
    private void siftDown(Entry e, int index) {
        int i = index;
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Entry c = heap[child];
            int right = child + 1;
            if (right < heapSize && heap[right].deadlineNanos < c.deadlineNanos) {
                child = right;
                c = heap[child];
            }
            if (e.deadlineNanos <= c.deadlineNanos) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    // Fills in flight.

    /**
     * A read of the token's key brought {@code value} (null: nothing cacheable), which is being
     * handed to a client. If the key's entry, the value seen by its flight in the table, or the
     * value seen by the token's own flight differ from it, either may be the older: the entry goes,
     * the flights go stale, and false is returned. The token's flight may itself be stale (an
     * invalidation arrived while it was in flight) while its read, sent before, executed after a
     * newer flight's: what it brings must still evict what the newer flight cached, and is recorded
     * as seen by the newer flight, so that the newer flight's older read is not cached after it.
     */
    @GuardedBy("lock")
    private boolean seenLocked(LoadToken token, byte @Nullable [] value) {
        Flight f = token.flight;
        probe.set(f.key, 0, f.key.length, f.hash);
        Entry e = (Entry) table.get(probe);
        Flight current = (Flight) flights.get(probe);
        probe.clear();
        // A flight that is not stale and has a token outstanding is the one in the table: current
        // covers the token's own flight unless that went stale.
        boolean agrees = value != null
                && (e == null || Arrays.equals(e.value, value))
                && (current == null || current.seen == null || Arrays.equals(current.seen, value));
        if (!agrees) {
            if (e != null) {
                remove(e);
            }
            if (current != null) {
                // The token's flight, unless it went stale before.
                staleFlight(current);
            }
            f.stale = true;
            staleFillsDropped++;
            return false;
        }
        if (current != null) {
            // The key's flight now (the token's own, or a newer one if the token's went stale) must
            // not cache another value: a stale token's read may have run after the newer flight's.
            current.seen = value;
        }
        return true;
    }

    /** Makes the fill in flight for the probed key, if any, stale and forgets it. */
    @GuardedBy("lock")
    private void staleFlight(Probe key) {
        Flight f = (Flight) flights.get(key);
        if (f != null) {
            staleFlight(f);
        }
    }

    @GuardedBy("lock")
    private void staleFlight(Flight f) {
        f.stale = true;
        forgetFlight(f);
    }

    @GuardedBy("lock")
    private void forgetFlight(Flight f) {
        flights.remove(f);
        flightOrder.unlink(f);
    }

    /**
     * Marks the token used; forgets its flight once no token of it is outstanding. Returns the
     * misses that waited for it when it was the flight's first token, to be told outside the lock.
     */
    @GuardedBy("lock")
    private @Nullable List<FillWaiter> release(LoadToken token) {
        token.done = true;
        Flight f = token.flight;
        if (--f.outstanding == 0 && !f.stale) {
            forgetFlight(f);
        }
        if (!token.isFirst()) {
            return null;
        }
        f.leaderOutstanding = false;
        return f.takeWaiters();
    }

    /**
     * Removes the entries whose cache key {@code doomed} accepts and makes their fills in flight
     * stale, under the lock; returns how many entries went.
     */
    int invalidateIf(Predicate<byte[]> doomed) {
        acquire();
        try {
            List<Entry> matching = new ArrayList<>();
            for (Keyed k = recency.newest; k != null; k = k.older) {
                if (doomed.test(k.key)) {
                    matching.add((Entry) k);
                }
            }
            for (Entry e : matching) {
                remove(e);
            }
            List<Flight> stale = new ArrayList<>();
            for (Keyed f = flightOrder.newest; f != null; f = f.older) {
                if (doomed.test(f.key)) {
                    stale.add((Flight) f);
                }
            }
            for (Flight f : stale) {
                staleFlight(f);
            }
            invalidated += matching.size();
            return matching.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Offers each entry's key (the stripe's own array, never written again) and charged value
     * bytes to {@code sink}, under the lock: for reports that scan the cache, rarely.
     */
    void forEachEntry(BiConsumer<byte[], Integer> sink) {
        lock.lock();
        try {
            for (Keyed k = recency.newest; k != null; k = k.older) {
                Entry e = (Entry) k;
                sink.accept(e.key, e.value.length);
            }
        } finally {
            lock.unlock();
        }
    }
}
