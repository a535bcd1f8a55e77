package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * {@code --auth passthrough} against a real Redis with ACL users: Redis checks every client's
 * credentials, each client's commands run as its user, and the cache never serves a user what
 * Redis would refuse them. Every refusal through respite is compared with the same command sent to
 * Redis directly as the same user: the same error, word for word.
 */
@ExtendWith(RedisExtension.class)
class PassthroughIT {

    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";

    private final List<RespTestClient> direct = new ArrayList<>();

    @AfterEach
    void closeDirect() throws IOException {
        for (RespTestClient client : direct) {
            client.close();
        }
    }

    /**
     * Two users with different key patterns and command rules: app1 may read and write
     * {@code app1:*}, app2 may only read {@code app2:*}; both may read and app1 write {@code shared:*}.
     */
    private static void users(RedisServer redis) throws IOException {
        String app1 = "ACL SETUSER app1 reset on >pw1 ~app1:* ~shared:* +@connection +get +mget +pttl +set +del"
                + " +multi +exec +config|get";
        String app2 = "ACL SETUSER app2 reset on >pw2 ~app2:* ~shared:* +@connection -client|list -client|kill"
                + " +get +mget +pttl +blpop";
        assertEquals("+OK\r\n", redis.callString(app1.split(" ")));
        assertEquals("+OK\r\n", redis.callString(app2.split(" ")));
    }

    private static ProxyFixture passthrough(RedisServer redis) {
        ProxyFixture fixture = ProxyFixture.start(redis, b -> b.passthrough(true));
        Await.until(
                "tracking is on",
                ProxyFixture.AWAIT,
                () -> fixture.proxy().coherence().caching());
        return fixture;
    }

    /** A client of Redis itself, authenticated as {@code user}: what Redis answers that user. */
    private RespTestClient directAs(RedisServer redis, String user, String password) throws IOException {
        RespTestClient client = RespTestClient.connect(redis.address());
        direct.add(client);
        assertEquals("+OK\r\n", client.callString("AUTH", user, password));
        return client;
    }

    private static RespTestClient authenticated(ProxyFixture fixture, String user, String password) throws IOException {
        RespTestClient client = fixture.client();
        assertEquals("+OK\r\n", client.callString("AUTH", user, password));
        return client;
    }

