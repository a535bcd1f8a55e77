package io.respite.resp.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.respite.resp.RespAggregate;
import io.respite.resp.RespAttribute;
import io.respite.resp.RespLimits;
import io.respite.resp.RespMessage;
import io.respite.resp.RespType;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real replies from a real redis-server: captured raw, decoded by our decoders, re-encoded, and
 * compared byte for byte. Also compares our request decoder's protocol errors with Redis's own.
 */
@ExtendWith(RedisExtension.class)
class RespRedisRoundTripIT {

    private static final List<List<String>> SETUP = List.of(
            List.of("SET", "str", "hello"),
            List.of("SET", "empty", ""),
            List.of("SET", "bin", "a\r\nb\u0000c"),
            List.of("RPUSH", "list", "a", "b", "c"),
            List.of("HSET", "hash", "f1", "v1", "f2", "v2"),
            List.of("SADD", "set", "m1", "m2"),
            List.of("ZADD", "zset", "1.5", "a", "inf", "b"),
            List.of("XADD", "stream", "1-1", "field", "value"));

    /** Commands whose replies cover every RESP2 type, and under HELLO 3 every RESP3 type Redis sends. */
    private static final List<List<String>> COMMANDS = List.of(
            List.of("PING"),
            List.of("SET", "k", "v"),
            List.of("GET", "str"),
            List.of("GET", "empty"),
            List.of("GET", "bin"),
            List.of("GET", "missing"),
            List.of("INCR", "counter"),
            List.of("DECRBY", "counter", "5"),
            List.of("LRANGE", "list", "0", "-1"),
            List.of("LRANGE", "missing", "0", "-1"),
            List.of("HGETALL", "hash"),
            List.of("SMEMBERS", "set"),
            List.of("ZRANGE", "zset", "0", "-1", "WITHSCORES"),
            List.of("ZSCORE", "zset", "a"),
            List.of("ZSCORE", "zset", "b"),
            List.of("XRANGE", "stream", "-", "+"),
            List.of("SCAN", "0", "COUNT", "100"),
            List.of("BLPOP", "nolist", "0.01"),
            List.of("LPOP", "str"),
            List.of("NOSUCHCOMMAND"),
            List.of("GET"),
            List.of("CONFIG", "GET", "maxmemory"),
            List.of("COMMAND", "INFO", "get"),
            List.of("TYPE", "hash"),
            List.of("EVAL", "return {1, 'two', {3, false}}", "0"),
            List.of("EVAL", "return {double=3.5}", "0"),
            List.of("EVAL", "return {big_number='1234567890123456789012345678901234567890'}", "0"),
            List.of("EVAL", "return true", "0"),
            List.of("EVAL", "return redis.error_reply('MY custom')", "0"),
            List.of("DEBUG", "PROTOCOL", "attrib"),
            List.of("DEBUG", "PROTOCOL", "verbatim"),
            List.of("DEBUG", "PROTOCOL", "bignum"),
            List.of("DEBUG", "PROTOCOL", "map"),
            List.of("DEBUG", "PROTOCOL", "set"),
            List.of("DEBUG", "PROTOCOL", "null"),
            List.of("DEBUG", "PROTOCOL", "true"),
            List.of("DEBUG", "PROTOCOL", "false"),
            List.of("DEBUG", "PROTOCOL", "double"),
            List.of("INFO", "keyspace"),
            List.of("CLIENT", "INFO"));

    @Test
    void everyReplyTypeRoundTripsByteForByteInResp2AndResp3(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.start("--enable-debug-command", "yes");
        Set<RespType> seen = EnumSet.noneOf(RespType.class);
        try (RespTestClient client = RespTestClient.connect(redis.address())) {
            for (List<String> setup : SETUP) {
                client.call(setup.toArray(String[]::new));
            }
            for (String protocol : List.of("2", "3")) {
                byte[] hello = client.call("HELLO", protocol);
                assertRoundTrip(hello, seen);
                for (List<String> command : COMMANDS) {
                    assertRoundTrip(client.call(command.toArray(String[]::new)), seen);
                }
            }
            // RESP3 push: a subscription confirmation arrives as a push frame.
            assertRoundTrip(client.call("SUBSCRIBE", "channel"), seen);
        }
        Set<RespType> everySentByRedis = EnumSet.complementOf(EnumSet.of(RespType.BLOB_ERROR));
        assertEquals(everySentByRedis, seen, "Redis 7 sends every type but the blob error; that one is unit-tested");
    }

