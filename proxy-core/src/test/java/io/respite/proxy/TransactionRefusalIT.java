package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactions fail safe when respite cannot give them a connection: beyond --max-pinned, or with
 * the upstream down, nothing a client meant for its transaction runs outside one. (Once, past the
 * limit, MULTI was refused and the INCR behind it ran on the shared lane before EXEC answered
 * "EXEC without MULTI".)
 */
@ExtendWith(RedisExtension.class)
class TransactionRefusalIT {

    /** How long a MULTI waits for a connection to be free before it is refused (--timeout). */
    private static final Duration LEASE_WAIT = Duration.ofMillis(500);

    private static final String EXECABORT = "-EXECABORT Transaction discarded because of previous errors.\r\n";

    @Test
    void pastMaxPinnedATransactionRunsNothing(RedisServer redis) throws Exception {
        try (ProxyFixture fixture =
                ProxyFixture.startCaching(redis, b -> b.maxPinned(2).timeout(LEASE_WAIT))) {
            for (int i = 0; i < 2; i++) {
                assertEquals("+OK\r\n", fixture.client().callString("MULTI"), "holds a connection");
            }
            RespTestClient late = fixture.client();
            long asked = System.nanoTime();
            assertTrue(late.callString("MULTI").startsWith("-ERR max number of pinned connections reached"));
            assertTrue(
                    System.nanoTime() - asked >= LEASE_WAIT.toNanos(),
                    "refused only after waiting --timeout for a connection to be free");
            assertTrue(late.callString("INCR", "counter").startsWith("-ERR not queued"));
            assertTrue(late.callString("SET", "other", "v").startsWith("-ERR not queued"));
            assertEquals(EXECABORT, late.callString("EXEC"));
            assertEquals("$-1\r\n", redis.callString("GET", "counter"), "the INCR never ran");
            assertEquals("$-1\r\n", redis.callString("GET", "other"));
            assertEquals(":1\r\n", late.callString("INCR", "counter"), "after EXEC the connection works as usual");
        }
    }

    @Test
    void pastMaxPinnedAWatchIsNotSilentlyDropped(RedisServer redis) throws Exception {
        try (ProxyFixture fixture =
                ProxyFixture.startCaching(redis, b -> b.maxPinned(1).timeout(LEASE_WAIT))) {
            RespTestClient holder = fixture.client();
            assertEquals("+OK\r\n", holder.callString("WATCH", "balance"));
            RespTestClient late = fixture.client();
            assertTrue(late.callString("WATCH", "balance").startsWith("-ERR max number of pinned connections"));
            assertEquals("+OK\r\n", holder.callString("UNWATCH"));
            // A connection is free again, but the transaction cannot honour the WATCH it relies on.
            assertTrue(late.callString("MULTI").startsWith("-ERR a WATCH of this connection could not be kept"));
            assertTrue(late.callString("SET", "balance", "0").startsWith("-ERR not queued"));
            assertEquals(EXECABORT, late.callString("EXEC"));
            assertEquals("$-1\r\n", redis.callString("GET", "balance"));
        }
    }

    @Test
    void withTheUpstreamDownATransactionRunsNothing(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient client = fixture.client();
            redis.stop();
            client.send(RespTestClient.encodeCommand("MULTI"));
            client.send(RespTestClient.encodeCommand("INCR", "counter"));
            client.send(RespTestClient.encodeCommand("EXEC"));
            for (int i = 0; i < 3; i++) {
                String reply = new String(client.readReply(), StandardCharsets.UTF_8);
                assertTrue(reply.startsWith("-ERR upstream unavailable") || reply.startsWith("-EXECABORT"), reply);
            }
            redis.start();
            assertEquals("$-1\r\n", redis.callString("GET", "counter"), "nothing ran once Redis was back");
        }
    }
}
