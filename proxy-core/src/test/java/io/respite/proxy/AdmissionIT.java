package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.admission.AdmissionStats;
import io.respite.proxy.config.RateLimit;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Admission control through a real Redis: the ops limit seen from Redis's side (how many commands
 * sit in Redis while it is paused), its queue and its refusal, cache hits that never wait behind
 * it, and the rate limits, whose excess never reaches Redis.
 *
 * <p>Redis is held with {@code CLIENT PAUSE ... WRITE}, sent by the test's own connection: a
 * paused connection's first SET waits parsed (CLIENT LIST flag {@code b}) and the SETs after it
 * wait unread in its query buffer ({@code qbuf}, bytes), so with SETs of one size the commands
 * respite has in flight can be counted in Redis. Reads (CLIENT LIST, GET) still run.
 */
@ExtendWith(RedisExtension.class)
class AdmissionIT {

    /** Long enough for any test: CLIENT UNPAUSE ends it. */
    static final String PAUSE_MILLIS = "1000000";
    /** A CLIENT LIST line of a connection the pause holds (flag b; t for tracking may come with it). */
    private static final Pattern PAUSED = Pattern.compile(" flags=[a-zA-Z]*b");

    @Test
    void twoHundredRequestsNeverHaveMoreThanFourCommandsInRedis(RedisServer redis) throws Exception {
        int requests = 200;
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                        redis, b -> b.upstreamOpsLimit(4).timeout(Duration.ofSeconds(60)));
                RespTestClient operator = RespTestClient.connect(redis.address())) {
            List<RespTestClient> clients = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                clients.add(fixture.client());
            }
            int setBytes = set(0).length;
            assertEquals("+OK\r\n", operator.callString("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE"));
            try {
                for (int i = 0; i < requests; i++) {
                    clients.get(i).send(set(i));
                }
                Await.until("four in flight, the rest queued", ProxyFixture.AWAIT, () -> {
                    AdmissionStats stats = fixture.proxy().admission().stats();
                    return stats.opsInFlight() == 4 && stats.opsQueued() == requests - 4;
                });
                Await.until("Redis holds the four", ProxyFixture.AWAIT, () -> heldInRedis(operator, setBytes) == 4);
                assertEquals(4, fixture.proxy().admission().stats().opsInFlight());
                assertEquals(4, heldInRedis(operator, setBytes), "and no more arrive");
            } finally {
                operator.callString("CLIENT", "UNPAUSE");
            }
            for (RespTestClient client : clients) {
                assertEquals("+OK\r\n", ProxyFixture.text(client.readReply()));
            }
            for (int i = 0; i < requests; i++) {
                assertEquals("$5\r\n" + value(i) + "\r\n", redis.callString("GET", key(i)), "none lost");
            }
            AdmissionStats stats = fixture.proxy().admission().stats();
            assertEquals(requests - 4, stats.opsWaited());
            assertEquals(0, stats.opsRefused());
            Await.until(
                    "every permit back",
                    ProxyFixture.AWAIT,
                    () -> fixture.proxy().admission().stats().opsInFlight() == 0);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWhileHitsAreStillAnswered(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                        redis, b -> b.upstreamOpsLimit(1).upstreamQueue(2).timeout(Duration.ofSeconds(60)));
                RespTestClient operator = RespTestClient.connect(redis.address())) {
            RespTestClient reader = fixture.client();
            assertEquals("+OK\r\n", reader.callString("SET", "hot", "1"));
            fixture.awaitCached(reader, "hot", "$1\r\n1\r\n");
            RespTestClient writer = fixture.client();
            RespTestClient late = fixture.client();
            assertEquals("+OK\r\n", operator.callString("CLIENT", "PAUSE", PAUSE_MILLIS, "WRITE"));
            try {
                writer.send(concat(set(1), set(2), set(3)));
                Await.until("one in flight, two queued", ProxyFixture.AWAIT, () -> {
                    AdmissionStats stats = fixture.proxy().admission().stats();
                    return stats.opsInFlight() == 1 && stats.opsQueued() == 2;
                });
                assertEquals("-ERR respite busy, upstream ops limit reached\r\n", late.callString("SET", "x", "1"));
                long hits = fixture.stats().hits();
                for (int i = 0; i < 10; i++) {
                    assertEquals("$1\r\n1\r\n", reader.callString("GET", "hot"), "a hit never waits");
                }
                assertEquals(hits + 10, fixture.stats().hits());
            } finally {
                operator.callString("CLIENT", "UNPAUSE");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals("+OK\r\n", ProxyFixture.text(writer.readReply()));
            }
            assertEquals("$-1\r\n", redis.callString("GET", "x"), "the refused SET never reached Redis");
            assertEquals(1, fixture.proxy().admission().stats().opsRefused());
            assertEquals("+OK\r\n", late.callString("SET", "x", "1"), "and the lane goes on");
        }
    }

    @Test
    void aClientOverItsRateIsRefusedAndCountedAndItsExcessNeverReachesRedis(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.rateLimit(new RateLimit(1, 3)))) {
            long start = System.nanoTime();
            RespTestClient client = fixture.client();
            List<String> replies = pipeline(client, 20);
            int admitted = admittedThenRefused(replies, 3, start);
            for (int i = 0; i < 20; i++) {
                assertEquals(i < admitted ? ":1\r\n" : ":0\r\n", redis.callString("EXISTS", key(i)), key(i));
            }
            String info = fixture.client().callString("INFO", "respite");
            assertTrue(info.contains("admission_rate_limited_client:" + (20 - admitted) + "\r\n"), info);
            assertTrue(info.contains("admission_rate_limited_global:0\r\n"), info);
        }
    }

    @Test
    void theGlobalRateIsSharedByEveryClient(RedisServer redis) throws Exception {
        long start = System.nanoTime();
        try (ProxyFixture fixture = ProxyFixture.start(redis, b -> b.globalRateLimit(new RateLimit(1, 4)))) {
            List<String> first = pipeline(fixture.client(), 3);
            assertEquals(List.of("+OK\r\n", "+OK\r\n", "+OK\r\n"), first);
            List<String> second = pipeline(fixture.client(), 20);
            int admitted = admittedThenRefused(second, 1, start);
            AdmissionStats stats = fixture.proxy().admission().stats();
            assertEquals(20 - admitted, stats.rateLimitedGlobal());
            assertEquals(0, stats.rateLimitedClient());
        }
    }

    /**
     * Checks that {@code replies} are OKs, then rate-limit errors only, and that the OKs are the
     * {@code burst} plus at most one a second since {@code startNanos} (the rate of these tests):
     * a slow machine may see a token added. Returns how many were OK.
     */
    private static int admittedThenRefused(List<String> replies, int burst, long startNanos) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        int admitted = 0;
        while (admitted < replies.size() && replies.get(admitted).equals("+OK\r\n")) {
            admitted++;
        }
        assertTrue(admitted >= burst && admitted <= burst + seconds + 1, replies.toString());
        for (String reply : replies.subList(admitted, replies.size())) {
            assertEquals("-ERR rate limit exceeded\r\n", reply);
        }
        return admitted;
    }

    /** Sends {@code count} SETs in one write and reads their replies. */
    private static List<String> pipeline(RespTestClient client, int count) throws IOException {
        byte[][] sets = new byte[count][];
        for (int i = 0; i < count; i++) {
            sets[i] = set(i);
        }
        client.send(concat(sets));
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            replies.add(ProxyFixture.text(client.readReply()));
        }
        return replies;
    }

    /**
     * The commands that sit in Redis unexecuted: on each paused connection, the one parsed and
     * waiting plus those in its query buffer (all of {@code commandBytes}; the operator's own
     * connection is not paused).
     */
    static long heldInRedis(RespTestClient operator, int commandBytes) throws IOException {
        String list = operator.callString("CLIENT", "LIST");
        long held = 0;
        for (String line : list.split("\n")) {
            if (!PAUSED.matcher(line).find()) {
                continue;
            }
            long qbuf =
                    Long.parseLong(line.replaceAll(".* qbuf=(\\d+) .*", "$1").strip());
            assertEquals(0, qbuf % commandBytes, line);
            held += 1 + qbuf / commandBytes;
        }
        return held;
    }

    private static byte[] set(int i) {
        return RespTestClient.encodeCommand("SET", key(i), value(i));
    }

    private static String key(int i) {
        return String.format("k:%03d", i);
    }

    private static String value(int i) {
        return String.format("v:%03d", i);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