    private static void assertRoundTrip(byte[] raw, Set<RespType> seen) {
        String wire = new String(raw, StandardCharsets.ISO_8859_1);
        List<Object> decoded = Wire.decode(RespReplyDecoder::new, raw, Wire.everyByte(Math.min(raw.length, 64)));
        assertEquals(1, decoded.size(), wire);
        RespMessage message = (RespMessage) decoded.get(0);
        collectTypes(message, seen);
        assertEquals(wire, RespReplyCodecTest.encodeWithWriter(message), "re-encoded by RespWriter");
        assertEquals(wire, RespReplyCodecTest.encodeWithEncoder(message, 8), "re-encoded by RespEncoder");

        List<Object> frames = Wire.decode(RespFrameDecoder::new, raw, Wire.everyByte(Math.min(raw.length, 64)));
        assertEquals(1, frames.size(), wire);
        assertEquals(wire, Wire.text((ByteBuf) frames.get(0)), "relayed by RespFrameDecoder");
        ReferenceCountUtil.release(frames.get(0));
    }

    private static void collectTypes(RespMessage message, Set<RespType> seen) {
        seen.add(message.type());
        if (message instanceof RespAggregate aggregate) {
            aggregate.elements().forEach(element -> collectTypes(element, seen));
            if (aggregate instanceof RespAttribute attribute) {
                collectTypes(attribute.value(), seen);
            }
        }
    }

    /** Malformed requests: Redis's reply and ours must be the same error, and both must close. */
    private static final List<String> MALFORMED = List.of(
            "*3000000000\r\n",
            "*abc\r\n",
            "*+1\r\n",
            "*01\r\n",
            "*1\r\nfoo\r\n",
            "*1\r\n$-1\r\n",
            "*1\r\n$600000000\r\n",
            "*1\r\n$abc\r\n",
            "*1\r\n$+4\r\nPING\r\n",
            "GET \"foo\r\n",
            "GET 'foo\r\n",
            "ECHO \"a\"b\r\n",
            "x".repeat(70_000),
            "*1\r\n$" + "1".repeat(70_000));

    @Test
    void protocolErrorsMatchRedisWordForWord(RedisServer redis) throws Exception {
        for (String input : MALFORMED) {
            byte[] raw = input.getBytes(StandardCharsets.ISO_8859_1);
            String redisReply;
            try (RespTestClient client = RespTestClient.connect(redis.address())) {
                client.send(raw);
                redisReply = new String(client.readReply(), StandardCharsets.ISO_8859_1);
                assertTrue(client.isClosedByPeer(), "Redis closes after " + abbreviate(input));
            }
            List<Object> ours = Wire.decode(() -> new RespRequestDecoder(RespLimits.DEFAULT), raw);
            assertEquals(1, ours.size());
            assertEquals(redisReply, "-" + ((RespProtocolError) ours.get(0)).message() + "\r\n", abbreviate(input));
        }
    }

    @Test
    void unauthenticatedLimitsMatchRedisWithRequirepass(RedisFleet fleet) throws Exception {
        RedisServer redis = fleet.start("--requirepass", "secret");
        for (String input : List.of("*11\r\n", "*1\r\n$16385\r\n")) {
            byte[] raw = input.getBytes(StandardCharsets.ISO_8859_1);
            String redisReply;
            try (RespTestClient client = RespTestClient.connect(redis.address())) {
                client.send(raw);
                redisReply = new String(client.readReply(), StandardCharsets.ISO_8859_1);
                assertTrue(client.isClosedByPeer(), "Redis closes after " + input);
            }
            List<Object> ours = Wire.decode(() -> new RespRequestDecoder().requireAuthentication(true), raw);
            assertEquals(redisReply, "-" + ((RespProtocolError) ours.get(0)).message() + "\r\n");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