    @Test
    void eachUserRunsAsItselfAndIsNeverServedWhatRedisWouldRefuseIt(RedisServer redis) throws Exception {
        users(redis);
        try (ProxyFixture fixture = passthrough(redis)) {
            RespTestClient stranger = fixture.client();
            assertEquals(NOAUTH, stranger.callString("GET", "app1:k"));
            assertEquals(NOAUTH, stranger.callString("SET", "app1:k", "x"));

            RespTestClient app1 = authenticated(fixture, "app1", "pw1");
            assertEquals("+OK\r\n", app1.callString("SET", "app1:k", "v"));
            fixture.awaitCached(app1, "app1:k", "$1\r\nv\r\n");

            RespTestClient app2 = authenticated(fixture, "app2", "pw2");
            RespTestClient redisAsApp2 = directAs(redis, "app2", "pw2");
            String refused = redisAsApp2.callString("GET", "app1:k");
            assertTrue(refused.startsWith("-NOPERM"), refused);
            long hits = fixture.stats().hits();
            assertEquals(refused, app2.callString("GET", "app1:k"), "a key app1 has cached: Redis's refusal");
            assertEquals(refused, app2.callString("GET", "app1:k"), "and again");
            assertEquals(hits, fixture.stats().hits(), "never from app1's partition");
            assertEquals(
                    redisAsApp2.callString("MGET", "app1:k", "app2:k"),
                    app2.callString("MGET", "app1:k", "app2:k"),
                    "MGET as Redis answers it");

            String commandRefused = redisAsApp2.callString("SET", "app2:k", "x");
            assertTrue(commandRefused.startsWith("-NOPERM"), commandRefused);
            assertEquals(commandRefused, app2.callString("SET", "app2:k", "x"), "a command app2 may not run");
            assertEquals(
                    redisAsApp2.callString("BLPOP", "app1:list", "0.01"),
                    app2.callString("BLPOP", "app1:list", "0.01"),
                    "on a dedicated connection, as app2 too");
            assertEquals(
                    redisAsApp2.callString("CONFIG", "GET", "maxmemory"),
                    app2.callString("CONFIG", "GET", "maxmemory"),
                    "CONFIG as Redis's ACL says");

            assertEquals(
                    redisAsApp2.callString("CLIENT", "LIST"),
                    app2.callString("CLIENT", "LIST"),
                    "respite's clients are not listed to a user Redis would not list its own to");
            assertEquals(
                    redisAsApp2.callString("CLIENT", "KILL", "ID", "1"), app2.callString("CLIENT", "KILL", "ID", "1"));
            assertTrue(app1.callString("CLIENT", "LIST").contains(" user=app2 "), "app1 may list them");

            assertEquals(
                    "*2\r\n$11\r\nrequirepass\r\n$21\r\n(redacted by respite)\r\n",
                    app1.callString("CONFIG", "GET", "requirepass"),
                    "a user allowed CONFIG GET sees no password through respite");

            assertEquals("+OK\r\n", app1.callString("MULTI"));
            assertEquals("+QUEUED\r\n", app1.callString("GET", "app1:k"));
            assertEquals("*1\r\n$1\r\nv\r\n", app1.callString("EXEC"), "a transaction, as app1");
            assertTrue(app1.callString("CLIENT", "INFO").contains(" user=app1 "));

            RespTestClient redisAsApp1 = directAs(redis, "app1", "pw1");
            String channelRefused = redisAsApp1.callString("SUBSCRIBE", "news");
            assertTrue(channelRefused.startsWith("-NOPERM"), channelRefused);
            assertEquals(channelRefused, app1.callString("SUBSCRIBE", "news"), "channels as the user's ACL says");
        }
    }

    @Test
    void aWriteByOneUserReachesWhatAnotherCachedAndWritesElsewhereToo(RedisServer redis) throws Exception {
        users(redis);
        try (ProxyFixture fixture = passthrough(redis)) {
            RespTestClient app1 = authenticated(fixture, "app1", "pw1");
            RespTestClient app2 = authenticated(fixture, "app2", "pw2");
            assertEquals("+OK\r\n", app1.callString("SET", "shared:k", "old"));
            fixture.awaitCached(app2, "shared:k", "$3\r\nold\r\n");

            assertEquals("+OK\r\n", app1.callString("SET", "shared:k", "new"));
            assertEquals("$3\r\nnew\r\n", app2.callString("GET", "shared:k"), "app1's write, seen by app2 at once");

            fixture.awaitCached(app2, "shared:k", "$3\r\nnew\r\n");
            assertEquals("+OK\r\n", redis.callString("SET", "shared:k", "elsewhere"));
            Await.until(
                    "Redis's invalidation reaches app2's partition",
                    ProxyFixture.AWAIT,
                    () -> app2.callString("GET", "shared:k").equals("$9\r\nelsewhere\r\n"));
        }
    }

    @Test
    void passwordsAreCheckedByRedisOnEveryAuthAndNeverLogged(RedisServer redis) throws Exception {
        users(redis);
        Logger log = (Logger) LoggerFactory.getLogger("io.respite");
        Level level = log.getLevel();
        log.setLevel(Level.DEBUG);
        List<String> lines;
        try (LogCapture capture = LogCapture.of("io.respite")) {
            passwordsAreCheckedByRedis(redis, capture);
            lines = capture.linesWithCauses();
        } finally {
            log.setLevel(level);
        }
        for (String line : lines) {
            for (String secret : List.of("pw1", "pw2", "nosuchpass")) {
                assertFalse(line.contains(secret), "a password in the log: " + line);
            }
        }
    }

