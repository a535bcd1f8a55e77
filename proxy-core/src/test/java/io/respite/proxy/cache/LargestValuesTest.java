package io.respite.proxy.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StripedLruCache#largest}: the largest values of every stripe, largest first; database keys read back. */
class LargestValuesTest {

    @Test
    void theLargestValuesOfEveryStripeLargestFirst() {
        StripedLruCache cache =
                StripedLruCache.builder().stripes(4).maxEntries(1000).build();
        for (int i = 0; i < 100; i++) {
            cache.put(cacheKey(i % 3 == 0 ? 300 : 0, "k" + i), new byte[i]);
        }
        List<StripedLruCache.ValueSize> largest = cache.largest(3);
        assertEquals(
                List.of(99, 98, 97),
                largest.stream().map(StripedLruCache.ValueSize::bytes).toList());
        byte[] first = largest.get(0).cacheKey();
        assertEquals(300, DatabaseKeys.database(first), "k99 is in database 300: a five-byte prefix");
        int prefix = DatabaseKeys.prefixLength(first);
        assertEquals(5, prefix);
        assertEquals("k99", new String(first, prefix, first.length - prefix, StandardCharsets.US_ASCII));
        assertEquals(0, DatabaseKeys.database(largest.get(1).cacheKey()));
        assertEquals(1, DatabaseKeys.prefixLength(largest.get(1).cacheKey()));
        assertEquals(List.of(), cache.largest(0));
        assertEquals(100, cache.largest(500).size());
    }

    private static byte[] cacheKey(int database, String key) {
        byte[] out = new byte[DatabaseKeys.MAX_PREFIX_BYTES + key.length()];
        int at = DatabaseKeys.writePrefix(database, out);
        byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return Arrays.copyOf(out, at + bytes.length);
    }
}
