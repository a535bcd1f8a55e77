package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Garbage from one client: it gets Redis's exact error (the same bytes Redis sends for the same
 * input, after the replies to whatever valid commands preceded it), its connection is closed,
 * and a client connected alongside it goes on as if nothing happened. Also the inline commands
 * that are not garbage, though they look odd.
 */
@ExtendWith(RedisExtension.class)
class ProtocolErrorIT {

    private static RedisServer redis;
    private static ProxyFixture fixture;

    @BeforeAll
    static void start(RedisServer server) throws IOException {
        redis = server;
        fixture = ProxyFixture.startCaching(server);
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                input("bulk length not a number", "*1\r\n$abc\r\n"),
                input("negative bulk length", "*2\r\n$3\r\nGET\r\n$-5\r\n"),
                input("multibulk length not a number", "*abc\r\n"),
                input("multibulk length too large", "*99999999999\r\n"),
                input("bulk header without $", "*1\r\nfoo\r\n"),
                input("unbalanced quotes inline", "SET \"a b\r\n"),
                input("unbalanced single quotes inline", "SET k 'v\r\n"),
                input("a valid pipeline, then garbage", "PING\r\nSET k v\r\nGET k\r\n*1\r\n$x\r\n"),
                input("bulk length above 512 MiB", "*2\r\n$3\r\nGET\r\n$600000000\r\n"),
                // Just above the limit, so that Redis has read every byte when it closes (no RST).
                Arguments.of(
                        Named.of("inline request above 64 KiB without a newline", repeat((byte) 'a', 64 * 1024 + 10))));
    }

    private static Arguments input(String name, String wire) {
        return Arguments.of(Named.of(name, wire.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void theSenderGetsRedisErrorAndIsClosedOthersAreNot(byte[] wire) throws IOException {
        List<byte[]> expected = repliesUntilClosed(RespTestClient.connect(redis.address()), wire);
        try (RespTestClient bystander = RespTestClient.connect(fixture.address());
                RespTestClient sender = RespTestClient.connect(fixture.address())) {
            assertEquals("+OK\r\n", bystander.callString("SET", "bystander", "before"));
            List<byte[]> actual = repliesUntilClosed(sender, wire);
            assertEquals(render(expected), render(actual), "replies, then the connection closed");
            assertTrue(render(actual).contains("-ERR Protocol error: "), render(actual));
            assertEquals("+PONG\r\n", bystander.callString("PING"));
            assertEquals("$6\r\nbefore\r\n", bystander.callString("GET", "bystander"));
            assertEquals("+OK\r\n", bystander.callString("SET", "bystander", "after"));
            assertEquals("$5\r\nafter\r\n", bystander.callString("GET", "bystander"));
        }
    }

    /**
     * Not errors: inline commands as telnet and redis-cli send them (empty lines, bare LF,
     * quotes and escapes) get Redis's replies, and a key written with escapes is invalidated
     * under the key Redis sees.
     */
    @Test
    void inlineCommandsAreSplitAsRedisSplitsThem() throws IOException {
        try (RespTestClient direct = RespTestClient.connect(redis.address());
                RespTestClient proxied = RespTestClient.connect(fixture.address())) {
            for (String wire : List.of(
                    "\r\nPING\r\n",
                    "   \r\nPING\r\n",
                    "\nPING\n",
                    "SET \"k\\x31\" v1\r\n",
                    "GET k1\r\n",
                    "GET \"k\\x31\"\r\n",
                    "ECHO 'a\\'b'\r\n",
                    "ECHO \"\\t\\n\"\r\n",
                    "PING\r\n\r\n\r\nPING\r\n")) {
                byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
                direct.send(bytes);
                proxied.send(bytes);
                int commands = wire.split("PING|SET|GET|ECHO", -1).length - 1;
                for (int i = 0; i < commands; i++) {
                    assertEquals(ProxyFixture.text(direct.readReply()), ProxyFixture.text(proxied.readReply()), wire);
                }
            }
            assertEquals("$2\r\nv1\r\n", proxied.callString("GET", "k1"));
            proxied.send("SET \"k\\x31\" v2\r\n".getBytes(StandardCharsets.ISO_8859_1));
            assertEquals("+OK\r\n", ProxyFixture.text(proxied.readReply()));
            assertEquals("$2\r\nv2\r\n", proxied.callString("GET", "k1"));
        }
    }

    /** Sends {@code wire} and reads replies until the server closes the connection; closes the client. */
    private static List<byte[]> repliesUntilClosed(RespTestClient client, byte[] wire) throws IOException {
        try (client) {
            client.send(wire);
            List<byte[]> replies = new ArrayList<>();
            for (; ; ) {
                byte[] reply;
                try {
                    reply = client.readReply();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("neither a reply nor a close after " + render(replies), e);
                } catch (IOException closed) {
                    // "connection closed mid-reply" before the first byte of another reply: the close.
                    return replies;
                }
                replies.add(reply);
                assertTrue(replies.size() < 100, "the connection stays open after " + render(replies));
            }
        }
    }

    private static String render(List<byte[]> replies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        replies.forEach(out::writeBytes);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] repeat(byte b, int count) {
        byte[] bytes = new byte[count];
        Arrays.fill(bytes, b);
        return bytes;
    }
}
