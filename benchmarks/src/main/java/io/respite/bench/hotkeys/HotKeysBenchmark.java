package io.respite.bench.hotkeys;

import io.respite.proxy.hotkeys.HotKeys;
import io.respite.proxy.hotkeys.Recorder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
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
 * How many nanoseconds does one {@code Recorder.record} add to a key read? 16-byte keys in one
 * scratch array, as the decoder leaves them; {@code keys}: {@code hot} reads one key (always
 * monitored: hash, map hit, increment), {@code uniform} reads keys drawn uniformly from 1,000,000
 * (nearly every read replaces the smallest counter: map remove and put, key copy, heap sift).
 * {@code clock}: {@code nanoTime} is the default clock, {@code constant} a clock that never moves,
 * to show what the clock read costs. One recorder per benchmark thread, as one per event loop.
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

    /** Distinct keys of the uniform workload. */
    static final int KEY_SPACE = 1_000_000;

    /** Bytes per key. */
    static final int KEY_BYTES = 16;

    /** Trace length, a power of two so the index wraps with a mask. */
    static final int TRACE_LENGTH = 1 << 20;

    @Param({"hot", "uniform"})
    String keys;

    @Param({"nanoTime", "constant"})
    String clock;

    private byte[] scratch;
    private int[] offsets;
    private int position;
    private Recorder recorder;

    @Setup(Level.Trial)
    public void setUp() {
        scratch = new byte[KEY_SPACE * KEY_BYTES];
        for (int i = 0; i < KEY_SPACE; i++) {
            byte[] k = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(k, 0, scratch, i * KEY_BYTES, KEY_BYTES);
        }
        offsets = new int[TRACE_LENGTH];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < TRACE_LENGTH; i++) {
            offsets[i] = "hot".equals(keys) ? 0 : random.nextInt(KEY_SPACE) * KEY_BYTES;
        }
        long start = System.nanoTime();
        LongSupplier nanoClock = "constant".equals(clock) ? () -> start : System::nanoTime;
        // A direct executor: the benchmark thread is the recorder's loop, and no report is taken.
        recorder = HotKeys.builder().nanoClock(nanoClock).build().recorder(Runnable::run);
    }

    @Benchmark
    public void record() {
        recorder.record(scratch, offsets[position++ & (TRACE_LENGTH - 1)], KEY_BYTES);
    }
}
