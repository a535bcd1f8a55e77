package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The commands respite answers itself (AUTH and --requirepass, HELLO, QUIT, RESET, CLIENT) and
 * --max-clients, compared with what Redis answers where Redis is the reference. Commands with
 * connection state (MULTI, blocking, pub/sub) are in StatefulCommandsIT.
 */
@ExtendWith(RedisExtension.class)
class ConnectionCommandsIT {

    private static final Pattern ID_FIELD = Pattern.compile("\\$2\r\nid\r\n:(\\d+)\r\n");

    /** Each exchange before and after authenticating, compared with a Redis that has the same requirepass. */
    @Test
    void requirepassAnswersAsRedisDoes(RedisServer upstream, RedisFleet fleet) throws IOException {
        RedisServer reference = fleet.start();
        // Set at run time: the harness's start-up PING would meet NOAUTH with --requirepass on the command line.
        assertEquals("+OK\r\n", reference.callString("CONFIG", "SET", "requirepass", "s3cret"));
        try (ProxyFixture fixture = ProxyFixture.start(upstream, b -> b.requirepass("s3cret"));
                RespTestClient redis = RespTestClient.connect(reference.address())) {
            RespTestClient proxied = fixture.client();
            List<String[]> exchanges = List.of(
                    new String[] {"GET", "k"},
                    new String[] {"PING"},
                    new String[] {"SET", "k", "v"},
                    new String[] {"SELECT", "3"},
                    new String[] {"CLIENT", "ID"},
                    new String[] {"AUTH", "wrong"},
                    new String[] {"AUTH", "default", "wrong"},
                    new String[] {"AUTH", "nosuchuser", "s3cret"},
                    new String[] {"AUTH", "a", "b", "c"},
                    new String[] {"AUTH"},
                    new String[] {"HELLO", "2", "AUTH", "default", "wrong"},
                    new String[] {"GET", "k"},
                    new String[] {"AUTH", "s3cret"},
                    new String[] {"GET", "k"},
                    new String[] {"SET", "k", "v"},
                    new String[] {"GET", "k"},
                    new String[] {"RESET"},
                    new String[] {"GET", "k"},
                    new String[] {"AUTH", "default", "s3cret"},
                    new String[] {"GET", "k"},
                    new String[] {"RESET"},
                    new String[] {"GET", "k"});
            for (String[] exchange : exchanges) {
                assertEquals(redis.callString(exchange), proxied.callString(exchange), String.join(" ", exchange));
            }
            // The wording of this one changed in Redis 7.2 ("HELLO <proto> AUTH"); respite uses the newer one.
            assertTrue(
                    fixture.client()
                            .callString("HELLO", "3")
                            .startsWith(
                                    "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "));
            // HELLO with AUTH authenticates and switches protocol in one go.
            RespTestClient hello = fixture.client();
            assertEquals(
                    maskId(redis.callString("HELLO", "3", "AUTH", "default", "s3cret")),
                    maskId(hello.callString("HELLO", "3", "AUTH", "default", "s3cret")));
            assertEquals("$1\r\nv\r\n", hello.callString("GET", "k"));
            assertEquals("_\r\n", hello.callString("GET", "missing"));
        }
    }

