package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Misses that join the fill in flight, and fills of one flight that disagree. */
class SingleFlightTest {

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final StripedLruCache cache =
            invariants.track(StripedLruCache.builder().maxEntries(1000));
    private final byte[] key = "k".getBytes(StandardCharsets.US_ASCII);

    /** Records what a joined miss is told. */
    private static final class Waiter implements FillWaiter {
        final List<String> told = new ArrayList<>();

        @Override
        public void filled(byte[] value) {
            told.add(new String(value, StandardCharsets.US_ASCII));
        }

        @Override
        public void failed() {
            told.add("failed");
        }
    }

    /** A lookup; a miss behind a read in flight joins it with {@code joiner} when there is one. */
    private Outcome lookup(FillWaiter joiner) {
        StripedLruCache.Lookup lookup = new StripedLruCache.Lookup();
        cache.lookup(key, 0, key.length, lookup);
        LoadToken token = lookup.token();
        if (token != null && !token.isFirst() && joiner != null && cache.join(token, joiner)) {
            return new Outcome(null, true);
        }
        return new Outcome(token, false);
    }

    /** What a lookup came to: a token to fill with, or a join (no token). */
    private record Outcome(LoadToken token, boolean joined) {}

    @Test
    void missesJoinTheFirstFillAndAreToldItsValue() {
        Outcome first = lookup(new Waiter());
        assertNotNull(first.token());
        assertFalse(first.joined());
        Waiter a = new Waiter();
        Waiter b = new Waiter();
        assertTrue(lookup(a).joined());
        assertTrue(lookup(b).joined());
        Outcome third = lookup(a);
        assertNull(third.token(), "a joined miss gets no token");
        assertTrue(cache.completeLoad(first.token(), bytes("v"), 0));
        assertEquals(List.of("v", "v"), a.told, "a joined twice, and is told twice");
        assertEquals(List.of("v"), b.told);
        assertEquals(3, cache.stats().coalesced());
        assertArrayEquals(bytes("v"), cache.get(key));
    }

    @Test
    void anAbandonedFirstFillWithAReplyHandsItToTheWaiters() {
        Outcome first = lookup(null);
        Waiter waiter = new Waiter();
        assertTrue(lookup(waiter).joined());
        cache.abandonLoad(first.token(), () -> bytes("-ERR not cached"));
        assertEquals(List.of("-ERR not cached"), waiter.told);
        assertNull(cache.get(key));
    }

    @Test
    void twoReadsOfOneFlightThatDisagreeBeforeEitherIsCachedKeepNeither() {
        StripedLruCache.Lookup batch = new StripedLruCache.Lookup();
        cache.lookup(key, 0, key.length, false, batch);
        LoadToken older = batch.token();
        Outcome newer = lookup(new Waiter());
        assertNotNull(older);
        cache.observe(newer.token(), bytes("new"));
        cache.observe(older, bytes("old"));
        assertFalse(cache.completeLoad(older, bytes("old"), 0), "either may be the older");
        assertFalse(cache.completeLoad(newer.token(), bytes("new"), 0));
        assertNull(cache.get(key));
    }

    @Test
    void aReadOfOneFlightWithNothingCacheableKeepsTheOthersOut() {
        Outcome first = lookup(null);
        StripedLruCache.Lookup second = new StripedLruCache.Lookup();
        cache.lookup(key, 0, key.length, false, second);
        cache.observe(second.token(), null);
        cache.abandonLoad(second.token());
        assertFalse(cache.completeLoad(first.token(), bytes("v"), 0));
        assertNull(cache.get(key));
    }

    @Test
    void theWaitersGetTheFirstReadsValueAsSoonAsItIsSeen() {
        Outcome first = lookup(null);
        Waiter waiter = new Waiter();
        assertTrue(lookup(waiter).joined());
        cache.observe(first.token(), bytes("v"));
        assertEquals(List.of("v"), waiter.told, "before the fill completes");
        assertTrue(cache.completeLoad(first.token(), bytes("v"), 0));
        assertEquals(List.of("v"), waiter.told, "and told once");
    }

    @Test
    void noMissJoinsAFlightWhoseFirstReadCameBack() {
        Outcome first = lookup(null);
        cache.observe(first.token(), bytes("v"));
        Outcome late = lookup(new Waiter());
        assertFalse(late.joined(), "read before the miss was asked: the key may have expired since");
        cache.abandonLoad(late.token());
        cache.abandonLoad(first.token());
    }

    @Test
    void noMissJoinsAFlightOnceAnotherReadOfItWasSeen() {
        Outcome first = lookup(null);
        StripedLruCache.Lookup batch = new StripedLruCache.Lookup();
        cache.lookup(key, 0, key.length, false, batch);
        cache.observe(batch.token(), bytes("newer"));
        Outcome late = lookup(new Waiter());
        assertFalse(late.joined(), "the first read may be older than one a client already has");
        cache.abandonLoad(late.token());
        cache.abandonLoad(batch.token());
        cache.abandonLoad(first.token());
    }

