package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Race-safe fills: tokens turn stale on invalidation and writes, stale fills install nothing. */
class LoadTokenTest {

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private final StripedLruCache cache = invariants.track(
            StripedLruCache.builder().stripes(2).maxEntries(100).maxLoadsInFlight(8));

    private static byte[] key(int i) {
        return ("key:" + i).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void fillInstallsWhenNothingIntervened() {
        LoadToken token = cache.beginLoad(key(1));
        byte[] value = {7};
        assertTrue(cache.completeLoad(token, value, 0));
        assertSame(value, cache.get(key(1)));
        assertEquals(0, cache.stats().loadsInFlight(), "a completed fill is forgotten");
    }

    @Test
    void invalidateDuringTheFillMakesItStale() {
        LoadToken token = cache.beginLoad(key(1));
        cache.invalidate(key(1));

        assertFalse(cache.completeLoad(token, new byte[] {1}, 0));
        assertNull(cache.get(key(1)), "the upstream read from before the invalidation must not be installed");
        assertEquals(1, cache.stats().staleFillsDropped());
        assertEquals(0, cache.stats().loadsInFlight());
    }

    @Test
    void putAndInvalidateAllAlsoStaleTokens() {
        LoadToken beforePut = cache.beginLoad(key(1));
        LoadToken beforeAll = cache.beginLoad(key(2));
        byte[] newer = {2};
        cache.put(key(1), newer);
        cache.invalidateAll();

        assertFalse(cache.completeLoad(beforePut, new byte[] {1}, 0));
        assertFalse(cache.completeLoad(beforeAll, new byte[] {1}, 0));
        assertNull(cache.get(key(1)));
        assertEquals(2, cache.stats().staleFillsDropped());
    }

    @Test
    void invalidatingAnotherKeyLeavesTheTokenValid() {
        LoadToken token = cache.beginLoad(key(1));
        cache.invalidate(key(2));
        assertTrue(cache.completeLoad(token, new byte[] {1}, 0));
    }

    @Test
    void aTokenTakenAfterTheInvalidationIsValid() {
        LoadToken stale = cache.beginLoad(key(1));
        cache.invalidate(key(1));
        LoadToken fresh = cache.beginLoad(key(1));

        assertTrue(fresh.isFirst(), "the stale flight no longer counts as in flight");
        assertTrue(cache.completeLoad(fresh, new byte[] {2}, 0));
        assertEquals(2, cache.get(key(1))[0]);
        assertFalse(cache.completeLoad(stale, new byte[] {2}, 0), "stale, though it agrees");
        assertEquals(2, cache.get(key(1))[0], "and agreeing, it leaves the fresh entry be");
    }

    @Test
    void aStaleFillThatDisagreesWithTheFreshEntryTakesItAlong() {
        LoadToken stale = cache.beginLoad(key(1));
        cache.invalidate(key(1));
        LoadToken fresh = cache.beginLoad(key(1));
        assertTrue(cache.completeLoad(fresh, new byte[] {2}, 0));
        // Sent before the invalidation, the stale read may still have run after the fresh one.
        assertFalse(cache.completeLoad(stale, new byte[] {3}, 0));
        assertNull(cache.get(key(1)), "either may be the older");
    }

    @Test
    void concurrentMissesSeeTheFillInFlight() {
        LoadToken first = cache.beginLoad(key(1));
        LoadToken second = cache.beginLoad(key(1));
        assertTrue(first.isFirst());
        assertFalse(second.isFirst());
        assertEquals(1, cache.stats().loadsInFlight(), "one flight for the key, two tokens");

        assertTrue(cache.completeLoad(first, new byte[] {1}, 0));
        assertEquals(1, cache.stats().loadsInFlight(), "the second token is still outstanding");
        cache.abandonLoad(second);
        assertEquals(0, cache.stats().loadsInFlight());
        assertTrue(cache.beginLoad(key(1)).isFirst());
    }

    @Test
    void tokensAreUsedOnce() {
        LoadToken token = cache.beginLoad(key(1));
        assertTrue(cache.completeLoad(token, new byte[] {1}, 0));
        cache.abandonLoad(token);
        assertThrows(IllegalStateException.class, () -> cache.completeLoad(token, new byte[] {2}, 0));
        assertEquals(1, cache.get(key(1))[0]);
    }

    @Test
    void abandonedTokensLeaveNothingBehind() {
        for (int i = 0; i < 1_000; i++) {
            cache.abandonLoad(cache.beginLoad(key(i)));
        }
        assertEquals(0, cache.stats().loadsInFlight());
        assertEquals(0, cache.stats().staleFillsDropped());
    }

    @Test
    void forgottenTokensAreBoundedAndTheOldestTurnsStale() {
        LoadToken oldest = cache.beginLoad(key(0));
        for (int i = 1; i < 1_000; i++) {
            cache.beginLoad(key(i));
        }
        assertTrue(
                cache.stats().loadsInFlight() <= 8, "in flight " + cache.stats().loadsInFlight());
        assertFalse(cache.completeLoad(oldest, new byte[] {1}, 0));
        assertEquals(1, cache.stats().staleFillsDropped());
    }
}
