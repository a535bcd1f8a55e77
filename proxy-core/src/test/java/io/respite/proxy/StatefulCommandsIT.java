package io.respite.proxy;

import static io.respite.proxy.ProxyFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Commands whose state lives on a connection, through respite: they get a dedicated upstream
 * connection and behave as on Redis, and a client blocked or subscribed delays no one else.
 */
@ExtendWith(RedisExtension.class)
class StatefulCommandsIT {

    @Test
    void multiExecWithWatchConflictAndInvalidationAfterExec(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient a = fixture.client();
            RespTestClient b = fixture.client();
            assertEquals("+OK\r\n", a.callString("SET", "k", "v1"));
            assertEquals("$2\r\nv1\r\n", a.callString("GET", "k"));
            assertEquals("+OK\r\n", a.callString("WATCH", "k"));
            assertEquals("+OK\r\n", b.callString("SET", "k", "other"));
            assertEquals("+OK\r\n", a.callString("MULTI"));
            assertEquals("+QUEUED\r\n", a.callString("SET", "k", "mine"));
            assertEquals("*-1\r\n", a.callString("EXEC"), "the watched key changed: the transaction is aborted");
            assertEquals("$5\r\nother\r\n", a.callString("GET", "k"));

            assertEquals("+OK\r\n", a.callString("MULTI"));
            assertEquals("+QUEUED\r\n", a.callString("SET", "k", "v2"));
            assertEquals("+QUEUED\r\n", a.callString("GET", "k"), "reads inside MULTI go upstream");
            assertEquals("*2\r\n+OK\r\n$2\r\nv2\r\n", a.callString("EXEC"));
            assertEquals("$2\r\nv2\r\n", a.callString("GET", "k"), "the transaction's write left the cache");
            assertEquals("$2\r\nv2\r\n", b.callString("GET", "k"));

            assertEquals("+OK\r\n", a.callString("MULTI"));
            assertEquals("+QUEUED\r\n", a.callString("SET", "k", "dropped"));
            assertEquals("+OK\r\n", a.callString("DISCARD"));
            assertEquals("$2\r\nv2\r\n", a.callString("GET", "k"));
            assertEquals("-ERR EXEC without MULTI\r\n", a.callString("EXEC"), "and the session is unpinned again");
        }
    }

    @Test
    void aWritePipelinedBeforeMultiRunsBeforeTheTransaction(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient a = fixture.client();
            a.send(concat(
                    RespTestClient.encodeCommand("SET", "order", "before"),
                    RespTestClient.encodeCommand("MULTI"),
                    RespTestClient.encodeCommand("GET", "order"),
                    RespTestClient.encodeCommand("EXEC")));
            assertEquals("+OK\r\n", text(a.readReply()));
            assertEquals("+OK\r\n", text(a.readReply()));
            assertEquals("+QUEUED\r\n", text(a.readReply()));
            assertEquals("*1\r\n$6\r\nbefore\r\n", text(a.readReply()));
        }
    }

    @Test
    void blpopIsUnblockedByAPushWhileOthersAreServed(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient blocked = fixture.client(Duration.ofSeconds(20));
            RespTestClient pusher = fixture.client();
            RespTestClient reader = fixture.client();
            blocked.send(RespTestClient.encodeCommand("BLPOP", "queue", "15"));
            CompletableFuture<String> popped = CompletableFuture.supplyAsync(() -> {
                try {
                    return text(blocked.readReply());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertEquals("+OK\r\n", reader.callString("SET", "r", "1"));
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                assertEquals("$1\r\n1\r\n", reader.callString("GET", "r"));
            }
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "other clients are served meanwhile");
            assertTrue(!popped.isDone(), "BLPOP is still blocked");
            assertEquals(":1\r\n", pusher.callString("RPUSH", "queue", "job"));
            assertEquals("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", popped.get(5, TimeUnit.SECONDS));
            assertEquals("$1\r\n1\r\n", blocked.callString("GET", "r"), "the session is unpinned after BLPOP");
        }
    }

    @Test
    void subscribeAndPublishInResp2AndResp3(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient resp2 = fixture.client();
            RespTestClient resp3 = fixture.client();
            RespTestClient publisher = fixture.client();
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", resp2.callString("SUBSCRIBE", "news"));
            assertTrue(resp3.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals(">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", resp3.callString("SUBSCRIBE", "news"));
            assertEquals(":2\r\n", publisher.callString("PUBLISH", "news", "hello"));
            assertEquals("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", text(resp2.readReply()));
            assertEquals(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n", text(resp3.readReply()));
            assertEquals("*2\r\n$4\r\npong\r\n$0\r\n\r\n", resp2.callString("PING"), "PING in RESP2 subscribed mode");
            assertEquals("+OK\r\n", publisher.callString("SET", "k", "v"));
            assertEquals("$1\r\nv\r\n", resp3.callString("GET", "k"), "RESP3 allows commands while subscribed");
            assertEquals("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n", resp2.callString("UNSUBSCRIBE"));
            assertEquals(":1\r\n", publisher.callString("PUBLISH", "news", "again"));
            assertEquals(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nagain\r\n", text(resp3.readReply()));
        }
    }

    @Test
    void monitorStreamsCommandsOfOtherClients(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis)) {
            fixture.awaitCaching();
            RespTestClient monitor = fixture.client();
            RespTestClient other = fixture.client();
            assertEquals("+OK\r\n", monitor.callString("MONITOR"));
            assertEquals("+OK\r\n", other.callString("SET", "watched-key", "1"));
            String line = "";
            while (!line.contains("\"watched-key\"")) {
                line = text(monitor.readReply());
                assertTrue(line.startsWith("+"), line);
            }
            assertTrue(line.contains("\"SET\" \"watched-key\" \"1\""), line);
        }
    }

    @Test
    void pinnedConnectionsAreBoundedWithAClearError(RedisServer redis) throws Exception {
        try (ProxyFixture fixture =
                ProxyFixture.start(redis, options -> options.maxPinned(1).timeout(Duration.ofMillis(500)))) {
            fixture.awaitCaching();
            RespTestClient first = fixture.client();
            RespTestClient second = fixture.client();
            assertEquals("+OK\r\n", first.callString("MULTI"));
            String refused = second.callString("MULTI");
            assertTrue(refused.startsWith("-ERR max number of pinned connections reached"), refused);
            assertTrue(
                    second.callString("GET", "nothing").startsWith("-ERR not queued"),
                    "what follows a refused MULTI is refused until EXEC or DISCARD (TransactionRefusalIT)");
            assertEquals("+OK\r\n", second.callString("DISCARD"));
            assertEquals("$-1\r\n", second.callString("GET", "nothing"), "the refused client is still served");
            assertEquals("*0\r\n", first.callString("EXEC"));
            assertEquals("+OK\r\n", second.callString("MULTI"), "EXEC ended the first client's lease");
            // The first client's next MULTI waits for the second's lease to end, and gets it.
            first.send(RespTestClient.encodeCommand("MULTI"));
            assertEquals("*0\r\n", second.callString("EXEC"));
            assertEquals("+OK\r\n", new String(first.readReply(), StandardCharsets.UTF_8));
            assertEquals("*0\r\n", first.callString("EXEC"));
        }
    }

    @Test
    void aMonitorSeesTheClientsCommandsButNotRespitesSelects(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient monitor = fixture.client();
            assertEquals("+OK\r\n", monitor.callString("MONITOR"));
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SELECT", "5"));
            assertEquals("+OK\r\n", client.callString("SET", "seen", "1"));
            String line;
            do {
                line = text(monitor.readReply());
                assertTrue(!line.contains("\"SELECT\""), "respite's own SELECT hidden: " + line);
            } while (!line.contains("\"SET\" \"seen\""));
            assertTrue(line.contains("[5 "), "the client's SET, in database 5: " + line);
        }
    }

    /**
     * CLIENT PAUSE WRITE: a write waits in Redis for the pause, and reads behind it on the same
     * shared connection wait with it (one multiplexed connection implies it); all are answered
     * once the pause ends, none later.
     */
    @Test
    void clientPauseWriteHoldsTheSharedLaneOnlyForThePause(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.ioThreads(1))) {
            RespTestClient operator = fixture.client();
            RespTestClient writer = fixture.client();
            RespTestClient reader = fixture.client();
            long start = System.nanoTime();
            assertEquals("+OK\r\n", operator.callString("CLIENT", "PAUSE", "700", "WRITE"));
            writer.send(RespTestClient.encodeCommand("SET", "paused", "1"));
            reader.send(RespTestClient.encodeCommand("STRLEN", "other"));
            assertEquals(":0\r\n", text(reader.readReply()), "answered, after the write ahead of it");
            assertEquals("+OK\r\n", text(writer.readReply()));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 600, "the write waited for the pause: " + took + " ms");
            assertEquals("$1\r\n1\r\n", operator.callString("GET", "paused"));
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
