package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
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
        ProxyFixture fixture = ProxyFixture.startCaching(redis);
        try (RespTestClient client = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10))) {
            assertEquals("+OK\r\n", client.callString("SET", "k", "v"));
            ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
            pipeline.writeBytes(RespTestClient.encodeCommand("DEBUG", "SLEEP", "1"));
            pipeline.writeBytes(RespTestClient.encodeCommand("GET", "k"));
            pipeline.writeBytes(RespTestClient.encodeCommand("INCR", "n"));
            client.send(pipeline.toByteArray());
            awaitSleeping(redis);

            long start = System.nanoTime();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(fixture::close);
            assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()), "DEBUG SLEEP");
            assertEquals("$1\r\nv\r\n", ProxyFixture.text(client.readReply()), "GET k");
            assertEquals(":1\r\n", ProxyFixture.text(client.readReply()), "INCR n");
            assertTrue(client.isClosedByPeer(), "closed once drained");
            stopped.get(10, TimeUnit.SECONDS);
            long stopNanos = System.nanoTime() - start;
            assertTrue(
                    stopNanos < TimeUnit.SECONDS.toNanos(4),
                    "stop waits for the sleep, not the 5 s drain timeout: " + TimeUnit.NANOSECONDS.toMillis(stopNanos)
                            + " ms");
            assertThrows(
                    ConnectException.class,
                    () -> RespTestClient.connect(fixture.address()).close());
            assertEquals("$1\r\n1\r\n", redis.callString("GET", "n"), "INCR ran upstream");
        } finally {
            fixture.close();
        }
    }

    @Test
    void stopGivesUpDrainingAtTheDrainTimeout(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.start("--enable-debug-command", "yes");
        ProxyFixture fixture = ProxyFixture.start(redis, b -> b.drainTimeout(Duration.ofMillis(300)));
        try (RespTestClient client = RespTestClient.connect(fixture.address(), Duration.ofSeconds(10))) {
            assertEquals("+PONG\r\n", client.callString("PING"));
            client.send(RespTestClient.encodeCommand("DEBUG", "SLEEP", "3"));
            awaitSleeping(redis);
            long start = System.nanoTime();
            fixture.close();
            long stopNanos = System.nanoTime() - start;
            assertTrue(
                    stopNanos > TimeUnit.MILLISECONDS.toNanos(250) && stopNanos < TimeUnit.MILLISECONDS.toNanos(2500),
                    "stop waits about the 300 ms drain timeout: " + TimeUnit.NANOSECONDS.toMillis(stopNanos) + " ms");
            assertTrue(client.isClosedByPeer(), "the client is closed without its reply");
        } finally {
            fixture.close();
        }
    }

    /**
     * Waits until Redis is inside a DEBUG SLEEP, so that a command sent behind it is certainly in
     * flight in respite: a PING on a connection of its own then gets no reply.
     */
    private static void awaitSleeping(RedisServer redis) {
        Await.until("Redis is running DEBUG SLEEP", ProxyFixture.AWAIT, () -> {
            try (RespTestClient probe = RespTestClient.connect(redis.address(), Duration.ofMillis(100))) {
                probe.call("PING");
                return false;
            } catch (SocketTimeoutException sleeping) {
                return true;
            }
        });
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
        assertThrows(
                ConnectException.class, () -> RespTestClient.connect(address).close());
        assertThrows(
                IllegalStateException.class, () -> fixture.proxy().start(), "a stopped proxy does not start again");
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
            Await.until(
                    "respite serves once Redis is up",
                    Duration.ofSeconds(10),
                    () -> client.callString("SET", "k", "v").equals("+OK\r\n"));
            assertEquals("$1\r\nv\r\n", client.callString("GET", "k"));
            fixture.awaitCaching();
        }
    }

    @Test
    void clientsThatNeverSelectUseTheUpstreamUriDatabase(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.start(
                ProxyFixture.config(redis, b -> b.upstream(UpstreamUri.parse(redis.uri() + "/2"))))) {
            RespTestClient client = fixture.client();
            Await.until(
                    "respite reaches Redis",
                    ProxyFixture.AWAIT,
                    () -> client.callString("SET", "k", "in-2").equals("+OK\r\n"));
            try (RespTestClient direct = RespTestClient.connect(redis.address())) {
                assertEquals("+OK\r\n", direct.callString("SELECT", "2"));
                assertEquals("$4\r\nin-2\r\n", direct.callString("GET", "k"), "k in database 2, as the URI says");
            }
        }
    }

    @Test
    void aTakenPortFailsStartWithIllegalState(RedisServer redis) throws IOException {
        try (ProxyFixture first = ProxyFixture.start(redis)) {
            int port = first.address().getPort();
            ProxyServer second = new ProxyServer(ProxyFixture.config(redis, b -> b.port(port)));
            IllegalStateException e = assertThrows(IllegalStateException.class, second::start);
            assertTrue(e.getMessage().startsWith("Failed to bind port " + port + " on 127.0.0.1"), e.getMessage());
            second.stop();
            try (RespTestClient client = RespTestClient.connect(first.address())) {
                assertEquals("+PONG\r\n", client.callString("PING"), "the first proxy is unaffected");
            }
        }
    }
}
