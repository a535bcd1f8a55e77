package io.respite.bench.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.respite.proxy.cache.StripedLruCache;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.GraphLayout;

/**
 * How much memory does a cached entry cost beyond its key and value bytes, ours against Caffeine
 * at the same maximum size? Not a JMH benchmark (nothing is timed): JOL walks the object graph
 * of each cache filled to its maximum size with distinct 16-byte keys and 100-byte values, and
 * reports (graph size full - graph size empty - sum of key and value lengths) / entries. So the
 * byte-array headers and padding count as overhead, for both caches alike. Caffeine runs its
 * maintenance on the caller ({@code executor(Runnable::run)}) so the graph holds no thread pool;
 * its layout is the same as with the default executor. Caffeine needs a key object with content
 * equality ({@link ByteKey}); its cost is reported separately.
 *
 * <p>Run:
 * <pre>
 * make bench-jar      (from the repository root)
 * java -Djdk.attach.allowAttachSelf=true -cp benchmarks/target/benchmarks.jar io.respite.bench.cache.CacheFootprint
 * </pre>
 */
public final class CacheFootprint {

    /** Value bytes of every entry. */
    static final int VALUE_BYTES = 100;

    private CacheFootprint() {}

    public static void main(String[] args) throws ClassNotFoundException {
        // The cache's node class is package-private; JOL reads its layout by name.
        System.out.println(ClassLayout.parseClass(Class.forName("io.respite.proxy.cache.Entry"))
                .toPrintable());
        System.out.println(ClassLayout.parseClass(ByteKey.class).toPrintable());
        System.out.println("entries  cache     bytes/entry beyond key+value  (of which key wrapper)");
        long wrapper = ClassLayout.parseClass(ByteKey.class).instanceSize();
        for (int entries : new int[] {1 << 12, 1 << 16, 100_000}) {
            byte[][] keys = new ZipfKeys(entries, 0, 1).keys;
            report(entries, "respite", measure(respite(entries, keys, 0), respite(entries, keys, entries)), 0);
            report(entries, "caffeine", measure(caffeine(entries, keys, 0), caffeine(entries, keys, entries)), wrapper);
        }
        System.out.println("respite charges ENTRY_OVERHEAD_BYTES = " + StripedLruCache.ENTRY_OVERHEAD_BYTES);
    }

    /**
     * Graph bytes of a full cache minus an empty one minus the payload, per entry held. Each
     * argument is {graph bytes, entries held}.
     */
    private static double measure(long[] empty, long[] full) {
        long entries = full[1];
        long payload = entries * (ZipfKeys.KEY_BYTES + VALUE_BYTES);
        return (double) (full[0] - empty[0] - payload) / entries;
    }

    private static void report(int maxEntries, String cache, double perEntry, long wrapper) {
        System.out.printf("%7d  %-8s  %6.1f                        (%d)%n", maxEntries, cache, perEntry, wrapper);
    }

    /**
     * Puts {@code fill} entries into a cache of {@code maxEntries}; returns {graph bytes, entries
     * held}. Ours holds a little less than its maximum when full: each stripe has a fixed share
     * and keys do not spread exactly evenly.
     */
    private static long[] respite(int maxEntries, byte[][] keys, int fill) {
        StripedLruCache cache = StripedLruCache.builder()
                .maxEntries(maxEntries)
                .maxBytes(Long.MAX_VALUE / 2)
                .build();
        for (int i = 0; i < fill; i++) {
            cache.put(keys[i], new byte[VALUE_BYTES]);
        }
        return new long[] {GraphLayout.parseInstance(cache).totalSize(), cache.size()};
    }

    private static long[] caffeine(int maxEntries, byte[][] keys, int fill) {
        Cache<ByteKey, byte[]> cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .executor(Runnable::run)
                .build();
        for (int i = 0; i < fill; i++) {
            cache.put(new ByteKey(keys[i]), new byte[VALUE_BYTES]);
        }
        cache.cleanUp();
        return new long[] {GraphLayout.parseInstance(cache).totalSize(), cache.estimatedSize()};
    }
}
