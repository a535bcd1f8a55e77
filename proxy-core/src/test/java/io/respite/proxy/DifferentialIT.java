package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RedisTls;
import io.respite.testing.RespTestClient;
import io.respite.testing.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same long, seeded {@link CommandMix} goes to one fresh Redis directly and to another fresh
 * Redis through respite, one command at a time on each, and every reply must be the same bytes
 * (TTLs aside, see {@link CommandMix#normalise}): in RESP2, and in RESP3 after HELLO 3, where the
 * relayed replies must be RESP3 too. HELLO itself is compared with its {@code id} masked.
 */
@ExtendWith(RedisExtension.class)
class DifferentialIT {

    /** Commands per run; a failure names the seed and the index, so it can be replayed. */
    private static final int COMMANDS = 6_000;

    @Test
    void resp2RepliesAreTheBytesRedisSends(RedisServer direct, RedisServer behind) throws IOException {
        compare(direct, behind, false, 0xD1FF_0002L);
    }

    @Test
    void resp3RepliesAreTheBytesRedisSends(RedisServer direct, RedisServer behind) throws IOException {
        compare(direct, behind, true, 0xD1FF_0003L);
    }

    @Test
    void helloRepliesAsRedisDoesApartFromTheId(RedisServer redis) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                RespTestClient direct = RespTestClient.connect(redis.address())) {
            RespTestClient proxied = fixture.client();
            for (String[] hello : List.of(
                    new String[] {"HELLO"},
                    new String[] {"HELLO", "3"},
                    new String[] {"HELLO"},
                    new String[] {"HELLO", "2", "SETNAME", "named"},
                    new String[] {"HELLO", "3", "AUTH", "default", "anything"},
                    new String[] {"HELLO", "4"},
                    new String[] {"HELLO", "x"},
                    new String[] {"HELLO", "3", "NOSUCHOPTION"},
                    new String[] {"HELLO", "2", "SETNAME", "bad name"})) {
                assertEquals(
                        maskHelloId(direct.callString(hello)),
                        maskHelloId(proxied.callString(hello)),
                        String.join(" ", hello));
            }
            assertEquals(direct.callString("CLIENT", "GETNAME"), proxied.callString("CLIENT", "GETNAME"));
        }
    }

    /**
     * The same run with TLS end to end: a TLS client on respite's TLS port, respite to a TLS-only
     * Redis (with a client certificate, as Redis requires by default), against another TLS-only
     * Redis reached directly.
     */
    @Test
    void repliesAreTheBytesRedisSendsOverTls(RedisFleet fleet, @TempDir Path dir) throws IOException {
        TestPki.Ca ca = TestPki.newCa("differential CA");
        RedisServer direct = fleet.startTls(RedisTls.issue(ca, dir.resolve("direct")));
        RedisServer behind = fleet.startTls(RedisTls.issue(ca, dir.resolve("behind")));
        TestPki.Issued respite = ca.issue("respite");
        Path cert = respite.writeCertificate(dir.resolve("respite.crt"));
        Path key = respite.writeKey(dir.resolve("respite.key"));
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                        behind,
                        b -> b.tlsPort(0)
                                .tlsCertificate(cert, key)
                                .upstreamTlsCa(caFile)
                                .upstreamTlsCertificate(cert, key));
                RespTestClient redis = direct.client(Duration.ofSeconds(10))) {
            compare(fixture, redis, fixture.tlsClient(ca.clientContext()), true, 0xD1FF_7153L);
        }
    }

    private static void compare(RedisServer direct, RedisServer behind, boolean resp3, long seed) throws IOException {
        try (ProxyFixture fixture = ProxyFixture.startCaching(behind);
                RespTestClient redis = RespTestClient.connect(direct.address())) {
            compare(fixture, redis, fixture.client(), resp3, seed);
        }
    }

    /** Sends the mix to Redis directly ({@code redis}) and through respite ({@code proxied}), comparing every reply. */
    private static void compare(
            ProxyFixture fixture, RespTestClient redis, RespTestClient proxied, boolean resp3, long seed)
            throws IOException {
        if (resp3) {
            assertEquals(maskHelloId(redis.callString("HELLO", "3")), maskHelloId(proxied.callString("HELLO", "3")));
        }
        long hitsBefore = fixture.stats().hits();
        // EVAL writes included: respite invalidates the keys a script declares it writes.
        List<byte[][]> commands = new CommandMix(seed, true, CommandMix.LARGE_VALUE_BYTES).next(COMMANDS);
        for (int i = 0; i < commands.size(); i++) {
            byte[][] command = commands.get(i);
            byte[] expected = CommandMix.normalise(command, redis.call(command));
            byte[] actual = CommandMix.normalise(command, proxied.call(command));
            int index = i;
            assertArrayEquals(
                    expected,
                    actual,
                    () -> "seed " + Long.toHexString(seed) + ", command #" + index
                            + " " + CommandMix.render(command) + "\n  Redis:   "
                            + CommandMix.render(new byte[][] {expected})
                            + "\n  respite: " + CommandMix.render(new byte[][] {actual}) + "\n  after:\n    "
                            + String.join(
                                    "\n    ",
                                    commands.subList(Math.max(0, index - 12), index).stream()
                                            .map(CommandMix::render)
                                            .toList()));
        }
        // The comparison is worth something only if the cache took part.
        long hits = fixture.stats().hits() - hitsBefore;
        assertTrue(hits > COMMANDS / 20, "cache hits during the run: " + hits);
    }

    /** HELLO's reply with the connection id (RESP2 {@code $2 id :N} or the RESP3 map entry) replaced by {@code :ID}. */
    static String maskHelloId(String reply) {
        return reply.replaceFirst("\\$2\r\nid\r\n:\\d+\r\n", "\\$2\r\nid\r\n:ID\r\n");
    }
}
