package io.respite.bench.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.respite.proxy.cache.StripedLruCache;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How many lookups and writes per second does the cache sustain, against Caffeine at the same
 * maximum size? Zipf keys over a key space ten times the capacity ({@code capacity}); {@code readPercent} of the
 * operations are {@code get}, the rest unconditional {@code put} of a shared 100-byte value. The
 * cache is warmed by replaying the trace (get, put on a miss) so both start in steady state. Ours
 * gets an entry budget equal to Caffeine's maximum size and a byte budget that never binds.
 *
 * <p>Run (threads 1, 2 and 4 as separate runs; -prof gc for allocation per operation):
 * <pre>
 * make bench-jar      (from the repository root)
 * for t in 1 2 4; do java -jar benchmarks/target/benchmarks.jar CacheReadWriteBenchmark \
 *     -f 1 -wi 3 -w 1 -i 5 -r 1 -t $t -prof gc -rf json -rff /tmp/cache-rw-t$t.json; done
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CacheReadWriteBenchmark {

    /** Trace length, a power of two so the index wraps with a mask. */
    static final int TRACE_LENGTH = 1 << 22;

    /** Bytes of the value every put writes. */
    static final int VALUE_BYTES = 100;

    @Param({"respite", "caffeine"})
    String cache;

    /**
     * Maximum number of entries of both caches; the key space is ten times as many keys. At 4096
     * the working set stays in the CPU caches; at 65536 most operations miss them.
     */
    @Param({"4096", "65536"})
    int capacity;

    @Param({"100", "90", "50"})
    int readPercent;

    /** Stripes of ours; 0 = the cache's default (from the core count). Ignored for Caffeine. */
    @Param({"0"})
    int stripes;

    private int[] trace;
    private boolean[] isWrite;
    private BenchCache target;

    @Setup(Level.Trial)
    public void setUp() {
        ZipfKeys keys = new ZipfKeys(10 * capacity, TRACE_LENGTH, 1);
        trace = keys.trace;
        isWrite = new boolean[TRACE_LENGTH];
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < TRACE_LENGTH; i++) {
            isWrite[i] = random.nextInt(100) >= readPercent;
        }
        byte[] value = new byte[VALUE_BYTES];
        target = "respite".equals(cache)
                ? new Respite(capacity, stripes, keys.keys, value)
                : new CaffeineCache(capacity, keys.keys, value);
        for (int index : trace) {
            if (target.get(index) == null) {
                target.put(index);
            }
        }
    }

    /** Per thread: a private position in the shared trace, so threads do not walk it in step. */
    @State(Scope.Thread)
    public static class Cursor {
        int position;

        @Setup(Level.Trial)
        public void setUp() {
            position = new SplittableRandom(Thread.currentThread().getId()).nextInt(TRACE_LENGTH);
        }
    }

    @Benchmark
    public byte[] operation(Cursor cursor) {
        int i = cursor.position++ & (TRACE_LENGTH - 1);
        int index = trace[i];
        if (isWrite[i]) {
            target.put(index);
            return null;
        }
        return target.get(index);
    }

    /** The two caches behind one call site; each fork uses one, so the call is monomorphic. */
    interface BenchCache {
        byte[] get(int keyIndex);

        void put(int keyIndex);
    }

    static final class Respite implements BenchCache {
        private final StripedLruCache cache;
        private final byte[][] keys;
        private final byte[] value;

        Respite(int capacity, int stripes, byte[][] keys, byte[] value) {
            this.cache = StripedLruCache.builder()
                    .maxEntries(capacity)
                    .maxBytes(Long.MAX_VALUE / 2)
                    .stripes(stripes)
                    .build();
            this.keys = keys;
            this.value = value;
        }

        @Override
        public byte[] get(int keyIndex) {
            return cache.get(keys[keyIndex]);
        }

        @Override
        public void put(int keyIndex) {
            cache.put(keys[keyIndex], value);
        }
    }

    static final class CaffeineCache implements BenchCache {
        private final Cache<ByteKey, byte[]> cache;
        private final ByteKey[] keys;
        private final byte[] value;

        CaffeineCache(int capacity, byte[][] raw, byte[] value) {
            cache = Caffeine.newBuilder().maximumSize(capacity).build();
            keys = new ByteKey[raw.length];
            for (int i = 0; i < raw.length; i++) {
                keys[i] = new ByteKey(raw[i]);
            }
            this.value = value;
        }

        @Override
        public byte[] get(int keyIndex) {
            return cache.getIfPresent(keys[keyIndex]);
        }

        @Override
        public void put(int keyIndex) {
            cache.put(keys[keyIndex], value);
        }
    }
}
