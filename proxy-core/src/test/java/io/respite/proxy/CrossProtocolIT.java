package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis's guard against cross-protocol scripting, kept by respite: a client that sends
 * {@code POST} or {@code Host:} (a browser tricked into talking to Redis, or a forged server-side
 * request) is closed at once, and nothing of it, or after it, reaches Redis. It must not cost
 * anybody else anything: once, such a client broke the shared upstream connection and flushed
 * the cache each time.
 */
@ExtendWith(RedisExtension.class)
class CrossProtocolIT {

    private static final String HTTP_REQUEST = "POST /keys HTTP/1.1\r\nHost: localhost:6380\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 26\r\n\r\nSET crossproto pwned\r\n";

    @Test
    void anHttpRequestIsClosedAndNothingOfItReachesRedis(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            String before = commandStats(redis);
            for (String attack : new String[] {
                HTTP_REQUEST,
                "GET / HTTP/1.1\r\nHost: x\r\n\r\nSET crossproto pwned\r\n",
                "*2\r\n$5\r\nHost:\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$10\r\ncrossproto\r\n$5\r\npwned\r\n",
                "*1\r\n$4\r\npost\r\n*3\r\n$3\r\nSET\r\n$10\r\ncrossproto\r\n$5\r\npwned\r\n"
            }) {
                RespTestClient attacker = fixture.client();
                attacker.send(attack.getBytes(StandardCharsets.US_ASCII));
                drainUntilClosed(attacker, attack);
            }
            assertEquals("$-1\r\n", redis.callString("GET", "crossproto"), "nothing after the guard ran");
            String after = commandStats(redis);
            // "GET / HTTP/1.1" is a GET with two arguments: Redis answers it with an arity error, as respite relays.
            assertEquals(
                    before.replaceAll("cmdstat_(get|info|command):[^\r]*\r\n", ""),
                    after.replaceAll("cmdstat_(get|info|command):[^\r]*\r\n", ""),
                    "no command of the attackers (POST, Host:, SET) reached Redis");
        }
    }

    @Test
    void otherClientsSeeNoErrorAndTheCacheStays(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "cached", "value"));
            fixture.awaitCached(client, "cached", "$5\r\nvalue\r\n");
            AtomicBoolean attacking = new AtomicBoolean(true);
            AtomicInteger attacks = new AtomicInteger();
            AtomicReference<Throwable> attackFailure = new AtomicReference<>();
            Thread attacker = new Thread(
                    () -> {
                        try {
                            while (attacking.get()) {
                                try (RespTestClient c = RespTestClient.connect(fixture.address())) {
                                    c.send("Host: x\r\n".getBytes(StandardCharsets.US_ASCII));
                                    assertTrue(c.isClosedByPeer());
                                    attacks.incrementAndGet();
                                }
                            }
                        } catch (Throwable e) {
                            attackFailure.set(e);
                        }
                    },
                    "attacker");
            attacker.start();
            try {
                for (int i = 0; attacks.get() < 50 || i < 200; i++) {
                    assertEquals("+OK\r\n", client.callString("SET", "bystander", "v" + i), "write " + i);
                    assertEquals(
                            "$" + ("v" + i).length() + "\r\nv" + i + "\r\n", client.callString("GET", "bystander"));
                }
            } finally {
                attacking.set(false);
                attacker.join();
            }
            assertEquals(null, attackFailure.get(), "every attacker was closed");
            long hits = fixture.stats().hits();
            assertEquals("$5\r\nvalue\r\n", client.callString("GET", "cached"));
            assertEquals(hits + 1, fixture.stats().hits(), "the cache was not flushed: still a hit");
        }
    }

    /** Reads whatever the proxy sends until it closes the connection, which it must. */
    private static void drainUntilClosed(RespTestClient client, String attack) {
        try {
            assertTrue(client.isClosedByPeer(), "closed after " + attack);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String commandStats(RedisServer redis) throws IOException {
        String bulk = redis.callString("INFO", "commandstats");
        return bulk.substring(bulk.indexOf("\r\n") + 2).replaceAll("usec[^\r]*", "");
    }
}
