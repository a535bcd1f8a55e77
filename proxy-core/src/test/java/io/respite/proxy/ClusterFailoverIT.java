package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.cluster.Slots;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.ReadFrom;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisCluster;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * respite over a 3-primary, 3-replica Redis Cluster while the cluster changes under a mixed load
 * ({@link ClusterLoad}): a replica taking over by CLUSTER FAILOVER, a primary stopped, a slot
 * resharded with the MIGRATING/IMPORTING/MIGRATE sequence; and three respite replicas on one
 * cluster seeing each other's writes and the nodes' own. In every case no acknowledged INCR is
 * lost, no read returns a value older than an acknowledged write, and the load recovers without
 * restarting anything.
 */
@ExtendWith(RedisExtension.class)
class ClusterFailoverIT {

    /** How long the cluster may take to promote a replica and respite to follow. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    @Test
    void aReplicaTakingOverLosesNoAcknowledgedWrite(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(3, 1);
        try (ProxyFixture proxy = start(cluster)) {
            RedisServer replica = cluster.replicas().get(0);
            ClusterLoad load = new ClusterLoad(proxy.address(), 4);
            try {
                awaitProgress(load, 500);
                assertEquals("+OK\r\n", replica.callString("CLUSTER", "FAILOVER"));
                Await.until(
                        "the replica is a primary",
                        RECOVERY,
                        () -> replica.callString("INFO", "replication").contains("role:master"));
                awaitProgress(load, 2000);
                load.stop();
                check(load, proxy);
            } finally {
                load.stop();
            }
        }
    }

    @Test
    void aStoppedPrimaryIsReplacedAndTheLoadRecovers(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(3, 1);
        try (ProxyFixture proxy = start(cluster)) {
            RedisServer primary = cluster.nodes().get(1);
            RedisServer replica = cluster.replicas().get(1);
            String channel = shardChannelOf(cluster, primary);
            RespTestClient subscriber = proxy.client();
            assertEquals(
                    "*3\r\n$10\r\nssubscribe\r\n$" + channel.length() + "\r\n" + channel + "\r\n:1\r\n",
                    subscriber.callString("SSUBSCRIBE", channel));
            ClusterLoad load = new ClusterLoad(proxy.address(), 4);
            try {
                awaitProgress(load, 500);
                long stoppedAt = System.nanoTime();
                // SIGTERM: Redis lets its replica catch up before exiting, so nothing acknowledged is lost.
                primary.stop();
                // Its shard subscriber goes with the node, as a client connected to it would.
                assertTrue(new String(subscriber.readReply(), StandardCharsets.UTF_8)
                        .startsWith("-ERR upstream unavailable"));
                assertTrue(subscriber.isClosedByPeer());
                Await.until(
                        "the replica is a primary",
                        RECOVERY,
                        () -> replica.callString("INFO", "replication").contains("role:master"));
                awaitProgress(load, 2000);
                // A client whose SSUBSCRIBE still went to the stopped node is closed too: each try is a new client.
                AtomicReference<RespTestClient> held = new AtomicReference<>();
                Await.until("a shard subscription of the slot is held by its new primary", RECOVERY, () -> {
                    RespTestClient again = proxy.client();
                    held.set(again);
                    return again.callString("SSUBSCRIBE", channel).startsWith("*3\r\n$10\r\nssubscribe")
                            && replica.callString("SPUBLISH", channel, "back").equals(":1\r\n");
                });
                assertEquals(
                        "*3\r\n$8\r\nsmessage\r\n$" + channel.length() + "\r\n" + channel + "\r\n$4\r\nback\r\n",
                        new String(held.get().readReply(), StandardCharsets.UTF_8));
                System.out.printf(
                        "ClusterFailoverIT: load recovered %d ms after the primary stopped%n",
                        (System.nanoTime() - stoppedAt) / 1_000_000);
                load.stop();
                check(load, proxy);
            } finally {
                load.stop();
            }
        }
    }

    @Test
    void aSlotMovedUnderLoadLeavesNoStaleEntry(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(3, 0);
        try (ProxyFixture proxy = start(cluster);
                RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            // The slot of thread 0's keys moves while the load runs; {moved} shares nothing with it.
            int slot = Slots.of(ClusterLoad.counter(0).getBytes(StandardCharsets.UTF_8));
            RedisServer source = owner(cluster, slot);
            RedisServer target = cluster.nodes().stream()
                    .filter(n -> n != source)
                    .findFirst()
                    .orElseThrow();
            String cached = "{load0}:cached";
            assertEquals("+OK\r\n", client.callString("SET", cached, "before"));
            proxy.awaitCached(client, cached, "$6\r\nbefore\r\n");
            ClusterLoad load = new ClusterLoad(proxy.address(), 2);
            try {
                awaitProgress(load, 300);
                migrate(cluster, slot, source, target);
                awaitProgress(load, 1000);
                load.stop();
                check(load, proxy);
            } finally {
                load.stop();
            }
            // The entry read from the source must not outlive the move: a write on the new owner shows.
            assertEquals("+OK\r\n", target.callString("SET", cached, "after"));
            Await.until(
                    "the new owner's write shows through respite",
                    ProxyFixture.AWAIT,
                    () -> client.callString("GET", cached).equals("$5\r\nafter\r\n"));
        }
    }

    @Test
    void threeRespitesSeeEachOthersWritesAndTheNodes(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(3, 0);
        try (ProxyFixture one = start(cluster);
                ProxyFixture two = start(cluster);
                ProxyFixture three = start(cluster)) {
            List<ProxyFixture> proxies = List.of(one, two, three);
            for (String key : List.of("r:1", "r:2", "r:3", "r:4", "r:5", "r:6")) {
                assertEquals("+OK\r\n", one.client().callString("SET", key, "v1"));
                for (ProxyFixture proxy : proxies) {
                    proxy.awaitCached(proxy.client(), key, "$2\r\nv1\r\n");
                }
                assertEquals("+OK\r\n", one.client().callString("SET", key, "v2"));
                for (ProxyFixture proxy : proxies) {
                    RespTestClient client = proxy.client();
                    Await.until(
                            key + " is v2 everywhere",
                            ProxyFixture.AWAIT,
                            () -> client.callString("GET", key).equals("$2\r\nv2\r\n"));
                }
                RedisServer node = owner(cluster, Slots.of(key.getBytes(StandardCharsets.UTF_8)));
                assertEquals("+OK\r\n", node.callString("SET", key, "v3"));
                for (ProxyFixture proxy : proxies) {
                    RespTestClient client = proxy.client();
                    Await.until(
                            key + " is v3 everywhere",
                            ProxyFixture.AWAIT,
                            () -> client.callString("GET", key).equals("$2\r\nv3\r\n"));
                }
            }
        }
    }

    @Test
    void aReplicaThatStopsAnsweringLeavesReadsToItsPrimaryOrFailsThemAsReadFromSays(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(1, 1);
        RedisServer primary = cluster.nodes().get(0);
        RedisServer replica = cluster.replicas().get(0);
        try (ProxyFixture preferred = start(cluster, b -> b.readFrom(ReadFrom.REPLICA_PREFERRED));
                ProxyFixture only = start(cluster, b -> b.readFrom(ReadFrom.REPLICA));
                RespTestClient writer = preferred.client()) {
            assertEquals(":2\r\n", writer.callString("RPUSH", "list", "a", "b"));
            for (ProxyFixture proxy : List.of(preferred, only)) {
                RespTestClient reader = proxy.client();
                Await.until(
                        "the replica serves the list",
                        ProxyFixture.AWAIT,
                        () -> reader.callString("LRANGE", "list", "0", "-1").equals("*2\r\n$1\r\na\r\n$1\r\nb\r\n"));
            }
            assertTrue(replica.callString("INFO", "commandstats").contains("cmdstat_lrange:"), "read on the replica");
            assertFalse(primary.callString("INFO", "commandstats").contains("cmdstat_lrange:"), "not on the primary");

            replica.stop();
            RespTestClient reader = preferred.client();
            for (int i = 0; i < 20; i++) {
                assertEquals(
                        "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
                        reader.callString("LRANGE", "list", "0", "-1"),
                        "replica-preferred: the primary answers what the replica cannot");
            }
            RespTestClient strict = only.client();
            Await.until(
                    "replica: once the cluster calls the replica failed, its reads fail with respite's reason",
                    Duration.ofSeconds(20),
                    () -> strict.callString("LRANGE", "list", "0", "-1")
                            .equals("-ERR no replica of this slot's primary is known (--read-from replica)\r\n"));
            assertTrue(primary.callString("INFO", "commandstats").contains("cmdstat_lrange:"));
        }
    }

    /** Moves {@code slot} from {@code source} to {@code target} as redis-cli --cluster reshard does. */
    static void migrate(RedisCluster cluster, int slot, RedisServer source, RedisServer target) throws IOException {
        String s = Integer.toString(slot);
        assertEquals("+OK\r\n", target.callString("CLUSTER", "SETSLOT", s, "IMPORTING", RedisCluster.id(source)));
        assertEquals("+OK\r\n", source.callString("CLUSTER", "SETSLOT", s, "MIGRATING", RedisCluster.id(target)));
        while (true) {
            String keys = source.callString("CLUSTER", "GETKEYSINSLOT", s, "10");
            List<String> names = keys.lines()
                    .filter(line -> !line.startsWith("*") && !line.startsWith("$"))
                    .collect(Collectors.toList());
            if (names.isEmpty()) {
                break;
            }
            String[] migrate = new String[6 + names.size()];
            migrate[0] = "MIGRATE";
            migrate[1] = target.host();
            migrate[2] = Integer.toString(target.port());
            migrate[3] = "";
            migrate[4] = "0";
            migrate[5] = "5000";
            String[] withKeys = new String[migrate.length + 1];
            System.arraycopy(migrate, 0, withKeys, 0, 6);
            withKeys[6] = "KEYS";
            for (int i = 0; i < names.size(); i++) {
                withKeys[7 + i] = names.get(i);
            }
            String reply = source.callString(withKeys);
            assertTrue(reply.startsWith("+OK") || reply.startsWith("+NOKEY"), reply);
        }
        for (RedisServer node : cluster.nodes()) {
            assertEquals("+OK\r\n", node.callString("CLUSTER", "SETSLOT", s, "NODE", RedisCluster.id(target)));
        }
    }