    @Test
    void aStaleReadSeenFirstKeepsANewerFlightsOlderReadOut() {
        LoadToken stale = cache.beginLoad(key);
        cache.invalidate(key);
        LoadToken newer = cache.beginLoad(key);
        // The stale token's read ran last at Redis, but its reply comes first.
        cache.observe(stale, bytes("4510"));
        assertFalse(cache.completeLoad(newer, bytes("4508"), 0), "the newer flight's read may be the older");
        assertNull(cache.get(key));
        cache.abandonLoad(stale);
    }

    @Test
    void aReadThatAgreesWithTheOneSeenIsCached() {
        Outcome first = lookup(null);
        cache.observe(first.token(), bytes("v"));
        assertTrue(cache.completeLoad(first.token(), bytes("v"), 0));
        assertArrayEquals(bytes("v"), cache.get(key));
    }

    @Test
    void aFillBegunNotJoinableIsNotJoined() {
        StripedLruCache.Lookup batch = new StripedLruCache.Lookup();
        cache.lookup(key, 0, key.length, false, batch);
        LoadToken batchToken = batch.token();
        assertNotNull(batchToken);
        Outcome single = lookup(new Waiter());
        assertFalse(single.joined(), "a batch read does not stand in for a single one");
        assertNotNull(single.token());
        cache.abandonLoad(batchToken);
        cache.abandonLoad(single.token());
        assertEquals(0, cache.stats().coalesced());
    }

    @Test
    void anAbandonedFirstFillSendsTheWaitersToReadThemselves() {
        Outcome first = lookup(null);
        Waiter waiter = new Waiter();
        assertTrue(lookup(waiter).joined());
        cache.abandonLoad(first.token());
        assertEquals(List.of("failed"), waiter.told);
        assertNotNull(lookup(new Waiter()).token(), "the next miss leads a new flight");
    }

    @Test
    void aWriteAfterTheJoinStalesTheFlightButTheWaitersGetWhatTheyAskedBeforeIt() {
        Outcome first = lookup(null);
        Waiter before = new Waiter();
        assertTrue(lookup(before).joined());
        cache.invalidate(key);
        Waiter after = new Waiter();
        Outcome later = lookup(after);
        assertFalse(later.joined(), "a miss after the write does not join the stale flight");
        assertTrue(later.token().isFirst());
        assertFalse(cache.completeLoad(first.token(), bytes("old"), 0), "the stale fill is not kept");
        assertEquals(List.of("old"), before.told);
        assertEquals(List.of(), after.told);
        assertFalse(
                cache.completeLoad(later.token(), bytes("new"), 0),
                "the stale read, answered first, may have run after the later one");
        assertNull(cache.get(key));
    }

    @Test
    void noJoiningWithoutAWaiter() {
        Outcome first = lookup(null);
        Outcome second = lookup(null);
        assertNotNull(second.token());
        assertFalse(second.token().isFirst());
        cache.abandonLoad(first.token());
        cache.abandonLoad(second.token());
    }

    @Test
    void twoFillsOfOneFlightThatDisagreeKeepNeither() {
        Outcome first = lookup(null);
        Outcome second = lookup(null);
        assertTrue(cache.completeLoad(second.token(), bytes("20"), 0));
        assertFalse(cache.completeLoad(first.token(), bytes("19"), 0), "either may be older: neither is kept");
        assertNull(cache.get(key));
        long dropped = cache.stats().staleFillsDropped();
        Outcome third = lookup(null);
        Outcome fourth = lookup(null);
        assertTrue(cache.completeLoad(third.token(), bytes("21"), 0));
        assertTrue(cache.completeLoad(fourth.token(), bytes("21"), 0), "agreeing fills are fine");
        assertArrayEquals(bytes("21"), cache.get(key));
        assertEquals(dropped, cache.stats().staleFillsDropped());
    }

    @Test
    void concurrentMissesOnOneKeyMakeOneFill() throws InterruptedException {
        int threads = 8;
        AtomicInteger leaders = new AtomicInteger();
        AtomicInteger told = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch joined = new CountDownLatch(threads);
        List<Thread> all = new ArrayList<>();
        Outcome[] leader = new Outcome[1];
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                Outcome outcome = lookup(new FillWaiter() {
                    @Override
                    public void filled(byte[] value) {
                        told.incrementAndGet();
                    }

                    @Override
                    public void failed() {}
                });
                if (!outcome.joined()) {
                    leaders.incrementAndGet();
                    synchronized (leader) {
                        leader[0] = outcome;
                    }
                }
                joined.countDown();
            });
            all.add(thread);
            thread.start();
        }
        start.countDown();
        joined.await();
        assertEquals(1, leaders.get(), "one miss leads, the others join");
        synchronized (leader) {
            assertSame(leader[0].token(), leader[0].token());
            cache.completeLoad(leader[0].token(), bytes("v"), 0);
        }
        for (Thread thread : all) {
            thread.join();
        }
        assertEquals(threads - 1, told.get());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
