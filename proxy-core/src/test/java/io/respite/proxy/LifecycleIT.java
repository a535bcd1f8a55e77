package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** start() and stop(): draining in-flight commands, idempotence, and starting before Redis does. */
@ExtendWith(RedisExtension.class)
class LifecycleIT {

    @Test
    void stopLetsInFlightCommandsFinishThenCloses(RedisFleet fleet) throws Exception {
        // DEBUG SLEEP keeps a command in flight upstream for a known time.
        RedisServer redis = fleet.start("--enable-debug-command", "yes");
        ProxyFixture fixture = ProxyFixture.start(redis);
        try (RespTestClient client = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10))) {
            fixture.awaitCaching();
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(RespTestClient.encodeCommand("SET", "k", "v"));
            pipeline.writeBytes(RespTestClient.encodeCommand("DEBUG", "SLEEP", "0.5"));
            pipeline.writeBytes(RespTestClient.encodeCommand("GET", "k"));
            pipeline.writeBytes(RespTestClient.encodeCommand("INCR", "n"));
            client.send(pipeline.toByteArray());
            // The first reply shows respite has read the pipeline; DEBUG SLEEP is now running.
            assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()));

            long start = System.nanoTime();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(fixture::close);
            assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()), "DEBUG SLEEP");
            assertEquals("$1\r\nv\r\n", ProxyFixture.text(client.readReply()), "GET k");
            assertEquals(":1\r\n", ProxyFixture.text(client.readReply()), "INCR n");
            assertTrue(client.isClosedByPeer(), "closed once drained");
            stopped.get(10, TimeUnit.SECONDS);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "stop took about the sleep, not the drain timeout");
            assertThrows(ConnectException.class, () -> RespTestClient.connect(fixture.address()).close());
            assertEquals("$1\r\n1\r\n", redis.callString("GET", "n"), "INCR ran upstream");
        } finally {
            fixture.close();
        }
    }

    @Test
    void stopIsIdempotentFromAnyThread(RedisServer redis) throws Exception {
        ProxyFixture fixture = ProxyFixture.start(redis);
        InetSocketAddress address = fixture.address();
        try (RespTestClient client = RespTestClient.connect(address)) {
            assertEquals("+PONG\r\n", client.callString("PING"));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stops.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                fixture.proxy().stop();
            }));
        }
        go.countDown();
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        fixture.proxy().stop();
        fixture.close();
        assertThrows(ConnectException.class, () -> RespTestClient.connect(address).close());
        assertThrows(IllegalStateException.class, () -> fixture.proxy().start(), "a stopped proxy does not start again");
    }

    @Test
    void startsBeforeRedisAndServesOnceItIsUp(RedisServer redis) throws Exception {
        redis.stop();
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.timeout(Duration.ofSeconds(2)))) {
            RespTestClient client = fixture.client(Duration.ofSeconds(3));
            String reply = client.callString("SET", "k", "v");
            assertTrue(reply.startsWith("-ERR upstream unavailable ("), reply);
            assertEquals("+PONG\r\n", client.callString("PING"), "local commands need no upstream");
            redis.start();
            Await.until("respite serves once Redis is up", Duration.ofSeconds(10),
                    () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            fixture.awaitCaching();
        }
    }
}
