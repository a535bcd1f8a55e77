package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The invariants of {@link StripedLruCache} (numbered as in its design comment), checked on every
 * cache a test tracks after the test ends, like Caffeine's {@code CacheValidationInterceptor}.
 * A cache test registers it with {@code @RegisterExtension} and builds its caches through
 * {@link #track}; the static checks are also callable mid-test.
 */
final class CacheInvariants implements AfterEachCallback {

    private final List<StripedLruCache> caches = new ArrayList<>();

    /** Returns {@code cache}, to be checked after the test. */
    StripedLruCache track(StripedLruCache cache) {
        caches.add(cache);
        return cache;
    }

    /** Builds and tracks a cache. */
    StripedLruCache track(StripedLruCache.Builder builder) {
        return track(builder.build());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            for (StripedLruCache cache : caches) {
                assertValid(cache);
                assertNothingExpiredAfterSweep(cache);
            }
        } finally {
            caches.clear();
        }
    }

    /**
     * Checks every invariant of every stripe, then that the totals are the sums of the stripes.
     * Reads only: the cache is left as it was.
     */
    static void assertValid(StripedLruCache cache) {
        long entries = 0;
        long bytes = 0;
        long flights = 0;
        for (Stripe s : cache.stripes()) {
            s.lock.lock();
            try {
                int n = s.table.size();
                assertEquals(n, checkList(s.recency), "invariant 1: list length == table size");
                assertEquals(n, s.heapSize, "invariant 1: heap size == table size");
                checkHeap(s.heap, s.heapSize);
                long weight = 0;
                for (Keyed k = s.recency.newest; k != null; k = k.older) {
                    Entry e = (Entry) k;
                    assertSame(e, s.table.get(e), "invariant 1: listed entry is in the table");
                    assertSame(e, s.heap[e.heapIndex], "invariant 1: listed entry is in the heap");
                    weight += Stripe.weigh(e.key, e.value);
                }
                assertEquals(weight, s.weightBytes, "invariant 4: weight == sum of entry weights");
                assertTrue(n <= s.maxEntries(), "invariant 5: entries " + n + " <= " + s.maxEntries());
                assertTrue(weight <= s.maxBytes(), "invariant 5: bytes " + weight + " <= " + s.maxBytes());
                assertEquals(
                        s.flights.size(), checkList(s.flightOrder), "invariant 6: flight list length == table size");
                for (Keyed k = s.flightOrder.newest; k != null; k = k.older) {
                    Flight f = (Flight) k;
                    assertFalse(f.stale, "invariant 6: a tracked flight is not stale");
                    assertTrue(f.outstanding > 0, "invariant 6: a tracked flight has outstanding tokens");
                    assertSame(f, s.flights.get(f), "invariant 6: a listed flight is in the table");
                }
                assertTrue(s.flights.size() <= s.maxFlights(), "invariant 6: flights <= " + s.maxFlights());
                entries += n;
                bytes += weight;
                flights += s.flights.size();
            } finally {
                s.lock.unlock();
            }
        }
        CacheStats stats = cache.stats();
        assertEquals(entries, stats.entries(), "totals: entries == sum over stripes");
        assertEquals(entries, cache.size(), "totals: size() == sum over stripes");
        assertEquals(bytes, stats.weightBytes(), "totals: bytes == sum over stripes");
        assertEquals(flights, stats.loadsInFlight(), "totals: flights == sum over stripes");
    }

    /** After an unbounded sweep at the current time, no entry left has a deadline at or before it. */
    static void assertNothingExpiredAfterSweep(StripedLruCache cache) {
        cache.expireBatch(Integer.MAX_VALUE);
        for (Stripe s : cache.stripes()) {
            s.lock.lock();
            try {
                long now = s.nowNanos();
                assertTrue(
                        s.heapSize == 0 || s.heap[0].deadlineNanos > now, "after a sweep at now no entry has expired");
            } finally {
                s.lock.unlock();
            }
        }
    }

    /** Invariant 2 (and 6 for flights): walks the list from the newest; returns its length. */
    static int checkList(KeyedList list) {
        int length = 0;
        Keyed last = null;
        for (Keyed e = list.newest; e != null; e = e.older) {
            assertSame(last, e.newer, "invariant 2: e.newer is the element before it");
            last = e;
            length++;
        }
        assertSame(last, list.oldest, "invariant 2: the walk ends at the oldest");
        return length;
    }

    /** Invariant 3: heap order and back-indices. */
    static void checkHeap(Entry[] heap, int size) {
        for (int i = 0; i < size; i++) {
            assertEquals(i, heap[i].heapIndex, "invariant 3: heap[i].heapIndex == i");
            if (i > 0) {
                Entry parent = heap[(i - 1) >>> 1];
                assertTrue(parent.deadlineNanos <= heap[i].deadlineNanos, "invariant 3: parent deadline <= child");
            }
        }
        for (int i = size; i < heap.length; i++) {
            assertNull(heap[i], "invariant 3: no entry beyond the heap size");
        }
    }
}
