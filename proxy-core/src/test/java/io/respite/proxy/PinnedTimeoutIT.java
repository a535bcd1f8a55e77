package io.respite.proxy;

import static io.respite.proxy.ProxyFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --timeout} covers commands on a dedicated connection too (MULTI/EXEC, WATCH, pub/sub):
 * during a freeze of Redis they fail after the timeout with the documented error, and the client,
 * whose connection state is gone, is closed. Blocking commands keep their own timeout: BLPOP 0
 * waits through the freeze.
 */
@ExtendWith(RedisExtension.class)
class PinnedTimeoutIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final String TIMED_OUT = "-ERR upstream unavailable (timeout after 1000 ms)\r\n";
    /** Longest a timed-out command may take to fail: the timeout plus the watchdog's tick and slack. */
    private static final long FAILS_WITHIN_MILLIS = 2500;

    @Test
    void execDuringAFreezeTimesOutAndClosesTheClient(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT))) {
            RespTestClient client = fixture.client(Duration.ofSeconds(10));
            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("SET", "k", "v"));
            assertTimesOutDuringAFreeze(redis, client, "EXEC");
        }
    }

    @Test
    void aWriteUnderWatchDuringAFreezeTimesOut(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT))) {
            RespTestClient client = fixture.client(Duration.ofSeconds(10));
            assertEquals("+OK\r\n", client.callString("WATCH", "k"));
            assertTimesOutDuringAFreeze(redis, client, "SET", "k", "v");
        }
    }

    @Test
    void pingWhileSubscribedDuringAFreezeTimesOut(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT))) {
            RespTestClient client = fixture.client(Duration.ofSeconds(10));
            assertEquals("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n", client.callString("SUBSCRIBE", "ch"));
            assertTimesOutDuringAFreeze(redis, client, "PING");
        }
    }

    @Test
    void blpopZeroWaitsThroughAFreezeLongerThanTheTimeout(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis, b -> b.timeout(TIMEOUT))) {
            RespTestClient blocked = fixture.client(Duration.ofSeconds(20));
            blocked.send(RespTestClient.encodeCommand("BLPOP", "queue", "0"));
            CompletableFuture<String> popped = CompletableFuture.supplyAsync(() -> {
                try {
                    return text(blocked.readReply());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            RespTestClient other = fixture.client();
            // BLPOP has reached Redis once Redis lists it as blocked.
            Await.until(
                    "BLPOP blocks in Redis",
                    ProxyFixture.AWAIT,
                    () -> redis.callString("INFO", "clients").contains("blocked_clients:1"));
            redis.freeze();
            long thawAt = System.nanoTime() + 3 * TIMEOUT.toNanos();
            try {
                Await.until(
                        "the freeze outlasts the timeout three times",
                        Duration.ofSeconds(10),
                        () -> System.nanoTime() >= thawAt);
            } finally {
                redis.thaw();
            }
            assertTrue(!popped.isDone(), "BLPOP 0 still waits: " + (popped.isDone() ? popped.join() : ""));
            assertEquals(":1\r\n", other.callString("LPUSH", "queue", "job"));
            assertEquals("*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n", popped.get(10, TimeUnit.SECONDS));
        }
    }

    /** Freezes Redis, sends {@code command}, and expects the timeout error in time and then the close. */
    private static void assertTimesOutDuringAFreeze(RedisServer redis, RespTestClient client, String... command)
            throws Exception {
        redis.freeze();
        try {
            long start = System.nanoTime();
            String reply = client.callString(command);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(TIMED_OUT, reply);
            assertTrue(took >= TIMEOUT.toMillis() && took < FAILS_WITHIN_MILLIS, "failed after " + took + " ms");
            assertTrue(client.isClosedByPeer(), "its connection state is gone: the client is closed");
        } finally {
            redis.thaw();
        }
    }
}
