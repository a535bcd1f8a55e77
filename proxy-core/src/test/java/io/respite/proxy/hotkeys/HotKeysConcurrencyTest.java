package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three single-thread executors stand for event loops: each records batches of reads into its own
 * recorder (a quarter of them one shared hot key) and resubmits itself, for a bounded time, while
 * the test thread asks for reports through {@link HotKeys#top} and moves the clock, so snapshots
 * and rotations interleave with records as on a running proxy. No worker may fail; every report
 * must be sorted, bounded by the reads recorded so far and, once it means anything, led by the hot
 * key; the invariants hold at the end.
 */
class HotKeysConcurrencyTest {

    private static final int LOOPS = 3;
    private static final int BATCH = 1_000;
    private static final long RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    private static final Duration SUB_WINDOW = Duration.ofSeconds(10);
    private static final byte[] HOT = "the-hot-key".getBytes(StandardCharsets.US_ASCII);

    @RegisterExtension
    final HotKeysInvariants invariants = new HotKeysInvariants();

    @Test
    void reportsWhileLoopsRecord() throws Exception {
        FakeClock clock = new FakeClock();
        HotKeys hotKeys =
                HotKeys.builder().subWindow(SUB_WINDOW).nanoClock(clock).build();
        AtomicLong recorded = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(LOOPS);
        long deadline = System.nanoTime() + RUN_NANOS;
        List<ExecutorService> loops = new ArrayList<>();
        try {
            for (int i = 0; i < LOOPS; i++) {
                ExecutorService loop = Executors.newSingleThreadExecutor();
                loops.add(loop);
                Recorder recorder = invariants.track(hotKeys.recorder(loop));
                loop.execute(new Batch(i, recorder, loop, deadline, recorded, failure, stopped));
            }
            int reports = 0;
            while (stopped.getCount() > 0) {
                List<HotKey> top = hotKeys.top(20).get(10, TimeUnit.SECONDS);
                checkReport(top, recorded.get());
                if (++reports % 5 == 0) {
                    clock.advance(SUB_WINDOW);
                }
            }
            assertTrue(stopped.await(10, TimeUnit.SECONDS));
            if (failure.get() != null) {
                throw new AssertionError("a loop failed", failure.get());
            }
            List<HotKey> last = hotKeys.top(20).get(10, TimeUnit.SECONDS);
            checkReport(last, recorded.get());
            assertArrayEquals(HOT, last.get(0).key());
            assertTrue(reports >= 20, "too few reports to mean anything: " + reports);
            assertTrue(recorded.get() >= 100_000, "too few reads to mean anything: " + recorded.get());
        } finally {
            for (ExecutorService loop : loops) {
                loop.shutdown();
                assertTrue(loop.awaitTermination(10, TimeUnit.SECONDS));
            }
        }
    }

    private static void checkReport(List<HotKey> top, long recordedBefore) {
        for (int i = 0; i < top.size(); i++) {
            HotKey k = top.get(i);
            assertTrue(k.error() >= 0 && k.error() < k.count(), k.toString());
            assertTrue(k.count() <= recordedBefore, k + " above the " + recordedBefore + " reads recorded");
            assertTrue(i == 0 || top.get(i - 1).count() >= k.count(), "sorted: " + top);
        }
        if (!top.isEmpty() && top.get(0).count() >= BATCH) {
            assertArrayEquals(HOT, top.get(0).key(), top.toString());
        }
    }

    /** One batch of reads on a loop, which resubmits itself until the deadline. */
    private static final class Batch implements Runnable {
        private final Recorder recorder;
        private final ExecutorService loop;
        private final long deadline;
        private final AtomicLong recorded;
        private final AtomicReference<Throwable> failure;
        private final CountDownLatch stopped;
        private final byte[] key;
        private long next;

        Batch(
                int id,
                Recorder recorder,
                ExecutorService loop,
                long deadline,
                AtomicLong recorded,
                AtomicReference<Throwable> failure,
                CountDownLatch stopped) {
            this.recorder = recorder;
            this.loop = loop;
            this.deadline = deadline;
            this.recorded = recorded;
            this.failure = failure;
            this.stopped = stopped;
            this.key = ("loop" + id + ":000000000000").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < BATCH; i++) {
                    if (i % 4 == 0) {
                        recorder.record(HOT, 0, HOT.length);
                    } else {
                        long v = next++;
                        for (int d = key.length - 1; d >= key.length - 12; d--, v /= 10) {
                            key[d] = (byte) ('0' + v % 10);
                        }
                        recorder.record(key, 0, key.length);
                    }
                }
                recorded.addAndGet(BATCH);
                if (System.nanoTime() < deadline) {
                    loop.execute(this);
                    return;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
            stopped.countDown();
        }
    }
}
