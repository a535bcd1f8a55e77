package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Validation at build(), with the house error format, and the default stripe count. */
class BuilderTest {

    @RegisterExtension
    final CacheInvariants invariants = new CacheInvariants();

    private static String error(StripedLruCache.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void rejectsInvalidOptionsWithTheActualAndTheConstraint() {
        assertEquals(
                "stripes: 3 (expected: 0 or a power of two)",
                error(StripedLruCache.builder().stripes(3)));
        assertEquals(
                "maxEntries: 4 (expected: >= stripes = 8)",
                error(StripedLruCache.builder().stripes(8).maxEntries(4)));
        assertEquals(
                "defaultTtlNanos: -1 (expected: >= 0)",
                error(StripedLruCache.builder().defaultTtlNanos(-1)));
        assertEquals(
                "maxEntryBytes: 10 (expected: > " + StripedLruCache.ENTRY_OVERHEAD_BYTES + ")",
                error(StripedLruCache.builder().maxEntryBytes(10)));
        assertTrue(error(StripedLruCache.builder().stripes(2).maxBytes(100)).startsWith("maxBytes: 100 (expected: > "));
        assertThrows(
                IllegalArgumentException.class,
                () -> invariants.track(StripedLruCache.builder()).expireBatch(0));
    }

    @Test
    void defaultStripeCountIsAPowerOfTwoThatLeavesEachStripeEnoughEntries() {
        int stripes = invariants.track(StripedLruCache.builder()).stripes().length;
        assertEquals(1, Integer.bitCount(stripes));
        assertTrue(stripes >= Runtime.getRuntime().availableProcessors(), "stripes " + stripes);
        assertEquals(
                1, invariants.track(StripedLruCache.builder().maxEntries(100)).stripes().length);
    }
}