    private static void check(ClusterLoad load, ProxyFixture proxy) throws IOException {
        assertEquals(0, load.staleReads.get(), "stale reads: " + load.staleExamples);
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            for (int t = 0; t < load.threads(); t++) {
                String reply = client.callString("GET", ClusterLoad.counter(t));
                long value =
                        Long.parseLong(reply.substring(reply.indexOf('\n') + 1).strip());
                long acknowledged = load.acknowledged(t);
                assertTrue(
                        value >= acknowledged, "counter " + t + " is " + value + ", " + acknowledged + " acknowledged");
                assertTrue(
                        value <= acknowledged + load.failedIncrs(t),
                        "counter " + t + " is " + value + ", beyond what was sent");
            }
        }
    }

    private static void awaitProgress(ClusterLoad load, long more) {
        long target = load.succeeded.get() + more;
        Await.until("the load makes progress", RECOVERY, () -> load.succeeded.get() >= target);
    }

    /** respite in front of {@code cluster}, once every primary answers through it and it caches. */
    static ProxyFixture start(RedisCluster cluster) throws IOException {
        return start(cluster, UnaryOperator.identity());
    }

    /** As {@link #start(RedisCluster)}, with the options {@code options} sets (TLS, say) on top. */
    static ProxyFixture start(RedisCluster cluster, UnaryOperator<ProxyConfig.Builder> options) throws IOException {
        ProxyFixture proxy = ProxyFixture.start(options.apply(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .ioThreads(2)
                        .upstream(UpstreamUri.parse(cluster.uri())))
                .build());
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            Await.until("every primary answers through respite", ProxyFixture.AWAIT, () -> {
                for (int i = 0; i < 30; i++) {
                    if (!client.callString("SET", "probe:" + i, "1").equals("+OK\r\n")) {
                        return false;
                    }
                }
                return true;
            });
        }
        proxy.awaitCaching();
        return proxy;
    }

    /** A shard channel whose slot {@code node} serves as formed. */
    private static String shardChannelOf(RedisCluster cluster, RedisServer node) {
        for (int i = 0; ; i++) {
            String channel = "shard:" + i;
            if (owner(cluster, Slots.of(channel.getBytes(StandardCharsets.UTF_8))) == node) {
                return channel;
            }
        }
    }

    /** The primary serving {@code slot} as formed (slots split evenly, in node order). */
    static RedisServer owner(RedisCluster cluster, int slot) {
        int n = cluster.nodes().size();
        for (int i = 0; i < n; i++) {
            if (slot < (i + 1) * 16384 / n) {
                return cluster.nodes().get(i);
            }
        }
        throw new IllegalStateException("slot " + slot);
    }
}
