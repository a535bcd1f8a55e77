package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisSentinels;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * respite in front of a Sentinel group (a primary, a replica, three sentinels), under a load of
 * INCRs and SET/GET pairs from several clients, while the sentinels fail over: respite follows
 * the new primary, no acknowledged write is lost, no read is older than a write its client had
 * acknowledged, caching resumes and sees writes made on the new primary, and writes are served
 * again within {@link #SERVING_AGAIN_BOUND} (the time measured is printed).
 */
@ExtendWith(RedisExtension.class)
class SentinelIT {

    /** Clients writing at once. */
    private static final int WRITERS = 4;

    private static final String COUNTER = "sentinel:counter";
    private static final String PROBES = "sentinel:probes";

    /**
     * How long after the trigger writes must be served again: sentinels take a second to call a
     * dead primary down, then elect a leader and promote the replica; respite's part is
     * milliseconds.
     */
    private static final Duration SERVING_AGAIN_BOUND = Duration.ofSeconds(20);

    /** How long the load runs before the failover, and goes on after respite followed it. */
    private static final Duration LOAD_MARGIN = Duration.ofMillis(500);

    @FunctionalInterface
    interface Trigger {
        void fire() throws IOException;
    }

    @Test
    void followsASentinelFailoverUnderLoad(RedisFleet fleet) throws Exception {
        RedisSentinels group = fleet.sentinels();
        failOverUnderLoad(group, "SENTINEL FAILOVER", group::failover);
    }

    @Test
    void followsTheReplicaPromotedWhenThePrimaryIsKilled(RedisFleet fleet) throws Exception {
        RedisSentinels group = fleet.sentinels();
        RedisServer primary = group.primary();
        failOverUnderLoad(group, "primary killed", primary::kill);
    }

    @Test
    void doesNotStartWhenNoSentinelNamesTheMaster(RedisServer notASentinel) {
        ProxyServer proxy = new ProxyServer(ProxyConfig.builder()
                .port(0)
                .adminPort(0)
                .upstream(UpstreamUri.parse(
                        "redis-sentinel://" + notASentinel.host() + ":" + notASentinel.port() + "/mymaster"))
                .build());
        IllegalStateException e = assertThrows(IllegalStateException.class, proxy::start);
        assertTrue(e.getMessage().startsWith("no sentinel names a primary for master mymaster: "), e.getMessage());
        assertTrue(e.getMessage().contains(Integer.toString(notASentinel.port())), e.getMessage());
    }

    @Test
    void asksSentinelsThatRequireAPasswordWithTheirOwnAndFollowsThem(RedisFleet fleet) throws Exception {
        RedisSentinels group = fleet.sentinels();
        RedisServer primary = group.primary();
        RedisServer replica = group.servers().stream()
                .filter(s -> !s.equals(primary))
                .findFirst()
                .orElseThrow();
        for (RedisServer sentinel : group.sentinels()) {
            // Sentinels that require a password give it to one another too.
            assertEquals("+OK\r\n", sentinel.callString("SENTINEL", "CONFIG", "SET", "sentinel-user", "watcher"));
            assertEquals("+OK\r\n", sentinel.callString("SENTINEL", "CONFIG", "SET", "sentinel-pass", "s3cret"));
            assertEquals(
                    "+OK\r\n",
                    sentinel.callString("ACL", "SETUSER", "watcher", "on", ">s3cret", "allcommands", "allchannels"));
            assertEquals("+OK\r\n", sentinel.callString("ACL", "SETUSER", "default", "resetpass", ">other"));
        }
        String uri = group.uri();
        IllegalStateException refused = assertThrows(
                IllegalStateException.class,
                () -> new ProxyServer(ProxyConfig.builder()
                                .port(0)
                                .adminPort(0)
                                .upstream(UpstreamUri.parse(uri))
                                .build())
                        .start());
        assertTrue(refused.getMessage().contains("NOAUTH"), refused.getMessage());

        try (ProxyFixture proxy = ProxyFixture.start(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .ioThreads(2)
                        .upstream(UpstreamUri.parse(uri))
                        .sentinelUser("watcher")
                        .sentinelPasswordFromFile("s3cret")
                        .build());
                RespTestClient sentinel =
                        RespTestClient.connect(group.sentinels().get(0).address(), ProxyFixture.AWAIT)) {
            RespTestClient client = proxy.client();
            assertEquals("+OK\r\n", client.callString("SET", "guarded", "before"));
            assertEquals("$6\r\nbefore\r\n", primary.callString("GET", "guarded"));
            assertEquals("+OK\r\n", sentinel.callString("AUTH", "watcher", "s3cret"));
            assertEquals("+OK\r\n", sentinel.callString("SENTINEL", "FAILOVER", RedisSentinels.MASTER));
            Await.until(
                    "the sentinels promote the replica",
                    SERVING_AGAIN_BOUND,
                    () -> replica.callString("INFO", "replication").contains("role:master"));
            // Written after the promotion, a value reaches the new primary only if respite sends it there.
            Await.until("a write through respite lands on the promoted replica", SERVING_AGAIN_BOUND, () -> {
                String reply = client.callString("SET", "guarded", "after");
                return reply.equals("+OK\r\n")
                        && replica.callString("GET", "guarded").equals("$5\r\nafter\r\n");
            });
        }
    }

    private static void failOverUnderLoad(RedisSentinels group, String how, Trigger trigger) throws Exception {
        failOverUnderLoad(group, how, trigger, UnaryOperator.identity());
    }

    /**
     * respite in front of {@code group}, with the options {@code options} sets (TLS, say), through
     * the failover {@code trigger} fires, checked as the class says.
     */
    static void failOverUnderLoad(
            RedisSentinels group, String how, Trigger trigger, UnaryOperator<ProxyConfig.Builder> options)
            throws Exception {
        RedisServer old = group.primary();
        try (ProxyFixture proxy = ProxyFixture.start(options.apply(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .ioThreads(2)
                        .upstream(UpstreamUri.parse(group.uri())))
                .build())) {
            proxy.awaitCaching();
            Load load = new Load(proxy.address());
            load.start();
            Await.until("the load is under way", ProxyFixture.AWAIT, () -> load.probes.size() > 20);
            long triggeredNanos = System.nanoTime();
            trigger.fire();
            Await.until(
                    "the sentinels promote the replica",
                    SERVING_AGAIN_BOUND,
                    () -> !group.primary().equals(old));
            RedisServer next = group.primary();
            RespTestClient client = proxy.client();
            Await.until("a write through respite lands on the new primary", SERVING_AGAIN_BOUND, () -> {
                String reply = client.callString("SET", "sentinel:followed", "yes");
                return reply.equals("+OK\r\n")
                        && next.callString("GET", "sentinel:followed").equals("$3\r\nyes\r\n");
            });
            long followedNanos = System.nanoTime();
            Await.until(
                    "the load runs on after the switch",
                    ProxyFixture.AWAIT,
                    () -> load.probesSentAfter(followedNanos + LOAD_MARGIN.toNanos()) > 0);
            load.stop();

            long counter = Long.parseLong(next.callString("GET", COUNTER).split("\r\n")[1]);
            Outage outage = load.outage(triggeredNanos, probesOn(next));
            System.out.printf(
                    "sentinel (%s): writes served again %d ms after the trigger; %d probe writes failed, %d "
                            + "acknowledged ones lost; longest probe write %d ms; INCR acknowledged %d, failed %d, "
                            + "counter %d%n",
                    how,
                    outage.servingAgainMillis(),
                    outage.failed(),
                    outage.lost(),
                    outage.longestMillis(),
                    load.incrAcked(),
                    load.incrFailed(),
                    counter);
            assertTrue(
                    counter >= load.incrAcked() && counter <= load.incrAcked() + load.incrFailed(),
                    "counter " + counter + " (expected: from the " + load.incrAcked() + " acknowledged INCRs to "
                            + "those plus the " + load.incrFailed() + " that failed in flight)");
            assertEquals(0, outage.lost(), "acknowledged probe writes missing on the new primary");
            assertEquals(List.of(), List.copyOf(load.staleReads), "reads older than an acknowledged write");
            assertTrue(
                    outage.servingAgainMillis() < SERVING_AGAIN_BOUND.toMillis(),
                    "writes served again after " + outage.servingAgainMillis() + " ms");

            // Caching resumed on the new primary, and hears of writes made there directly.
            assertEquals("+OK\r\n", client.callString("SET", "sentinel:cached", "v1"));
            proxy.awaitCached(client, "sentinel:cached", "$2\r\nv1\r\n");
            assertEquals("+OK\r\n", next.callString("SET", "sentinel:cached", "v2"));
            Await.until(
                    "the write on the new primary reaches respite's cache",
                    ProxyFixture.AWAIT,
                    () -> client.callString("GET", "sentinel:cached").equals("$2\r\nv2\r\n"));
            proxy.awaitCached(client, "sentinel:cached", "$2\r\nv2\r\n");
            assertNotEquals(old, next);
        }
    }

    /** The probe numbers the list on {@code server} holds. */
    private static Set<Long> probesOn(RedisServer server) throws IOException {
        Set<Long> present = new HashSet<>();
        String[] lines = server.callString("LRANGE", PROBES, "0", "-1").split("\r\n");
        for (int i = 2; i < lines.length; i += 2) {
            present.add(Long.parseLong(lines[i]));
        }
        return present;
    }

    /** How the probe writes fared from the trigger on. */
    private record Outage(long servingAgainMillis, int failed, int lost, long longestMillis) {}

    /** One probe write: its number, when it was sent and answered, and whether it was acknowledged. */
    private record Probe(long number, long sentNanos, long answeredNanos, boolean acked) {}

    /**
     * The clients: {@link #WRITERS} threads of INCR on one counter and SET then GET of a key of
     * their own, and a prober appending numbers to a list, each through its own connection.
     */
    private static final class Load {
        private final InetSocketAddress proxy;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> staleReads = new ConcurrentLinkedQueue<>();
        private final long[] acked = new long[WRITERS];
        private final long[] failed = new long[WRITERS];

        Load(InetSocketAddress proxy) {
            this.proxy = proxy;
        }

        void start() {
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                threads.add(new Thread(() -> write(writer), "sentinel-writer-" + i));
            }
            threads.add(new Thread(this::probe, "sentinel-prober"));
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            stopping.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        long incrAcked() {
            long sum = 0;
            for (long a : acked) {
                sum += a;
            }
            return sum;
        }

        long incrFailed() {
            long sum = 0;
            for (long f : failed) {
                sum += f;
            }
            return sum;
        }

        long probesSentAfter(long nanos) {
            return probes.stream().filter(p -> p.sentNanos() - nanos > 0).count();
        }

        private void write(int writer) {
            String key = "sentinel:writer:" + writer;
            long lastAcked = 0;
            long seq = 0;
            RespTestClient client = null;
            while (!stopping.get()) {
                try {
                    if (client == null) {
                        client = RespTestClient.connect(proxy, Duration.ofSeconds(10));
                    }
                    String incr = client.callString("INCR", COUNTER);
                    if (incr.startsWith(":")) {
                        acked[writer]++;
                    } else {
                        failed[writer]++;
                    }
                    seq++;
                    if (client.callString("SET", key, Long.toString(seq)).equals("+OK\r\n")) {
                        lastAcked = seq;
                    }
                    String read = client.callString("GET", key);
                    if (read.startsWith("$")) {
                        long value = Long.parseLong(read.split("\r\n")[1]);
                        if (value < lastAcked) {
                            staleReads.add(key + " read " + value + " after " + lastAcked + " was acknowledged");
                        }
                    }
                } catch (IOException e) {
                    // The connection broke with a command in flight: that INCR may or may not have run.
                    failed[writer]++;
                    client = close(client);
                }
            }
            close(client);
        }

        private void probe() {
            long number = 0;
            RespTestClient client = null;
            while (!stopping.get()) {
                number++;
                long sent = System.nanoTime();
                boolean ok;
                try {
                    if (client == null) {
                        client = RespTestClient.connect(proxy, Duration.ofSeconds(10));
                    }
                    ok = client.callString("RPUSH", PROBES, Long.toString(number))
                            .startsWith(":");
                } catch (IOException e) {
                    ok = false;
                    client = close(client);
                }
                probes.add(new Probe(number, sent, System.nanoTime(), ok));
            }
            close(client);
        }

        private static RespTestClient close(RespTestClient client) {
            if (client != null) {
                try {
                    client.close();
                } catch (IOException e) {
                    // Closing a broken connection: nothing more to learn from it.
                }
            }
            return null;
        }

        /**
         * From {@code triggeredNanos}: the probes that failed, those acknowledged but missing on the
         * new primary ({@code present}), and when writes were served again: the first write
         * acknowledged and kept after the last one failed or lost (the trigger itself when none
         * was).
         */
        Outage outage(long triggeredNanos, Set<Long> present) {
            List<Probe> after = probes.stream()
                    .filter(p -> p.answeredNanos() - triggeredNanos > 0)
                    .toList();
            int failedProbes = 0;
            int lost = 0;
            long lastBad = -1;
            long longest = 0;
            for (Probe p : after) {
                longest = Math.max(longest, p.answeredNanos() - p.sentNanos());
                if (!p.acked()) {
                    failedProbes++;
                    lastBad = p.number();
                } else if (!present.contains(p.number())) {
                    lost++;
                    lastBad = p.number();
                }
            }
            long servingAgain = triggeredNanos;
            for (Probe p : after) {
                if (p.number() > lastBad && p.acked()) {
                    servingAgain = lastBad < 0 ? triggeredNanos : p.answeredNanos();
                    break;
                }
            }
            return new Outage(
                    TimeUnit.NANOSECONDS.toMillis(servingAgain - triggeredNanos),
                    failedProbes,
                    lost,
                    TimeUnit.NANOSECONDS.toMillis(longest));
        }
    }
}
