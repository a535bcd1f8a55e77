package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ClientOutputLimit;
import io.respite.proxy.session.ClientSession;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that asks for large replies and never reads them: respite holds a bounded amount for
 * it (by bytes, not only by count), disconnects it at its output limit, and nobody else waits.
 */
@ExtendWith(RedisExtension.class)
class SlowClientIT {

    private static final int VALUE_BYTES = 2 * 1024 * 1024;
    private static final long HARD_LIMIT_BYTES = 8L * 1024 * 1024;

    @Test
    void aClientThatNeverReadsIsBoundedThenDisconnectedAndNobodyWaits(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                redis, b -> b.clientOutputLimit(new ClientOutputLimit(HARD_LIMIT_BYTES, 0, Duration.ZERO)))) {
            byte[] big = new byte[VALUE_BYTES];
            Arrays.fill(big, (byte) 'v');
            RespTestClient bystander = fixture.client();
            assertEquals(
                    "+OK\r\n",
                    new String(
                            bystander.call(
                                    "SET".getBytes(StandardCharsets.US_ASCII),
                                    "big".getBytes(StandardCharsets.US_ASCII),
                                    big),
                            StandardCharsets.US_ASCII));

            AtomicLong maxHeld = new AtomicLong();
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(4096);
                slow.connect(fixture.address());
                OutputStream out = slow.getOutputStream();
                byte[] request = RespTestClient.encodeCommand("GETRANGE", "big", "0", "-1");
                for (int i = 0; i < 100; i++) {
                    out.write(request);
                }
                out.flush();

                long[] latencies = new long[400];
                for (int i = 0; i < latencies.length; i++) {
                    long start = System.nanoTime();
                    assertEquals("+OK\r\n", bystander.callString("SET", "small", "s" + i));
                    assertEquals("$" + ("s" + i).length() + "\r\ns" + i + "\r\n", bystander.callString("GET", "small"));
                    latencies[i] = System.nanoTime() - start;
                    maxHeld.accumulateAndGet(fixture.proxy().sumOverClients(ClientSession::outputBytes), Math::max);
                }
                Arrays.sort(latencies);
                long p99 = TimeUnit.NANOSECONDS.toMillis(latencies[latencies.length * 99 / 100]);
                assertTrue(p99 < 250, "bystander p99 " + p99 + " ms");

                // The slow client, once it reads, finds its connection closed well before 100 replies.
                InputStream in = slow.getInputStream();
                slow.setSoTimeout(10_000);
                long received = 0;
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int n; (n = in.read(chunk)) >= 0; ) {
                        received += n;
                    }
                } catch (SocketException reset) {
                    // Closed with replies unread: the kernel resets the connection instead of ending it.
                }
                assertTrue(received < 100L * VALUE_BYTES, "closed early: " + received + " bytes received");
            }
            Await.until(
                    "nothing is held for the closed client",
                    ProxyFixture.AWAIT,
                    () -> fixture.proxy().sumOverClients(ClientSession::outputBytes) < 1024 * 1024);
            assertTrue(
                    maxHeld.get() <= HARD_LIMIT_BYTES + VALUE_BYTES + 64 * 1024,
                    "at most the hard limit and one reply held: " + maxHeld.get());
        }
    }
}
