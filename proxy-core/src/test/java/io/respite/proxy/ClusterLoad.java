package io.respite.proxy;

import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A mixed load through respite for failover and resharding tests: each thread INCRs its own
 * counter, SETs its own keys to increasing sequence numbers and reads them back. It counts what
 * was acknowledged and what failed, and every read older than a write already acknowledged
 * (a stale read). Errors while the cluster changes are expected and counted, not fatal: a
 * connection that breaks is opened again.
 */
final class ClusterLoad {

    /** Keys each thread cycles through. */
    static final int KEYS_PER_THREAD = 20;

    private final InetSocketAddress proxy;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final long[] acknowledgedIncrs;
    private final long[] failedIncrs;
    final AtomicLong succeeded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong staleReads = new AtomicLong();
    final List<String> staleExamples = new ArrayList<>();

    ClusterLoad(InetSocketAddress proxy, int threadCount) {
        this.proxy = proxy;
        this.acknowledgedIncrs = new long[threadCount];
        this.failedIncrs = new long[threadCount];
        for (int t = 0; t < threadCount; t++) {
            int id = t;
            Thread thread = new Thread(() -> run(id), "cluster-load-" + t);
            threads.add(thread);
            thread.start();
        }
    }

    /** The counter thread {@code t} increments: its hash tag puts thread t's keys in one slot. */
    static String counter(int t) {
        return "{load" + t + "}:counter";
    }

    static String key(int t, int j) {
        return "{load" + t + "}:k" + j;
    }

    private void run(int t) {
        long[] lastAcknowledged = new long[KEYS_PER_THREAD];
        long seq = 0;
        RespTestClient client = null;
        while (running.get()) {
            boolean incrInFlight = false;
            try {
                if (client == null) {
                    client = RespTestClient.connect(proxy, Duration.ofSeconds(10));
                }
                incrInFlight = true;
                String incr = client.callString("INCR", counter(t));
                incrInFlight = false;
                synchronized (this) {
                    if (incr.startsWith(":")) {
                        acknowledgedIncrs[t]++;
                    } else {
                        failedIncrs[t]++;
                    }
                }
                count(incr.startsWith(":"));
                int j = (int) (seq % KEYS_PER_THREAD);
                seq++;
                String set = client.callString("SET", key(t, j), Long.toString(seq));
                if (set.equals("+OK\r\n")) {
                    lastAcknowledged[j] = seq;
                }
                count(set.equals("+OK\r\n"));
                String get = client.callString("GET", key(t, j));
                count(get.startsWith("$"));
                if (get.startsWith("$") && !get.startsWith("$-1")) {
                    long value =
                            Long.parseLong(get.substring(get.indexOf('\n') + 1).strip());
                    if (value < lastAcknowledged[j]) {
                        staleReads.incrementAndGet();
                        synchronized (staleExamples) {
                            staleExamples.add(key(t, j) + "=" + value + " after " + lastAcknowledged[j]);
                        }
                    }
                }
            } catch (IOException e) {
                if (incrInFlight) {
                    synchronized (this) {
                        failedIncrs[t]++;
                    }
                }
                failed.incrementAndGet();
                close(client);
                client = null;
            }
        }
        close(client);
    }

    private void count(boolean ok) {
        (ok ? succeeded : failed).incrementAndGet();
    }

    private static void close(RespTestClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (IOException ignored) {
                // Already broken.
            }
        }
    }

    synchronized long acknowledged(int t) {
        return acknowledgedIncrs[t];
    }

    synchronized long failedIncrs(int t) {
        return failedIncrs[t];
    }

    int threads() {
        return threads.size();
    }

    /** Stops every thread and waits for them; idempotent. */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
