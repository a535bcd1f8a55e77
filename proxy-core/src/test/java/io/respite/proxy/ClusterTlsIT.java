package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.cluster.Slots;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisCluster;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RedisTls;
import io.respite.testing.RespTestClient;
import io.respite.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * respite in front of a Redis Cluster that speaks TLS only (three primaries with
 * {@code --port 0 --tls-port P --tls-cluster yes --tls-replication yes}, client certificates
 * required): through {@code rediss-cluster://}, Lettuce's topology connections and every kind of
 * connection respite opens to each node (shared lanes, dedicated, subscriber, the node's
 * invalidation stream) speak TLS, since a plain one would be refused; and a plain
 * {@code redis-cluster://} is refused with the reason in the log and in clients' errors.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTlsIT {

    /** The cluster's and respite's certificate files, for the whole class as the cluster is. */
    @TempDir
    static Path dir;

    private final TestPki.Ca ca = TestPki.newCa("redis cluster test CA");
    private RedisCluster cluster;

    @BeforeAll
    void start(RedisFleet fleet) {
        cluster = fleet.cluster(RedisTls.issue(ca, dir), 3, 0);
    }

    @Test
    void everyNodeIsServedOverTlsAndItsOwnWritesReachTheCache() throws IOException {
        assertTrue(cluster.uri().startsWith("rediss-cluster://"), cluster.uri());
        try (LogCapture log = LogCapture.of("io.respite.proxy");
                ProxyFixture proxy = ClusterFailoverIT.start(cluster, UpstreamTlsIT.mutualTls(ca, dir));
                RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            List<String> keys = oneKeyPerNode();
            for (String key : keys) {
                assertEquals("+OK\r\n", client.callString("SET", key, "v-" + key));
                assertEquals(bulk("v-" + key), client.callString("GET", key));
                assertEquals(bulk("v-" + key), owner(key).callString("GET", key), key + " landed on its node");
            }
            assertEquals(
                    "*4\r\n" + bulk("v-" + keys.get(2)) + bulk("v-" + keys.get(0)) + "$-1\r\n"
                            + bulk("v-" + keys.get(1)),
                    client.callString("MGET", keys.get(2), keys.get(0), "tls:missing", keys.get(1)),
                    "an MGET cut across the three nodes and joined");

            for (String key : keys) {
                proxy.awaitCached(client, key, bulk("v-" + key));
                assertEquals("+OK\r\n", owner(key).callString("SET", key, "changed"));
                Await.until(
                        "the node's invalidation of " + key + " reaches respite over TLS",
                        ProxyFixture.AWAIT,
                        () -> client.callString("GET", key).equals(bulk("changed")));
            }

            String counter = keys.get(1);
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("SET", counter, "1"));
            assertEquals("+QUEUED\r\n", client.callString("INCR", counter));
            assertEquals("*2\r\n+OK\r\n:2\r\n", client.callString("EXEC"), "a dedicated connection on the node");
            String queue = keys.get(2) + ":q";
            assertEquals(":1\r\n", owner(queue).callString("RPUSH", queue, "item"));
            assertEquals(
                    "*2\r\n" + bulk(queue) + bulk("item"),
                    client.callString("BLPOP", queue, "1"),
                    "a blocking pop on the node's dedicated connection");

            try (RespTestClient subscriber = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
                assertEquals(
                        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", subscriber.callString("SUBSCRIBE", "news"));
                cluster.nodes().get(2).callString("PUBLISH", "news", "hi");
                assertEquals(
                        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
                        new String(subscriber.readReply(), StandardCharsets.UTF_8));
            }
            assertFalse(log.contains("TLS handshake with"), log.lines().toString());
            assertFalse(log.contains("topology refresh failed"), log.lines().toString());
        }
    }

    @Test
    void aPlainClusterUriIsRefusedWithTheReason() throws IOException {
        String plain = cluster.uri().replace("rediss-cluster://", "redis-cluster://");
        try (LogCapture log = LogCapture.of("io.respite.proxy");
                ProxyFixture proxy = ProxyFixture.start(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .ioThreads(2)
                        .upstream(UpstreamUri.parse(plain))
                        .build());
                RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            String seed =
                    cluster.nodes().get(0).host() + ":" + cluster.nodes().get(0).port();
            Await.until(
                    "the log says why no topology is learnt, and what TLS needs",
                    ProxyFixture.AWAIT,
                    () -> log.lines().stream()
                            .anyMatch(line -> line.startsWith("WARN cluster: topology refresh failed: ")
                                    && line.contains(seed)
                                    && line.contains("Connection reset by peer")
                                    && line.endsWith("for them, rediss-cluster://)")));
            String reply = client.callString("GET", "k");
            assertEquals("-ERR upstream unavailable (connection reset by peer (" + seed + "))\r\n", reply);
        }
    }

    /** A key on each primary, in node order. */
    private List<String> oneKeyPerNode() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < cluster.nodes().size(); i++) {
            String key = "tls:" + i;
            if (owner(key) == cluster.nodes().get(keys.size())) {
                keys.add(key);
            }
        }
        return keys;
    }

    private RedisServer owner(String key) {
        return ClusterFailoverIT.owner(cluster, Slots.of(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static String bulk(String value) {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }
}
