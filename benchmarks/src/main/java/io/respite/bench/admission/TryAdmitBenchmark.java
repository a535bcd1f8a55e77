package io.respite.bench.admission;

import io.respite.proxy.admission.Admission;
import io.respite.proxy.admission.ClientAdmission;
import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.config.RateLimit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What does {@link ClientAdmission#tryAdmit()} cost every request, cache hits included: with no
 * limit, with a per-client limit, with a global limit (run with {@code -t 1} and {@code -t 2}:
 * the global bucket is one CAS that threads contend on). The limits are far above what the
 * benchmark reaches, so every call admits: this is the price of the check, not of a refusal.
 * Each thread is its own client, as each client connection is.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TryAdmitBenchmark -f 1 -wi 2 -i 3 -r 1s -t 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1)
public class TryAdmitBenchmark {

    /** A rate no thread reaches, with the largest burst: every request is admitted. */
    private static final RateLimit UNREACHED = new RateLimit(1_000_000_000L, 1_000_000_000L);

    @Param({"none", "client", "global"})
    public String limit;

    private Admission admission;

    @Setup
    public void setUp() {
        admission = new Admission(
                switch (limit) {
                    case "none" -> AdmissionOptions.NONE;
                    case "client" -> new AdmissionOptions(0, 0, UNREACHED, null);
                    case "global" -> new AdmissionOptions(0, 0, null, UNREACHED);
                    default -> throw new IllegalArgumentException("limit: " + limit);
                });
    }

    /** One client per thread. */
    @State(Scope.Thread)
    public static class Client {
        ClientAdmission admission;

        @Setup
        public void setUp(TryAdmitBenchmark benchmark) {
            admission = benchmark.admission.newClient();
        }
    }

    @Benchmark
    public long tryAdmit(Client client) {
        return client.admission.tryAdmit();
    }
}
