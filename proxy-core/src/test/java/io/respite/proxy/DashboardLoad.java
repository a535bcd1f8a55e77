package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A minute or so of mixed traffic through a proxy, for the dashboard's screenshot: two readers whose
 * rate rises and falls, reading a skewed set of keys (a few hot), some absent keys and one large
 * value; a writer that SETs keys through respite and behind its back (forwarded commands and
 * invalidations); and clients that come, go, and hold a transaction for a while. Not a test: it runs
 * for the time given, bounded, against the loopback addresses of the fixture and its Redis only.
 */
final class DashboardLoad {

    private static final int KEYS = 40;
    private static final int BIG_BYTES = 256 * 1024;

    private DashboardLoad() {}

    /** Sends the load for {@code duration}; throws the first failure of any thread. */
    static void run(ProxyFixture fixture, RedisServer redis, Duration duration) throws Exception {
        RespTestClient setup = fixture.client();
        for (int i = 0; i < KEYS; i++) {
            assertEquals("+OK\r\n", setup.callString("SET", "user:" + i, "profile-" + i + "-" + "x".repeat(200)));
        }
        assertEquals("+OK\r\n", setup.callString("SET", "report:big", "b".repeat(BIG_BYTES)));

        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int reader = 0; reader < 2; reader++) {
            RespTestClient client = fixture.client();
            long seed = reader;
            threads.add(thread("reader-" + reader, failure, () -> read(client, seed, start, end)));
        }
        RespTestClient writer = fixture.client();
        RespTestClient behind = RespTestClient.connect(redis.address(), Duration.ofSeconds(10));
        threads.add(thread("writer", failure, () -> {
            try (behind) {
                write(writer, behind, end);
            }
        }));
        threads.forEach(Thread::start);

        // Clients: two more every ten seconds for half the time, then a transaction held for a quarter.
        List<RespTestClient> idle = new ArrayList<>();
        RespTestClient transaction = null;
        long tenSeconds = TimeUnit.SECONDS.toNanos(10);
        for (long next = start + tenSeconds; next < end && failure.get() == null; next += tenSeconds) {
            parkUntil(next);
            long elapsed = System.nanoTime() - start;
            if (elapsed < duration.toNanos() / 2) {
                for (int i = 0; i < 2; i++) {
                    RespTestClient client = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10));
                    assertEquals("+PONG\r\n", client.callString("PING"));
                    idle.add(client);
                }
            } else if (transaction == null) {
                transaction = fixture.client();
                assertEquals("+OK\r\n", transaction.callString("MULTI"));
                while (idle.size() > 1) {
                    idle.remove(idle.size() - 1).close();
                }
            } else if (transaction != null && elapsed > duration.toNanos() * 3 / 4) {
                assertEquals("+OK\r\n", transaction.callString("DISCARD"));
            }
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        for (RespTestClient client : idle) {
            client.close();
        }
        Throwable first = failure.get();
        if (first instanceof Exception e) {
            throw e;
        } else if (first instanceof Error e) {
            throw e;
        }
    }

    /** Work that may throw. */
    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static Thread thread(String name, AtomicReference<Throwable> failure, Work work) {
        Thread thread = new Thread(
                () -> {
                    try {
                        work.run();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                },
                "dashboard-load-" + name);
        thread.setDaemon(true);
        return thread;
    }

    /** GETs at a rate that swings between 500 and 2,500 a second over 30 s: skewed keys, 15 % absent, some large. */
    private static void read(RespTestClient client, long seed, long start, long end) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long due = start;
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            double seconds = (now - start) / 1e9;
            double rate = 1500 + 1000 * Math.sin(2 * Math.PI * seconds / 30);
            due += (long) (1e9 / rate);
            parkUntil(due);
            double pick = random.nextDouble();
            if (pick < 0.15) {
                client.callString("GET", "session:" + random.nextInt(1_000_000));
            } else if (pick < 0.152) {
                client.call("GET", "report:big");
            } else {
                double u = random.nextDouble();
                client.callString("GET", "user:" + (int) (KEYS * u * u * u));
            }
        }
    }

    /** About 30 SETs a second: two in three through respite, one in three straight to Redis. */
    private static void write(RespTestClient viaRespite, RespTestClient toRedis, long end) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        long due = System.nanoTime();
        for (long now = due; now < end; now = System.nanoTime()) {
            due += TimeUnit.MILLISECONDS.toNanos(33);
            parkUntil(due);
            String key = "user:" + random.nextInt(KEYS);
            String value = "profile-" + random.nextInt(1000) + "-" + "x".repeat(200);
            RespTestClient client = random.nextInt(3) == 0 ? toRedis : viaRespite;
            assertEquals("+OK\r\n", client.callString("SET", key, value));
        }
    }

    private static void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
