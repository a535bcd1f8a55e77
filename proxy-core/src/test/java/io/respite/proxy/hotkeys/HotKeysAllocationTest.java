package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recording allocates nothing, for a monitored key and for a stream of new keys that replace
 * counters (16-byte keys, so replaced slots reuse their arrays), measured with the thread's
 * allocation counter after a warm-up. The bound, under 1 byte per read, leaves room for a stray
 * allocation by the JIT or the counter itself, not for one object per read.
 */
class HotKeysAllocationTest {

    private static final int KEYS = 100_000;
    private static final int WARMUP_ROUNDS = 20;
    private static final int MEASURED_READS = 200_000;

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    @Test
    void recordingAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Recorder recorder = invariants.track(
                HotKeys.builder().nanoClock(new FakeClock()).build().recorder(Runnable::run));
        byte[] scratch = new byte[16 * KEYS];
        for (int i = 0; i < KEYS; i++) {
            byte[] k = String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(k, 0, scratch, 16 * i, 16);
        }
        for (int r = 0; r < WARMUP_ROUNDS; r++) {
            reads(recorder, scratch, 0, KEYS);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        reads(recorder, scratch, 7, MEASURED_READS);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < MEASURED_READS, allocated + " bytes for " + MEASURED_READS + " reads");
    }

    /** Every other read is key 0 (monitored); the rest walk the key space (replacements). */
    private static void reads(Recorder recorder, byte[] scratch, int start, int n) {
        for (int i = 0; i < n; i++) {
            int k = i % 2 == 0 ? 0 : (start + i) % KEYS;
            recorder.record(scratch, 16 * k, 16);
        }
    }
}