    private void passwordsAreCheckedByRedis(RedisServer redis, LogCapture log) throws Exception {
        try (ProxyFixture fixture = passthrough(redis)) {
            try (RespTestClient plain = RespTestClient.connect(redis.address())) {
                RespTestClient client = fixture.client();
                String wrong = plain.callString("AUTH", "app1", "wrong");
                assertTrue(wrong.startsWith("-WRONGPASS"), wrong);
                assertEquals(wrong, client.callString("AUTH", "app1", "wrong"));
                assertEquals(NOAUTH, client.callString("PING"));
                assertEquals(
                        plain.callString("AUTH", "nosuchpass"),
                        client.callString("AUTH", "nosuchpass"),
                        "AUTH with only a password is the default user's, as Redis answers it");
                String hello = plain.callString("HELLO", "3", "AUTH", "app2", "wrong");
                assertEquals(hello, client.callString("HELLO", "3", "AUTH", "app2", "wrong"));
            }
            RespTestClient resp3 = fixture.client();
            assertTrue(resp3.callString("HELLO", "3", "AUTH", "app2", "pw2").startsWith("%7\r\n"));
            assertEquals("_\r\n", resp3.callString("GET", "app2:none"), "a RESP3 nil, read as app2");

            RespTestClient before = authenticated(fixture, "app1", "pw1");
            assertEquals("+OK\r\n", before.callString("SET", "app1:k", "v"));
            assertEquals("+OK\r\n", redis.callString("ACL", "SETUSER", "app1", "off"));
            RespTestClient after = fixture.client();
            String disabled;
            try (RespTestClient plain = RespTestClient.connect(redis.address())) {
                disabled = plain.callString("AUTH", "app1", "pw1");
            }
            assertTrue(disabled.startsWith("-WRONGPASS"), disabled);
            assertEquals(disabled, after.callString("AUTH", "app1", "pw1"), "off: new connections are refused");
            assertEquals(NOAUTH, after.callString("GET", "app1:k"));
            assertEquals("$1\r\nv\r\n", before.callString("GET", "app1:k"), "one authenticated before goes on");

            assertEquals("+OK\r\n", redis.callString("ACL", "SETUSER", "app1", "on"));
            assertEquals("+OK\r\n", after.callString("AUTH", "app1", "pw1"), "on again: accepted again");
            assertEquals("$1\r\nv\r\n", after.callString("GET", "app1:k"));

            // The user's lane reconnects with a password Redis no longer takes: its failure is
            // logged with Redis's reason, and without the password.
            assertEquals("+OK\r\n", redis.callString("ACL", "SETUSER", "app1", "resetpass", ">other"));
            assertTrue(redis.callString("CLIENT", "KILL", "USER", "app1").startsWith(":"));
            Await.until("the lane's failed handshake is logged", ProxyFixture.AWAIT, () -> log.contains("WRONGPASS"));
            String down = after.callString("GET", "app1:k");
            assertTrue(down.startsWith("-ERR upstream unavailable"), down);
        }
    }

    @Test
    void maxUsersBoundsTheLanesAndClosingOneForgetsWhatItRead(RedisServer redis) throws Exception {
        users(redis);
        try (ProxyFixture fixture =
                ProxyFixture.start(redis, b -> b.passthrough(true).ioThreads(1).maxUsers(1))) {
            Await.until(
                    "tracking is on",
                    ProxyFixture.AWAIT,
                    () -> fixture.proxy().coherence().caching());
            RespTestClient app1 = authenticated(fixture, "app1", "pw1");
            assertEquals("+OK\r\n", app1.callString("SET", "app1:k", "v"));
            fixture.awaitCached(app1, "app1:k", "$1\r\nv\r\n");

            RespTestClient app2 = fixture.client();
            String full = app2.callString("AUTH", "app2", "pw2");
            assertTrue(full.startsWith("-ERR respite has upstream connections open for as many users"), full);
            assertEquals(NOAUTH, app2.callString("PING"), "refused: not authenticated");

            app1.close();
            Await.until(
                    "app1's lane is idle and makes room",
                    ProxyFixture.AWAIT,
                    () -> app2.callString("AUTH", "app2", "pw2").equals("+OK\r\n"));
            assertEquals(
                    0, fixture.stats().entries(), "Redis no longer tracks what app1's lane read: the cache is empty");
        }
    }
}
