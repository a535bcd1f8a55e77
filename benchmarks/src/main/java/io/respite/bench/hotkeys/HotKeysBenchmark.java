package io.respite.bench.hotkeys;

import io.respite.bench.cache.ZipfKeys;
import io.respite.proxy.hotkeys.HotKeys;
import io.respite.proxy.hotkeys.Recorder;
import java.nio.charset.StandardCharsets;
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
 * How many nanoseconds does one {@code Recorder.record} add to a key read? 16-byte keys over a key
 * space of 1,000,000, written into one small buffer before each read, as the decoder leaves a key
 * in the bytes it has just read (a 16 MB array of all the keys would add a cache miss per read
 * that the proxy does not have); {@code keys}: {@code hot}
 * reads one key (always monitored: hash, map hit, increment), {@code uniform} draws keys uniformly
 * (nearly every read replaces the smallest counter: map remove and put, key copy, heap sift), and
 * {@code zipf} draws them with exponent {@value ZipfKeys#EXPONENT} (both paths, as a cache sees).
 * {@code clock}: {@code nanoTime} lets the recorder read its default clock, {@code stamp} passes a
 * reading the caller already has ({@code record(key, offset, length, nowNanos)}). The default
 * summary (256 counters, 6 sub-windows); one recorder per benchmark thread, as one per event loop.
 *
 * <p>Run:
 * <pre>
 * make bench-jar      (from the repository root)
 * java -jar benchmarks/target/benchmarks.jar HotKeysBenchmark -f 1 -wi 2 -i 3 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotKeysBenchmark {

    /** Distinct keys of the uniform and Zipf workloads. */
    static final int KEY_SPACE = 1_000_000;

    /** Trace length, a power of two so the index wraps with a mask. */
    static final int TRACE_LENGTH = 1 << 20;

    @Param({"hot", "uniform", "zipf"})
    String keys;

    @Param({"nanoTime", "stamp"})
    String clock;

    /** "key:" and 12 digits, as ZipfKeys writes them; the digits are rewritten before each read. */
    private final byte[] key = "key:000000000000".getBytes(StandardCharsets.US_ASCII);

    private int[] trace;
    private int position;
    private long stampNanos;
    private boolean stamped;
    private Recorder recorder;

    @Setup(Level.Trial)
    public void setUp() {
        int[] zipf = "zipf".equals(keys) ? new ZipfKeys(KEY_SPACE, TRACE_LENGTH, 1).trace : new int[0];
        trace = new int[TRACE_LENGTH];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < TRACE_LENGTH; i++) {
            trace[i] = switch (keys) {
                case "hot" -> 0;
                case "uniform" -> random.nextInt(KEY_SPACE);
                default -> zipf[i];
            };
        }
        // A direct executor: the benchmark thread is the recorder's loop, and no report is taken.
        recorder = HotKeys.builder().build().recorder(Runnable::run);
        stampNanos = System.nanoTime();
        stamped = "stamp".equals(clock);
    }

    @Benchmark
    public void record() {
        // Writing the digits costs the same in every workload; keys=hot shows the floor.
        int v = trace[position++ & (TRACE_LENGTH - 1)];
        for (int d = ZipfKeys.KEY_BYTES - 1; d >= 4; d--, v /= 10) {
            key[d] = (byte) ('0' + v % 10);
        }
        if (stamped) {
            recorder.record(key, 0, ZipfKeys.KEY_BYTES, stampNanos);
        } else {
            recorder.record(key, 0, ZipfKeys.KEY_BYTES);
        }
    }
}