    @Test
    void theUpstreamUriPasswordIsRespitesNotTheClients(RedisServer redis) throws IOException {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "requirepass", "up-pass"));
        try (ProxyFixture fixture = ProxyFixture.start(ProxyFixture.config(
                redis, b -> b.upstream(UpstreamUri.parse("redis://:up-pass@127.0.0.1:" + redis.port()))))) {
            RespTestClient client = fixture.client();
            Await.until(
                    "respite reaches Redis",
                    ProxyFixture.AWAIT,
                    () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
            fixture.awaitCaching();
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            // The RESP3 upstream connection authenticates too (HELLO 3 AUTH).
            assertTrue(client.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", client.callString("SET", "k3", "v3"));
            assertEquals("$2\r\nv3\r\n", client.callString("GET", "k3"));
        }
    }

    @Test
    void selectKnowsHowManyDatabasesTheUpstreamHas(RedisFleet fleet) throws IOException {
        RedisServer redis = fleet.start("--databases", "4");
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient proxied = fixture.client();
            for (String db : List.of("3", "4", "16", "-1")) {
                assertEquals(direct.callString("SELECT", db), proxied.callString("SELECT", db), "SELECT " + db);
            }
        }
    }

    @Test
    void authWithoutRequirepassAnswersAsRedisDoes(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient proxied = fixture.client();
            for (String[] exchange : List.of(
                    new String[] {"AUTH", "anything"},
                    new String[] {"AUTH", "default", "anything"},
                    new String[] {"PING"})) {
                assertEquals(direct.callString(exchange), proxied.callString(exchange), String.join(" ", exchange));
            }
        }
    }

    @Test
    void quitRepliesOkThenCloses(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient proxied = fixture.client();
            // QUIT pipelined behind a command: both replies, in order, then the close.
            byte[] pipeline = concat(
                    RespTestClient.encodeCommand("PING"),
                    RespTestClient.encodeCommand("QUIT"),
                    RespTestClient.encodeCommand("PING"));
            direct.send(pipeline);
            proxied.send(pipeline);
            for (int i = 0; i < 2; i++) {
                assertEquals(ProxyFixture.text(direct.readReply()), ProxyFixture.text(proxied.readReply()));
            }
            assertTrue(direct.isClosedByPeer(), "Redis closes after QUIT");
            assertTrue(proxied.isClosedByPeer(), "respite closes after QUIT");
        }
    }

    @Test
    void quitAfterAnUpstreamCommandWaitsForItsReply(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            RespTestClient client = fixture.client();
            Await.until(
                    "respite reaches Redis",
                    ProxyFixture.AWAIT,
                    () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
            client.send(RespTestClient.encodeCommand("INCR", "n"));
            client.send(RespTestClient.encodeCommand("QUIT"));
            assertEquals(":1\r\n", ProxyFixture.text(client.readReply()));
            assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void resetRestoresEveryConnectionDefault(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "k", "in-0"));
            assertTrue(client.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals("+OK\r\n", client.callString("SELECT", "3"));
            assertEquals("+OK\r\n", client.callString("CLIENT", "SETNAME", "before-reset"));
            assertEquals("_\r\n", client.callString("GET", "k"));
            assertEquals("+RESET\r\n", client.callString("RESET"));
            assertEquals("$4\r\nin-0\r\n", client.callString("GET", "k"), "database 0 again");
            assertEquals("$-1\r\n", client.callString("GET", "missing"), "RESP2 again");
            assertEquals("$-1\r\n", client.callString("CLIENT", "GETNAME"), "no name");
        }
    }

    /**
     * CLIENT LIST and CLIENT KILL through respite concern respite's clients, as CLIENT ID and
     * CLIENT INFO do; a KILL that matches none of them goes on to Redis.
     */
    @Test
    void clientListAndKillConcernRespitesClients(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient first = fixture.client();
            RespTestClient second = fixture.client();
            assertEquals("+OK\r\n", second.callString("CLIENT", "SETNAME", "victim"));
            assertEquals("+OK\r\n", second.callString("SELECT", "3"));
            String secondId = second.callString("CLIENT", "ID").substring(1).strip();
            String list = first.callString("CLIENT", "LIST");
            String line = list.lines()
                    .filter(l -> l.contains("id=" + secondId + " "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(list));
            assertTrue(line.contains(" name=victim ") && line.contains(" db=3 ") && line.contains(" flags=N "), line);
            assertTrue(line.contains(" cmd=client|id ") || line.contains(" cmd=client "), line);
            // Redis's own fields, in Redis's order, are all there.
            List<String> redisKeys = keys(direct.callString("CLIENT", "INFO"));
            List<String> respiteKeys = keys(line);
            assertTrue(respiteKeys.containsAll(redisKeys), respiteKeys + " lacks some of " + redisKeys);
            assertTrue(first.callString("CLIENT", "LIST", "ID", secondId).contains("name=victim"), "CLIENT LIST ID");
            assertFalse(first.callString("CLIENT", "LIST", "TYPE", "pubsub").contains("id="), "nobody subscribed");

            assertEquals(":1\r\n", first.callString("CLIENT", "KILL", "ID", secondId));
            assertTrue(second.isClosedByPeer(), "killed");
            assertEquals(":0\r\n", first.callString("CLIENT", "KILL", "ID", "987654321"), "Redis's answer: none");
        }
    }

    private static List<String> keys(String line) {
        List<String> keys = new ArrayList<>();
        for (String field : line.strip().split(" ")) {
            int equals = field.indexOf('=');
            if (equals > 0) {
                keys.add(field.substring(field.lastIndexOf('\n') + 1, equals));
            }
        }
        return keys;
    }

    @Test
    void clientIdNameAndInfoDescribeTheConnection(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient first = fixture.client();
            RespTestClient second = fixture.client();
            String firstId = first.callString("CLIENT", "ID");
            String secondId = second.callString("CLIENT", "ID");
            assertTrue(firstId.matches(":\\d+\r\n"), firstId);
            assertNotEquals(firstId, secondId, "each connection has its own id");
            Matcher helloId = ID_FIELD.matcher(first.callString("HELLO", "3"));
            assertTrue(helloId.find());
            assertEquals(firstId, ":" + helloId.group(1) + "\r\n", "HELLO's id is CLIENT ID");

            for (String[] exchange : List.of(
                    new String[] {"CLIENT", "GETNAME"},
                    new String[] {"CLIENT", "SETNAME", "worker-1"},
                    new String[] {"CLIENT", "GETNAME"},
                    new String[] {"CLIENT", "SETNAME", "bad name"},
                    new String[] {"CLIENT", "SETNAME", "bad\nname"},
                    new String[] {"CLIENT", "GETNAME"},
                    new String[] {"CLIENT", "SETNAME", ""},
                    new String[] {"CLIENT", "GETNAME"},
                    new String[] {"CLIENT"},
                    new String[] {"CLIENT", "SETNAME"})) {
                assertEquals(direct.callString(exchange), second.callString(exchange), String.join(" ", exchange));
            }
            assertEquals("+OK\r\n", second.callString("CLIENT", "SETINFO", "lib-name", "respite-test"));

            assertEquals("+OK\r\n", first.callString("CLIENT", "SETNAME", "worker-2"));
            assertEquals("+OK\r\n", first.callString("SELECT", "3"));
            assertTrue(first.callString("HELLO", "2").startsWith("*14\r\n"));
            String info = first.callString("CLIENT", "INFO");
            String id = firstId.substring(1, firstId.length() - 2);
            assertTrue(info.startsWith("$"), "a bulk string, as Redis sends in RESP2: " + info);
            for (String field : List.of("id=" + id + " ", " name=worker-2 ", " db=3 ", " resp=2 ")) {
                assertTrue(info.contains(field), field + " in " + info);
            }
        }
    }

    @Test
    void connectionsBeyondMaxClientsGetRedisError(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.maxClients(2))) {
            RespTestClient first = fixture.client();
            RespTestClient second = fixture.client();
            assertEquals("+PONG\r\n", first.callString("PING"));
            assertEquals("+PONG\r\n", second.callString("PING"));
            try (RespTestClient third = RespTestClient.connect(fixture.address())) {
                assertEquals("-ERR max number of clients reached\r\n", ProxyFixture.text(third.readReply()));
                assertTrue(third.isClosedByPeer());
            }
            second.close();
            Await.until("a place is free again", ProxyFixture.AWAIT, () -> {
                try (RespTestClient again = RespTestClient.connect(fixture.address(), Duration.ofSeconds(2))) {
                    return again.callString("PING").equals("+PONG\r\n");
                }
            });
            assertEquals("+PONG\r\n", first.callString("PING"));
        }
    }

    private static String maskId(String hello) {
        return ID_FIELD.matcher(hello).replaceFirst("\\$2\r\nid\r\n:ID\r\n");
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void clientInfoIsAVerbatimStringInResp3AsRedisSends(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient proxied = fixture.client();
            assertTrue(direct.callString("HELLO", "3").startsWith("%7\r\n"));
            assertTrue(proxied.callString("HELLO", "3").startsWith("%7\r\n"));
            String expected = direct.callString("CLIENT", "INFO");
            String actual = proxied.callString("CLIENT", "INFO");
            assertTrue(expected.matches("=\\d+\r\ntxt:id=\\d+ (?s).*"), expected);
            assertTrue(actual.matches("=\\d+\r\ntxt:id=\\d+ (?s).*"), "respite's CLIENT INFO in RESP3: " + actual);
        }
    }
}
