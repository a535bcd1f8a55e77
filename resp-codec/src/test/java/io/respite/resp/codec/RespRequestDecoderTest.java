package io.respite.resp.codec;

import static io.respite.resp.codec.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.respite.resp.RespCommand;
import io.respite.resp.RespLimits;
import io.respite.testing.RespTestClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RespRequestDecoderTest {

    /** Decodes and describes the result as text: commands as [arg|arg], errors as -text. */
    private static List<String> decode(RespLimits limits, byte[] input, int... splits) {
        List<Object> out = Wire.decode(() -> new RespRequestDecoder(limits), input, splits);
        List<String> described = new ArrayList<>();
        for (Object msg : out) {
            if (msg instanceof RespCommand command) {
                StringBuilder s = new StringBuilder("[");
                for (int i = 0; i < command.argCount(); i++) {
                    s.append(i == 0 ? "" : "|").append(new String(command.argBytes(i), StandardCharsets.ISO_8859_1));
                }
                described.add(s.append(']').toString());
            } else {
                described.add("-" + ((RespProtocolError) msg).message());
            }
            ReferenceCountUtil.release(msg);
        }
        return described;
    }

    private static List<String> decode(String input, int... splits) {
        return decode(RespLimits.DEFAULT, bytes(input), splits);
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("*1\r\n$4\r\nPING\r\n", List.of("[PING]")),
                Arguments.of("*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n", List.of("[GET|foo]")),
                Arguments.of("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", List.of("[ECHO|]")),
                Arguments.of("*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n", List.of("[ECHO|a\r\nb]")),
                Arguments.of("PING\r\n", List.of("[PING]")),
                Arguments.of("PING\n", List.of("[PING]")),
                Arguments.of("GET foo\n", List.of("[GET|foo]")),
                Arguments.of("  SET   k \t v  \r\n", List.of("[SET|k|v]")),
                Arguments.of("SET k \"a b\"\r\n", List.of("[SET|k|a b]")),
                Arguments.of("SET k 'a \"b\" c'\r\n", List.of("[SET|k|a \"b\" c]")),
                Arguments.of("SET k 'it\\'s'\r\n", List.of("[SET|k|it's]")),
                Arguments.of("ECHO \"a\\x41\\n\\t\\\\\"\r\n", List.of("[ECHO|aA\n\t\\]")),
                Arguments.of("ECHO \"\\xzz\"\r\n", List.of("[ECHO|xzz]")),
                Arguments.of("ECHO \"\"\r\n", List.of("[ECHO|]")),
                Arguments.of("ECHO a\"b c\"\r\n", List.of("[ECHO|ab c]")),
                Arguments.of("PING\rPING\r\n", List.of("[PING|PING]")),
                Arguments.of("\r\n\r\n  \r\nPING\r\n", List.of("[PING]")),
                Arguments.of("*0\r\n*-1\r\n*-10\r\nPING\r\n", List.of("[PING]")),
                Arguments.of("PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n", List.of("[PING]", "[PING]", "[ECHO|x]")));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void decodesWholeAndAtEverySplit(String input, List<String> expected) {
        assertEquals(expected, decode(input));
        byte[] raw = bytes(input);
        for (int split = 0; split <= raw.length; split++) {
            assertEquals(expected, decode(RespLimits.DEFAULT, raw, split), "split at " + split);
        }
        assertEquals(expected, decode(RespLimits.DEFAULT, raw, Wire.everyByte(raw.length)), "byte by byte");
    }

    static Stream<Arguments> protocolErrors() {
        return Stream.of(
                Arguments.of("*3000000000\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*abc\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*1x\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("* 1\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*+1\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*01\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
                Arguments.of("*2\r\n$3\r\nGET\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'"),
                Arguments.of("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$-2\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$+4\r\nPING\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$04\r\nPING\r\n", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$4\r\nPINGxx", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$4\r\nPING\n\r", "ERR Protocol error: invalid bulk length"),
                Arguments.of("*1\rX\r\n", "ERR Protocol error: invalid multibulk length"),
                Arguments.of("GET \"foo\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("GET 'foo\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("ECHO \"a\"b\r\n", "ERR Protocol error: unbalanced quotes in request"),
                Arguments.of("x".repeat(70_000), "ERR Protocol error: too big inline request"),
                Arguments.of("*1" + "1".repeat(70_000), "ERR Protocol error: too big mbulk count string"),
                Arguments.of("*1\r\n$" + "1".repeat(70_000), "ERR Protocol error: too big bulk count string"));
    }

    @ParameterizedTest
    @MethodSource("protocolErrors")
    void malformedInputGivesRedisErrorAtEverySplit(String input, String error) {
        byte[] raw = bytes(input);
        assertEquals(List.of("-" + error), decode(RespLimits.DEFAULT, raw));
        int step = Math.max(1, raw.length / 200);
        for (int split = 0; split <= raw.length; split += step) {
            assertEquals(List.of("-" + error), decode(RespLimits.DEFAULT, raw, split), "split at " + split);
        }
    }

    @Test
    void commandsBeforeAnErrorComeFirstAndNothingAfterIt() {
        assertEquals(
                List.of("[PING]", "[GET|k]", "-ERR Protocol error: expected '$', got 'x'"),
                decode("PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\nxyz\r\nPING\r\n*1\r\n$4\r\nPING\r\n"));
    }

    @Test
    void limitsAreCheckedBeforeTheBytesArrive() {
        RespLimits small = RespLimits.DEFAULT
                .withMaxBulkBytes(10)
                .withMaxAggregateElements(3)
                .withMaxInlineBytes(32);
        assertEquals(List.of("-ERR Protocol error: invalid bulk length"), decode(small, bytes("*1\r\n$11\r\n")));
        assertEquals(List.of("[ECHO|0123456789]"), decode(small, bytes("*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n")));
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length"), decode(small, bytes("*4\r\n")));
        assertEquals(List.of("-ERR Protocol error: too big inline request"), decode(small, bytes("x".repeat(33))));
        assertEquals(
                List.of("[" + "x".repeat(40) + "]"),
                decode(small, bytes("x".repeat(40) + "\n")),
                "as in Redis, the inline limit applies while waiting for the newline");
    }

    @Test
    void beforeAuthenticationRedisTighterLimitsApply() {
        Supplier<ChannelHandler> guarded = () -> new RespRequestDecoder().requireAuthentication(true);
        List<Object> tooMany = Wire.decode(guarded, bytes("*11\r\n"));
        assertEquals(new RespProtocolError("ERR Protocol error: unauthenticated multibulk length"), tooMany.get(0));
        List<Object> tooLong = Wire.decode(guarded, bytes("*1\r\n$16385\r\n"));
        assertEquals(new RespProtocolError("ERR Protocol error: unauthenticated bulk length"), tooLong.get(0));
        List<Object> fine = Wire.decode(guarded, bytes("*2\r\n$4\r\nECHO\r\n$16384\r\n" + "x".repeat(16384) + "\r\n"));
        assertInstanceOf(RespCommand.class, fine.get(0));
        fine.forEach(ReferenceCountUtil::release);
    }

    @Test
    void anAuthPipelinedWithALargeRequestTakesEffectBeforeItIsParsed() {
        RespRequestDecoder decoder = new RespRequestDecoder().requireAuthentication(true);
        List<String> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof RespCommand command) {
                    seen.add(command.argString(0) + "/" + command.argCount());
                    if (command.argString(0).equals("AUTH")) {
                        decoder.requireAuthentication(false);
                    }
                } else {
                    seen.add(msg.toString());
                }
                ReferenceCountUtil.release(msg);
            }
        });
        StringBuilder eleven = new StringBuilder("*11\r\n$4\r\nMSET\r\n");
        for (int i = 0; i < 10; i++) {
            eleven.append("$1\r\n").append(i).append("\r\n");
        }
        byte[] input = bytes("*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n" + eleven);
        channel.writeInbound(Wire.pooledCopy(input, 0, input.length));
        assertEquals(List.of("AUTH/2", "MSET/11"), seen);
        assertFalse(channel.finish());
    }

    @Test
    void argumentsAreSlicesOfTheInputNotCopies() {
        EmbeddedChannel channel = new EmbeddedChannel(new RespRequestDecoder());
        ByteBuf input = Wire.pooledCopy(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n"), 0, 31);
        long address = input.hasMemoryAddress() ? input.memoryAddress() : -1;
        channel.writeInbound(input);
        RespCommand command = channel.readInbound();
        try {
            assertEquals(3, command.argCount());
            assertEquals(31, command.frame().readableBytes(), "the frame is the whole request as received");
            ByteBuf value = command.arg(2);
            assertTrue(address != -1 && value.hasMemoryAddress(), "pooled direct buffers expose their address");
            assertEquals(address + 24, value.memoryAddress(), "the argument shares the input's memory");
            assertEquals(address, command.frame().memoryAddress(), "the frame shares the input's memory");
            assertTrue(command.argEqualsIgnoreCase(0, bytes("SET")));
            assertFalse(command.argEqualsIgnoreCase(0, bytes("GET")));
        } finally {
            command.release();
        }
        assertFalse(channel.finish());
    }

    @Test
    void inlineCommandsAreReencodedAsRespArrays() {
        List<Object> out = Wire.decode(RespRequestDecoder::new, bytes("SET k \"a b\"\r\n"));
        RespCommand command = (RespCommand) out.get(0);
        try {
            assertTrue(command.isInline());
            assertEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n", Wire.text(command.frame()));
        } finally {
            command.release();
        }
    }

    @Test
    void seededRandomPipelinesDecodeIdenticallyAtRandomSplits() {
        Random random = new Random(0x5eed);
        for (int round = 0; round < 200; round++) {
            List<byte[][]> commands = new ArrayList<>();
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int c = 1 + random.nextInt(20); c > 0; c--) {
                byte[][] args = new byte[1 + random.nextInt(5)][];
                for (int a = 0; a < args.length; a++) {
                    args[a] = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(300)];
                    random.nextBytes(args[a]);
                }
                commands.add(args);
                wire.writeBytes(RespTestClient.encodeCommand(args));
            }
            byte[] raw = wire.toByteArray();
            List<Object> out = Wire.decode(RespRequestDecoder::new, raw, Wire.randomSplits(random, raw.length, 10));
            assertEquals(commands.size(), out.size());
            for (int i = 0; i < out.size(); i++) {
                RespCommand command = assertInstanceOf(RespCommand.class, out.get(i));
                assertEquals(commands.get(i).length, command.argCount());
                for (int a = 0; a < command.argCount(); a++) {
                    assertArrayEquals(
                            commands.get(i)[a], command.argBytes(a), "round " + round + " cmd " + i + " arg " + a);
                }
                command.release();
            }
        }
    }

    @Test
    void closingOrRemovingTheDecoderMidRequestReleasesEverything() {
        EmbeddedChannel closed = new EmbeddedChannel(new RespRequestDecoder());
        closed.writeInbound(Wire.pooledCopy(bytes("*2\r\n$3\r\nGET\r\n$10\r\nabc"), 0, 21));
        assertFalse(closed.finish(), "an incomplete request produces nothing");

        EmbeddedChannel removed = new EmbeddedChannel(new RespRequestDecoder());
        removed.writeInbound(Wire.pooledCopy(bytes("*2\r\n$3\r\nGET\r\n$10\r\nabc"), 0, 21));
        removed.pipeline().removeFirst();
        Object leftover = removed.readInbound();
        assertInstanceOf(ByteBuf.class, leftover, "removal hands the partial bytes on, as Netty's decoders do");
        ReferenceCountUtil.release(leftover);
        assertFalse(removed.finish());
    }
}
