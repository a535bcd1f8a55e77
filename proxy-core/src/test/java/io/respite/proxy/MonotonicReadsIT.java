package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bounded randomized stress of the fill races: counters INCRemented directly on Redis and
 * through replica A, read (GET and MGET) through replicas A, B and C by several connections each.
 * The checker: on one replica a key's value never goes back in time (a read that starts after
 * another read of the same replica returned n returns at least n: monotonic reads, as Redis
 * gives); and once the writers stop, every replica converges to Redis's final values.
 */
@ExtendWith(RedisExtension.class)
class MonotonicReadsIT {

    private static final int KEYS = 4;
    private static final int READERS_PER_REPLICA = 3;
    private static final Duration RUN = Duration.ofSeconds(3);

    @Test
    void noReplicaServesAValueOlderThanOneItServedBefore(RedisServer redis) throws Exception {
        List<ProxyFixture> replicas = new ArrayList<>();
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            for (int i = 0; i < 3; i++) {
                replicas.add(ProxyFixture.startCaching(redis));
            }
            for (int k = 0; k < KEYS; k++) {
                redis.callString("SET", "c" + k, "0");
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<Long>> writers = List.of(
                    threads.submit(() -> write(RespTestClient.connect(redis.address()), writing, 1)),
                    threads.submit(
                            () -> write(RespTestClient.connect(replicas.get(0).address()), writing, 2)));
            List<Future<Long>> readers = new ArrayList<>();
            for (ProxyFixture replica : replicas) {
                // The largest value of each key any reader of this replica has had returned.
                AtomicLongArray floor = new AtomicLongArray(KEYS);
                for (int r = 0; r < READERS_PER_REPLICA; r++) {
                    long seed = readers.size();
                    readers.add(threads.submit(() -> read(replica, floor, writing, seed)));
                }
            }
            long deadline = System.nanoTime() + RUN.toNanos();
            Await.until("the run ends", RUN.plusSeconds(5), () -> System.nanoTime() - deadline > 0);
            writing.set(false);
            long writes = 0;
            for (Future<Long> writer : writers) {
                writes += writer.get(10, TimeUnit.SECONDS);
            }
            long reads = 0;
            for (Future<Long> reader : readers) {
                reads += reader.get(10, TimeUnit.SECONDS);
            }
            assertTrue(writes > 100 && reads > 1000, writes + " writes, " + reads + " reads");

            for (int k = 0; k < KEYS; k++) {
                String key = "c" + k;
                String expected = redis.callString("GET", key);
                for (ProxyFixture replica : replicas) {
                    RespTestClient client = replica.client();
                    Await.until(
                            "every replica converges to " + key + " = " + expected.strip(),
                            ProxyFixture.AWAIT,
                            () -> client.callString("GET", key).equals(expected));
                }
            }
            long hits = replicas.stream().mapToLong(f -> f.stats().hits()).sum();
            assertTrue(hits > 0, "the reads were served from the caches, in part");
        } finally {
            threads.shutdownNow();
            replicas.forEach(ProxyFixture::close);
        }
    }

    /** INCRements random counters until told to stop; returns how many. */
    private static long write(RespTestClient client, AtomicBoolean writing, long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long writes = 0;
        try (client) {
            while (writing.get()) {
                assertTrue(client.callString("INCR", "c" + random.nextInt(KEYS)).startsWith(":"));
                writes++;
                if (random.nextInt(4) == 0) {
                    // Let readers fill between writes, so that fills and invalidations race.
                    Thread.onSpinWait();
                }
            }
        }
        return writes;
    }

    /** Reads random counters through {@code replica}, checking each against the replica's floor. */
    private static long read(ProxyFixture replica, AtomicLongArray floor, AtomicBoolean writing, long seed)
            throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        long reads = 0;
        try (RespTestClient client = RespTestClient.connect(replica.address())) {
            while (writing.get()) {
                // Half MGETs: their reads of several keys at once raced GETs' fills in ways GETs alone did not.
                if (random.nextInt(2) == 0) {
                    long[] before = new long[KEYS];
                    for (int k = 0; k < KEYS; k++) {
                        before[k] = floor.get(k);
                    }
                    String reply = client.callString("MGET", "c0", "c1", "c2", "c3");
                    String[] lines = reply.split("\r\n");
                    assertEquals("*" + KEYS, lines[0], reply);
                    for (int k = 0; k < KEYS; k++) {
                        check(floor, k, before[k], Long.parseLong(lines[2 + 2 * k]), "MGET");
                    }
                } else {
                    int k = random.nextInt(KEYS);
                    long before = floor.get(k);
                    String reply = client.callString("GET", "c" + k);
                    check(floor, k, before, Long.parseLong(reply.split("\r\n")[1]), "GET");
                }
                reads++;
            }
        }
        return reads;
    }

    private static void check(AtomicLongArray floor, int key, long before, long value, String how) {
        assertTrue(
                value >= before,
                how + " of c" + key + " went back in time: " + value + " after " + before + " was served");
        floor.accumulateAndGet(key, value, Math::max);
    }
}
