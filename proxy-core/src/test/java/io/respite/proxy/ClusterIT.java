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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * respite in front of a 3-primary, 3-replica Redis Cluster, against a standalone Redis as the oracle: the
 * same commands through respite and on the oracle give the same replies (single-slot commands,
 * hash tags, multi-key commands cut across slots, keyless fan-outs), SCAN through respite returns
 * every key exactly once, CROSSSLOT and SELECT are refused as Redis Cluster refuses them, a
 * transaction runs on its key's node, and a write made directly on a node reaches respite's
 * cache through that node's invalidations.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

    private RedisCluster cluster;
    private RedisServer oracle;
    private ProxyFixture proxy;

    @BeforeAll
    void start(RedisFleet fleet) throws IOException {
        cluster = fleet.cluster(3, 1);
        oracle = fleet.start();
        proxy = ClusterFailoverIT.start(cluster);
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void empty() throws IOException {
        for (RedisServer node : cluster.nodes()) {
            node.callString("FLUSHALL");
        }
        oracle.callString("FLUSHALL");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void commandsGiveWhatOneRedisGives(int protocol) throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT);
                RespTestClient direct = RespTestClient.connect(oracle.address(), ProxyFixture.AWAIT)) {
            same(client, direct, "HELLO", Integer.toString(protocol), "SETNAME", "x");
            List<String[]> commands = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String k = "key:" + i;
                commands.add(new String[] {"SET", k, "v" + i});
                commands.add(new String[] {"GET", k});
                commands.add(new String[] {"APPEND", k, "+"});
                commands.add(new String[] {"GET", k});
                commands.add(new String[] {"HSET", "h:" + i, "f", "1", "g", "2"});
                commands.add(new String[] {"HGETALL", "h:" + i});
                commands.add(new String[] {"RPUSH", "l:" + i, "a", "b"});
                commands.add(new String[] {"LRANGE", "l:" + i, "0", "-1"});
                commands.add(new String[] {"INCRBY", "n:" + i, "5"});
                commands.add(new String[] {"EXPIRE", k, "100"});
                commands.add(new String[] {"TYPE", "h:" + i});
            }
            commands.add(new String[] {"MSET", "{t}a", "1", "{t}b", "2"});
            commands.add(new String[] {"MGET", "{t}a", "{t}b", "{t}c"});
            commands.add(new String[] {"RENAME", "{t}a", "{t}z"});
            commands.add(new String[] {"MSET", "a", "1", "b", "2", "c", "3", "d", "4"});
            commands.add(new String[] {"MGET", "d", "nope", "a", "c", "b", "key:3", "key:7"});
            commands.add(new String[] {"EXISTS", "a", "b", "nope", "key:1", "a"});
            commands.add(new String[] {"TOUCH", "a", "b", "nope"});
            commands.add(new String[] {"DEL", "a", "nope", "key:4", "key:5"});
            commands.add(new String[] {"UNLINK", "b", "c", "key:6"});
            commands.add(new String[] {"MGET", "a", "b", "c", "d"});
            commands.add(new String[] {"DBSIZE"});
            commands.add(new String[] {"EXISTS", "key:1"});
            for (String[] command : commands) {
                same(client, direct, command);
            }
            assertEquals(
                    keys(direct.callString("KEYS", "*")),
                    keys(client.callString("KEYS", "*")),
                    "KEYS * unites every primary's keys");
        }
    }

    @Test
    void scanReturnsEveryKeyExactlyOnce() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            Set<String> written = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                client.callString("SET", "s:" + i, "x");
                written.add("s:" + i);
            }
            List<String> seen = new ArrayList<>();
            String cursor = "0";
            int rounds = 0;
            do {
                String reply = client.callString("SCAN", cursor, "COUNT", "50");
                Matcher head = Pattern.compile("^\\*2\r\n\\$\\d+\r\n(\\d+)\r\n").matcher(reply);
                assertTrue(head.find(), reply);
                cursor = head.group(1);
                seen.addAll(keys(reply.substring(head.end())));
                assertTrue(++rounds < 10_000, "SCAN ends");
            } while (!cursor.equals("0"));
            assertEquals(written, new HashSet<>(seen));
            assertEquals(written.size(), seen.size(), "no key twice");
        }
    }

    @Test
    void crossSlotAndSelectAreRefusedAsRedisClusterDoes() throws IOException {
        RedisServer node = cluster.nodes().get(0);
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            client.callString("SET", "a", "1");
            assertEquals(
                    node.callString("SUNION", "a", "b").substring(0, 10),
                    client.callString("SUNION", "a", "b").substring(0, 10));
            assertEquals(
                    "-CROSSSLOT Keys in request don't hash to the same slot\r\n",
                    client.callString("RENAME", "a", "b"));
            assertEquals("-ERR SELECT is not allowed in cluster mode\r\n", client.callString("SELECT", "1"));
            assertEquals("+OK\r\n", client.callString("SELECT", "0"));
        }
    }

    @Test
    void aTransactionRunsOnItsKeysNode() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("INCR", "{tx}n"));
            assertEquals("+QUEUED\r\n", client.callString("INCR", "{tx}n"));
            assertEquals("*2\r\n:1\r\n:2\r\n", client.callString("EXEC"));
            assertEquals("+OK\r\n", client.callString("WATCH", "{tx}n"));
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("INCR", "{tx}n"));
            assertEquals("*1\r\n:3\r\n", client.callString("EXEC"));
            assertEquals("$1\r\n3\r\n", owner("{tx}n").callString("GET", "{tx}n"));
        }
    }

    @Test
    void aWriteOnANodeReachesTheCache() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            for (String key : List.of("c:1", "c:2", "c:3", "c:4", "c:5", "c:6")) {
                client.callString("SET", key, "old");
                proxy.awaitCached(client, key, "$3\r\nold\r\n");
                owner(key).callString("SET", key, "new");
                Await.until(
                        key + " is new through respite",
                        ProxyFixture.AWAIT,
                        () -> client.callString("GET", key).equals("$3\r\nnew\r\n"));
            }
        }
    }

    @Test
    void publishReachesSubscribersWhateverTheNodeAndBlockingCommandsWaitOnTheKeysNode() throws IOException {
        try (RespTestClient subscriber = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT);
                RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", subscriber.callString("SUBSCRIBE", "news"));
            for (RedisServer node : cluster.nodes()) {
                // Published on any node, a message reaches the subscriber through respite.
                node.callString("PUBLISH", "news", "from " + node.port());
                assertEquals(
                        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$" + ("from " + node.port()).length() + "\r\nfrom "
                                + node.port() + "\r\n",
                        new String(subscriber.readReply(), StandardCharsets.UTF_8));
            }
            assertTrue(client.callString("PUBLISH", "news", "x").startsWith(":"));
            for (String list : List.of("q:1", "q:2", "q:3")) {
                owner(list).callString("RPUSH", list, "item");
                assertEquals("*2\r\n$3\r\n" + list + "\r\n$4\r\nitem\r\n", client.callString("BLPOP", list, "1"));
            }
            assertEquals(":0\r\n", client.callString("EXISTS", "q:1", "q:2"));
            assertEquals("+OK\r\n", client.callString("FLUSHALL"));
            assertEquals(":0\r\n", client.callString("DBSIZE"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shardChannelsAreHeldOnTheirShardAndFollowTheirSlot(int protocol) throws IOException {
        List<RedisServer> nodes = cluster.nodes();
        List<String> channels = new ArrayList<>();
        for (RedisServer node : nodes) {
            int i = 0;
            while (owner("channel:" + i) != node) {
                i++;
            }
            channels.add("channel:" + i);
        }
        try (RespTestClient subscriber = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT);
                RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            if (protocol == 3) {
                subscriber.callString("HELLO", "3");
            }
            for (int i = 0; i < channels.size(); i++) {
                assertEquals(
                        frame(protocol, "ssubscribe", channels.get(i), ":" + (i + 1)),
                        subscriber.callString("SSUBSCRIBE", channels.get(i)));
            }
            for (int i = 0; i < nodes.size(); i++) {
                String channel = channels.get(i);
                // respite holds one subscription on the shard's primary, which hears its SPUBLISH.
                assertEquals(":1\r\n", nodes.get(i).callString("SPUBLISH", channel, "direct"));
                assertEquals(frame(protocol, "smessage", channel, "direct"), text(subscriber.readReply()));
                assertEquals(":1\r\n", client.callString("SPUBLISH", channel, "through"));
                assertEquals(frame(protocol, "smessage", channel, "through"), text(subscriber.readReply()));
            }
            assertEquals(
                    "-CROSSSLOT Keys in request don't hash to the same slot\r\n",
                    subscriber.callString("SSUBSCRIBE", channels.get(0), channels.get(1)));

            String moving = channels.get(0);
            int slot = Slots.of(moving.getBytes(StandardCharsets.UTF_8));
            RedisServer source = nodes.get(0);
            RedisServer target = nodes.get(1);
            ClusterFailoverIT.migrate(cluster, slot, source, target);
            try {
                // The source lets go of the slot's shard channels and says so, as to its own clients.
                assertEquals(frame(protocol, "sunsubscribe", moving, ":2"), text(subscriber.readReply()));
                // Asked again: respite's map is stale, the source's MOVED is followed to the new owner.
                assertEquals(frame(protocol, "ssubscribe", moving, ":3"), subscriber.callString("SSUBSCRIBE", moving));
                assertEquals(":1\r\n", target.callString("SPUBLISH", moving, "moved"));
                assertEquals(frame(protocol, "smessage", moving, "moved"), text(subscriber.readReply()));
            } finally {
                ClusterFailoverIT.migrate(cluster, slot, target, source);
            }
        }
    }

    @Test
    void withReadFromReplicaReadOnlyCommandsReadReplicasAndGetsTheirPrimaries() throws IOException {
        try (ProxyFixture reads = ClusterFailoverIT.start(cluster, b -> b.readFrom(ReadFrom.REPLICA));
                RespTestClient client = reads.client()) {
            // On every loop (clients take them in turn) the first replica read is answered, not failed
            // while the replica's connections are still being opened.
            for (int i = 0; i < 4; i++) {
                assertEquals(":0\r\n", reads.client().callString("STRLEN", "never:" + i));
            }
            for (RedisServer node : cluster.all()) {
                node.callString("CONFIG", "RESETSTAT");
            }
            List<String> lists = new ArrayList<>();
            for (RedisServer node : cluster.nodes()) {
                int i = 0;
                while (owner("list:" + i) != node) {
                    i++;
                }
                lists.add("list:" + i);
            }
            for (String list : lists) {
                assertEquals(":2\r\n", client.callString("RPUSH", list, "a", "b"));
                // Replication is asynchronous: the replica has the list a moment later.
                Await.until(
                        list + " is read on its replica",
                        ProxyFixture.AWAIT,
                        () -> client.callString("LRANGE", list, "0", "-1").equals("*2\r\n$1\r\na\r\n$1\r\nb\r\n"));
                assertEquals("$1\r\nb\r\n", client.callString("LINDEX", list, "1"));
                assertEquals("+OK\r\n", client.callString("SET", "{" + list + "}:s", "new"));
                assertEquals("$3\r\nnew\r\n", client.callString("GET", "{" + list + "}:s"));
            }
            for (int i = 0; i < cluster.nodes().size(); i++) {
                String primary = cluster.nodes().get(i).callString("INFO", "commandstats");
                String replica = cluster.replicas().get(i).callString("INFO", "commandstats");
                assertTrue(replica.contains("cmdstat_lrange:") && replica.contains("cmdstat_lindex:"), replica);
                assertFalse(primary.contains("cmdstat_lrange:") || primary.contains("cmdstat_lindex:"), primary);
                assertTrue(primary.contains("cmdstat_get:"), "GET fills the cache: its primary tracks it");
                assertFalse(replica.contains("cmdstat_get:"), replica);
            }
        }
    }

    @Test
    void withAuthPassthroughEachUserRunsAsItselfOnEveryNode() throws IOException {
        for (RedisServer node : cluster.all()) {
            assertEquals(
                    "+OK\r\n", node.callString("ACL", "SETUSER", "app1", "reset", "on", ">pw1", "~app1:*", "+@all"));
            assertEquals(
                    "+OK\r\n", node.callString("ACL", "SETUSER", "app2", "reset", "on", ">pw2", "~app2:*", "+@all"));
        }
        try (ProxyFixture users = ProxyFixture.start(ProxyConfig.builder()
                .port(0)
                .adminPort(0)
                .ioThreads(2)
                .upstream(UpstreamUri.parse(cluster.uri()))
                .passthrough(true)
                .build())) {
            RespTestClient app1 = users.client();
            RespTestClient app2 = users.client();
            assertEquals("-NOAUTH Authentication required.\r\n", app1.callString("GET", "app1:0"));
            Await.until(
                    "Redis checks app1's password",
                    ProxyFixture.AWAIT,
                    () -> app1.callString("AUTH", "app1", "pw1").equals("+OK\r\n"));
            assertEquals("+OK\r\n", app2.callString("AUTH", "app2", "pw2"));
            Await.until(
                    "tracking is on",
                    ProxyFixture.AWAIT,
                    () -> users.proxy().coherence().caching());
            try (RespTestClient wrongDirect =
                    RespTestClient.connect(cluster.nodes().get(0).address())) {
                assertEquals(
                        wrongDirect.callString("AUTH", "app1", "nope"),
                        users.client().callString("AUTH", "app1", "nope"));
            }
            for (RedisServer node : cluster.nodes()) {
                int i = 0;
                while (owner("app1:" + i) != node) {
                    i++;
                }
                String key = "app1:" + i;
                assertEquals("+OK\r\n", app1.callString("SET", key, "v1"));
                users.awaitCached(app1, key, "$2\r\nv1\r\n");
                try (RespTestClient direct = RespTestClient.connect(node.address())) {
                    assertEquals("+OK\r\n", direct.callString("AUTH", "app2", "pw2"));
                    String refused = direct.callString("GET", key);
                    assertTrue(refused.startsWith("-NOPERM"), refused);
                    assertEquals(refused, app2.callString("GET", key), "refused as Redis refuses app2");
                }
                // A write on the node reaches app1's cached entry through that node's invalidations.
                assertEquals("+OK\r\n", node.callString("SET", key, "v2"));
                Await.until(
                        key + " is v2 for app1",
                        ProxyFixture.AWAIT,
                        () -> app1.callString("GET", key).equals("$2\r\nv2\r\n"));
            }
        }
    }

    /** A subscription reply or message as Redis writes it: an array in RESP2, a push in RESP3. */
    private static String frame(int protocol, String... elements) {
        StringBuilder frame = new StringBuilder(protocol == 3 ? ">" : "*")
                .append(elements.length)
                .append("\r\n");
        for (String element : elements) {
            frame.append(
                    element.startsWith(":") ? element + "\r\n" : "$" + element.length() + "\r\n" + element + "\r\n");
        }
        return frame.toString();
    }

    private static String text(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8);
    }

    @Test
    void keylessCommandsInATransactionFollowItsFirstKey() throws IOException {
        // A key on the last primary: were the transaction bound at its first (keyless) command, it
        // would land on another node and SET would fail.
        String key = "t:0";
        for (int i = 0; owner(key) != cluster.nodes().get(cluster.nodes().size() - 1); i++) {
            key = "t:" + i;
        }
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("PING"));
            assertEquals("+QUEUED\r\n", client.callString("SET", key, "in-tx"));
            assertEquals("+QUEUED\r\n", client.callString("ECHO", "e"));
            assertEquals("*3\r\n+PONG\r\n+OK\r\n$1\r\ne\r\n", client.callString("EXEC"));
            assertEquals("$5\r\nin-tx\r\n", owner(key).callString("GET", key));
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("PING"));
            assertEquals("+OK\r\n", client.callString("DISCARD"));
            assertEquals("+PONG\r\n", client.callString("PING"));
        }
    }

    @Test
    void malformedAndNodeWideCommandsAnswerAsRedisWould() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT);
                RespTestClient direct = RespTestClient.connect(oracle.address(), ProxyFixture.AWAIT)) {
            // A value missing across slots: what a cluster node says (CROSSSLOT before MSET's own
            // arity check), and nothing written; within a slot, Redis's arity error.
            assertEquals(
                    cluster.nodes().get(0).callString("MSET", "a", "1", "b"), client.callString("MSET", "a", "1", "b"));
            assertEquals(
                    direct.callString("MSET", "{a}1", "1", "{a}2"), client.callString("MSET", "{a}1", "1", "{a}2"));
            assertEquals(":0\r\n", client.callString("EXISTS", "a"));
            assertEquals("$-1\r\n", client.callString("RANDOMKEY"));
            client.callString("SET", "only", "1");
            // Whichever node holds the one key, RANDOMKEY finds it.
            for (int i = 0; i < 5; i++) {
                assertEquals("$4\r\nonly\r\n", client.callString("RANDOMKEY"));
            }
            assertEquals(direct.callString("SCRIPT", "KILL"), client.callString("SCRIPT", "KILL"));
            assertTrue(client.callString("SHUTDOWN").startsWith("-ERR respite does not relay SHUTDOWN"));
            for (RedisServer node : cluster.nodes()) {
                assertEquals("+PONG\r\n", node.callString("PING"), "no node was shut down");
            }
        }
    }

    @Test
    void aLostStreamOnOneNodeDropsThatNodesEntriesOnly() throws IOException {
        try (RespTestClient client = RespTestClient.connect(proxy.address(), ProxyFixture.AWAIT)) {
            // One key on each node: keys are tried in turn until every node has one.
            List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < cluster.nodes().size(); i++) {
                String key = "n:" + i;
                if (keys.stream().noneMatch(k -> owner(k) == owner(key))) {
                    keys.add(key);
                }
            }
            for (String key : keys) {
                client.callString("SET", key, "old");
                proxy.awaitCached(client, key, "$3\r\nold\r\n");
            }
            String lostKey = keys.get(0);
            RedisServer node = owner(lostKey);
            Matcher redirect = Pattern.compile("redir=(\\d+)").matcher(node.callString("CLIENT", "LIST"));
            assertTrue(redirect.find(), "the node's connections redirect to respite's stream on it");
            long entries = proxy.stats().entries();
            assertEquals(":1\r\n", node.callString("CLIENT", "KILL", "ID", redirect.group(1)));
            // Written while the stream is down: its invalidation is lost, and must not matter.
            node.callString("SET", lostKey, "new");
            Await.until(
                    "the node's entries are dropped",
                    ProxyFixture.AWAIT,
                    () -> proxy.stats().entries() < entries);
            assertEquals("$3\r\nnew\r\n", client.callString("GET", lostKey), "no stale read");
            for (String kept : keys.subList(1, keys.size())) {
                long hits = proxy.stats().hits();
                assertEquals("$3\r\nold\r\n", client.callString("GET", kept));
                assertEquals(hits + 1, proxy.stats().hits(), kept + " on another node is still cached");
            }
            proxy.awaitCached(client, lostKey, "$3\r\nnew\r\n");
            node.callString("SET", lostKey, "newer");
            Await.until(
                    "the node's stream is back and tracks",
                    ProxyFixture.AWAIT,
                    () -> client.callString("GET", lostKey).equals("$5\r\nnewer\r\n"));
        }
    }

    /** The primary serving {@code key}'s slot, as the test cluster splits slots evenly. */
    private RedisServer owner(String key) {
        int slot = Slots.of(key.getBytes(StandardCharsets.UTF_8));
        int n = cluster.nodes().size();
        for (int i = 0; i < n; i++) {
            if (slot < (i + 1) * 16384 / n) {
                return cluster.nodes().get(i);
            }
        }
        throw new IllegalStateException("slot " + slot);
    }

    private static void same(RespTestClient client, RespTestClient direct, String... command) throws IOException {
        String expected = direct.callString(command);
        String actual = client.callString(command);
        if (command[0].equals("HELLO")) {
            assertEquals(expected.substring(0, 3), actual.substring(0, 3), String.join(" ", command));
            return;
        }
        assertEquals(expected, actual, String.join(" ", command));
    }

    /** The bulk strings of an array reply, as a set of texts. */
    private static Set<String> keys(String reply) {
        Set<String> keys = new HashSet<>();
        Matcher bulk = Pattern.compile("\\$\\d+\r\n([^\r]*)\r\n").matcher(reply);
        while (bulk.find()) {
            keys.add(bulk.group(1));
        }
        return keys;
    }
}
