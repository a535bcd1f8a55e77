package io.respite.proxy.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The shared bucket from several threads: never more than burst + the tokens added, and not fewer. */
class GlobalBucketTest {

    private static final long RATE = 1_000_000;
    private static final long BURST = 50;

    @Test
    void threadsTogetherGetExactlyTheBurstPlusTheTokensAdded() throws Exception {
        AtomicLong clock = new AtomicLong(123_456_789);
        long base = clock.get();
        GlobalBucket bucket = new GlobalBucket(new RateLimit(RATE, BURST), base);
        AtomicLong admitted = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> violation = new AtomicReference<>();
        int threads = 4;
        CountDownLatch started = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                started.countDown();
                while (running.get()) {
                    if (bucket.tryTake(clock.get()) == 0) {
                        long total = admitted.incrementAndGet();
                        // The clock only moves forward: read after the take, it bounds what was there.
                        long bound = BURST + (clock.get() - base) * RATE / 1_000_000_000L;
                        if (total > bound) {
                            violation.compareAndSet(null, total + " admitted, at most " + bound);
                        }
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        started.await();
        for (int step = 0; step < 20_000; step++) {
            clock.addAndGet(137); // a token every 1000 ns: some steps add one, some none
            // The workers take every token before the clock moves on: none is lost to a full bucket.
            long available = BURST + (clock.get() - base) * RATE / 1_000_000_000L;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (admitted.get() < available && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals(null, violation.get());
        long expected = BURST + (clock.get() - base) * RATE / 1_000_000_000L;
        assertTrue(admitted.get() <= expected, admitted + " > " + expected);
        while (bucket.tryTake(clock.get()) == 0) {
            admitted.incrementAndGet();
        }
        assertEquals(expected, admitted.get(), "every token was taken once, none twice");
    }
}
