package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pub/sub through respite: the subscriptions of every client of a loop share one upstream
 * connection, and each client sees exactly what Redis would show it.
 */
@ExtendWith(RedisExtension.class)
class PubSubIT {

    private static final int LOOPS = 2;

    @Test
    void aThousandSubscribersShareOneUpstreamConnectionPerLoop(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                RespTestClient publisher = RespTestClient.connect(redis.address());
                RespTestClient observer = RespTestClient.connect(redis.address())) {
            List<RespTestClient> subscribers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                RespTestClient subscriber = fixture.client();
                boolean resp3 = i % 2 == 1;
                if (resp3) {
                    assertTrue(subscriber.callString("HELLO", "3").startsWith("%"));
                }
                subscriber.send(RespTestClient.encodeCommand("SUBSCRIBE", "ch" + i % 100));
                assertEquals(
                        frame(resp3, "subscribe", "ch" + i % 100, ":1"),
                        text(subscriber.readReply()),
                        "subscriber " + i);
                subscriber.send(RespTestClient.encodeCommand("PSUBSCRIBE", "pat:" + i % 10 + ":*"));
                assertEquals(frame(resp3, "psubscribe", "pat:" + i % 10 + ":*", ":2"), text(subscriber.readReply()));
                subscribers.add(subscriber);
            }
            String clients = observer.callString("CLIENT", "LIST");
            long subscribed = clients.lines()
                    .filter(line -> line.startsWith("id=") && !line.contains(" sub=0 psub=0 "))
                    .count();
            assertEquals(LOOPS, subscribed, "one upstream subscriber connection per loop:\n" + clients);
            for (int n = 0; n < 5; n++) {
                for (int c = 0; c < 100; c++) {
                    assertTrue(
                            publisher.callString("PUBLISH", "ch" + c, "m" + n).startsWith(":"));
                }
                for (int p = 0; p < 10; p++) {
                    publisher.callString("PUBLISH", "pat:" + p + ":x", "p" + n);
                }
            }
            for (int i = 0; i < 1000; i++) {
                RespTestClient subscriber = subscribers.get(i);
                boolean resp3 = i % 2 == 1;
                List<String> messages = new ArrayList<>();
                List<String> patterns = new ArrayList<>();
                for (int k = 0; k < 10; k++) {
                    String frame = text(subscriber.readReply());
                    if (frame.contains("pmessage")) {
                        patterns.add(frame);
                    } else {
                        messages.add(frame);
                    }
                }
                for (int n = 0; n < 5; n++) {
                    assertEquals(frame(resp3, "message", "ch" + i % 100, "m" + n), messages.get(n), "subscriber " + i);
                    assertEquals(
                            frame(resp3, "pmessage", "pat:" + i % 10 + ":*", "pat:" + i % 10 + ":x", "p" + n),
                            patterns.get(n),
                            "subscriber " + i);
                }
            }
            for (RespTestClient subscriber : subscribers) {
                subscriber.close();
            }
            Await.until(
                    "the loops unsubscribed upstream",
                    Duration.ofSeconds(10),
                    () -> observer.callString("PUBSUB", "NUMPAT").equals(":0\r\n")
                            && observer.callString("PUBSUB", "CHANNELS").equals("*0\r\n"));
        }
    }

    /**
     * The same session of subscribes and unsubscribes, to Redis and through respite, in RESP2 and
     * RESP3: every reply byte for byte the same.
     */
    @Test
    void subscriptionRepliesAreRedisOwn(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            for (String protocol : List.of("2", "3")) {
                List<String> direct = session(redis.address(), protocol);
                List<String> through = session(fixture.address(), protocol);
                assertEquals(direct, through, "RESP" + protocol);
            }
        }
    }

    private static List<String> session(InetSocketAddress address, String protocol) throws IOException {
        // Each command with the number of replies Redis gives it.
        List<Object[]> commands = List.of(
                new Object[] {2, "SUBSCRIBE", "a", "b"},
                new Object[] {1, "PSUBSCRIBE", "x*"},
                new Object[] {1, "SUBSCRIBE", "a"},
                new Object[] {1, "PING"},
                new Object[] {1, "PING", "hello"},
                new Object[] {1, "GET", "k"},
                new Object[] {2, "UNSUBSCRIBE", "b", "c"},
                new Object[] {2, "SSUBSCRIBE", "s1", "s2"},
                new Object[] {1, "SUNSUBSCRIBE", "s1"},
                new Object[] {1, "PUNSUBSCRIBE"},
                new Object[] {1, "UNSUBSCRIBE"},
                new Object[] {1, "SUNSUBSCRIBE"},
                new Object[] {1, "UNSUBSCRIBE"},
                new Object[] {1, "PUNSUBSCRIBE", "y*"},
                new Object[] {1, "SUBSCRIBE"},
                new Object[] {1, "PING"});
        List<String> replies = new ArrayList<>();
        try (RespTestClient client = RespTestClient.connect(address)) {
            client.callString("HELLO", protocol);
            for (Object[] entry : commands) {
                String[] command = new String[entry.length - 1];
                for (int i = 1; i < entry.length; i++) {
                    command[i - 1] = (String) entry[i];
                }
                client.send(RespTestClient.encodeCommand(command));
                for (int i = 0; i < (Integer) entry[0]; i++) {
                    replies.add(String.join(" ", command) + " -> " + text(client.readReply()));
                }
            }
        }
        return replies;
    }

    @Test
    void aSubscriberThatNeverReadsIsCutOffWhileTheOthersKeepReceiving(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                RespTestClient publisher = RespTestClient.connect(redis.address());
                // Without a small receive buffer, loopback autotuning lets the kernel hold most of the flood.
                RespTestClient stalled = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10), 64 * 1024)) {
            RespTestClient reading = fixture.client();
            for (RespTestClient subscriber : List.of(stalled, reading)) {
                assertEquals(frame(false, "subscribe", "flood", ":1"), subscriber.callString("SUBSCRIBE", "flood"));
            }
            String payload = "x".repeat(100_000);
            // 60 MB: past the 32 MB hard limit of a subscriber's output and the few MB the kernel holds.
            for (int n = 0; n < 600; n++) {
                publisher.callString("PUBLISH", "flood", n + ":" + payload);
                String message = text(reading.readReply());
                assertTrue(message.contains("\r\n" + n + ":x"), "message " + n + " reached the reading subscriber");
            }
            // Its reads give up after 10 s without a byte: a timeout says it was never cut off.
            try {
                while (true) {
                    stalled.readReply();
                }
            } catch (SocketTimeoutException open) {
                throw new AssertionError("the stalled subscriber is still connected", open);
            } catch (IOException closed) {
                // Cut off, as Redis cuts off a subscriber past its output limit.
            }
            // The stalled client's loop unsubscribes upstream once it has closed it: a moment after the test sees it.
            Await.until(
                    "the stalled subscriber's subscription is gone upstream",
                    Duration.ofSeconds(10),
                    () -> publisher.callString("PUBSUB", "NUMSUB", "flood").endsWith(":1\r\n"));
            assertEquals(":1\r\n", publisher.callString("PUBLISH", "flood", "after"), "one subscriber left");
            assertEquals(frame(false, "message", "flood", "after"), text(reading.readReply()));
        }
    }

    @Test
    void subscribersLoseTheirConnectionWhenTheUpstreamOneBreaks(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient subscriber = fixture.client();
            assertEquals(frame(false, "subscribe", "a", ":1"), subscriber.callString("SUBSCRIBE", "a"));
            assertTrue(redis.callString("CLIENT", "KILL", "TYPE", "pubsub").startsWith(":"));
            String reply = text(subscriber.readReply());
            assertTrue(reply.startsWith("-ERR upstream unavailable"), reply);
            assertTrue(subscriber.isClosedByPeer(), "closed, as a connection to Redis that broke");
            RespTestClient again = fixture.client();
            assertEquals(frame(false, "subscribe", "a", ":1"), again.callString("SUBSCRIBE", "a"), "a new connection");
            assertEquals(":1\r\n", redis.callString("PUBLISH", "a", "back"));
            assertEquals(frame(false, "message", "a", "back"), text(again.readReply()));
        }
    }

    @Test
    void anUpstreamRestartMidStreamClosesTheSubscribers(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            List<RespTestClient> subscribers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RespTestClient subscriber = fixture.client();
                assertEquals(frame(false, "subscribe", "live", ":1"), subscriber.callString("SUBSCRIBE", "live"));
                subscribers.add(subscriber);
            }
            assertEquals(":2\r\n", redis.callString("PUBLISH", "live", "before"), "two loops, two connections");
            redis.stop();
            redis.start();
            for (RespTestClient subscriber : subscribers) {
                assertEquals(frame(false, "message", "live", "before"), text(subscriber.readReply()));
                String reply = text(subscriber.readReply());
                assertTrue(reply.startsWith("-ERR upstream unavailable"), reply);
                assertTrue(subscriber.isClosedByPeer(), "closed, as a connection to Redis that broke");
            }
        }
    }

    /** As Redis writes pushes: a RESP3 subscriber gets a message while a reply is still due to it. */
    @Test
    void aRespThreeSubscriberGetsMessagesAheadOfARepliesStillDue(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient subscriber = fixture.client();
            assertTrue(subscriber.callString("HELLO", "3").startsWith("%"));
            assertEquals(frame(true, "subscribe", "news", ":1"), subscriber.callString("SUBSCRIBE", "news"));
            subscriber.send(RespTestClient.encodeCommand("BLPOP", "queue", "0"));
            Await.until(
                    "BLPOP blocks in Redis",
                    ProxyFixture.AWAIT,
                    () -> redis.callString("INFO", "clients").contains("blocked_clients:1\r\n"));
            assertEquals(":1\r\n", redis.callString("PUBLISH", "news", "early"));
            assertEquals(frame(true, "message", "news", "early"), text(subscriber.readReply()), "not behind BLPOP");
            assertEquals(":1\r\n", redis.callString("LPUSH", "queue", "x"));
            assertEquals("*2\r\n$5\r\nqueue\r\n$1\r\nx\r\n", text(subscriber.readReply()));
        }
    }

    /** A channel the upstream user may not use: Redis's refusal reaches the client, nothing hangs. */
    @Test
    void aSubscribeTheUpstreamUserMayNotMakeIsRefusedAsRedisRefusesIt(RedisServer redis) throws Exception {
        assertEquals(
                "+OK\r\n",
                redis.callString("ACL", "SETUSER", "app", "on", ">app-pass", "~*", "+@all", "resetchannels", "&open"));
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                        redis,
                        b -> b.upstream(
                                UpstreamUri.parse("redis://app:app-pass@" + redis.host() + ":" + redis.port())));
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            assertEquals("+OK\r\n", direct.callString("AUTH", "app", "app-pass"));
            String refusedByRedis = direct.callString("SUBSCRIBE", "secret");
            assertTrue(refusedByRedis.startsWith("-NOPERM"), refusedByRedis);
            RespTestClient client = fixture.client();
            assertEquals(refusedByRedis, client.callString("SUBSCRIBE", "secret"), "Redis's own refusal");
            assertEquals(frame(false, "subscribe", "open", ":1"), client.callString("SUBSCRIBE", "open"));
            assertEquals(":1\r\n", redis.callString("PUBLISH", "open", "hi"));
            assertEquals(frame(false, "message", "open", "hi"), text(client.readReply()));
        }
    }

    /** A pub/sub frame: a RESP2 array or a RESP3 push of bulk strings, an element ":n" an integer. */
    private static String frame(boolean resp3, String... elements) {
        StringBuilder out = new StringBuilder((resp3 ? ">" : "*") + elements.length + "\r\n");
        for (String element : elements) {
            out.append(
                    element.startsWith(":")
                            ? element + "\r\n"
                            : "$" + element.getBytes(StandardCharsets.UTF_8).length + "\r\n" + element + "\r\n");
        }
        return out.toString();
    }

    private static String text(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8);
    }
}
