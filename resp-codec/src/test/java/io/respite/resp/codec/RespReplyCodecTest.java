package io.respite.resp.codec;

import static io.respite.resp.codec.Wire.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.respite.resp.RespArray;
import io.respite.resp.RespAttribute;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespError;
import io.respite.resp.RespLimits;
import io.respite.resp.RespMap;
import io.respite.resp.RespMessage;
import io.respite.resp.RespNullArray;
import io.respite.resp.RespNullBulkString;
import io.respite.resp.RespType;
import io.respite.resp.RespVerbatimString;
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

/** RespReplyDecoder, RespFrameDecoder, RespWriter and RespEncoder on every reply type. */
class RespReplyCodecTest {

    static Stream<Arguments> everyType() {
        return Stream.of(
                Arguments.of(RespType.SIMPLE_STRING, "+OK\r\n"),
                Arguments.of(RespType.SIMPLE_STRING, "+\r\n"),
                Arguments.of(RespType.ERROR, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
                Arguments.of(RespType.INTEGER, ":0\r\n"),
                Arguments.of(RespType.INTEGER, ":-9223372036854775808\r\n"),
                Arguments.of(RespType.INTEGER, ":9223372036854775807\r\n"),
                Arguments.of(RespType.BULK_STRING, "$5\r\nhello\r\n"),
                Arguments.of(RespType.BULK_STRING, "$0\r\n\r\n"),
                Arguments.of(RespType.BULK_STRING, "$4\r\n\r\n\r\n\r\n"),
                Arguments.of(RespType.BULK_STRING, "$-1\r\n"),
                Arguments.of(RespType.ARRAY, "*2\r\n$3\r\nfoo\r\n:1\r\n"),
                Arguments.of(RespType.ARRAY, "*0\r\n"),
                Arguments.of(RespType.ARRAY, "*-1\r\n"),
                Arguments.of(RespType.ARRAY, "*2\r\n*1\r\n*0\r\n*2\r\n$-1\r\n*-1\r\n"),
                Arguments.of(RespType.NULL, "_\r\n"),
                Arguments.of(RespType.BOOLEAN, "#t\r\n"),
                Arguments.of(RespType.BOOLEAN, "#f\r\n"),
                Arguments.of(RespType.DOUBLE, ",3.141\r\n"),
                Arguments.of(RespType.DOUBLE, ",-inf\r\n"),
                Arguments.of(RespType.DOUBLE, ",nan\r\n"),
                Arguments.of(RespType.BIG_NUMBER, "(3492890328409238509324850943850943825024385\r\n"),
                Arguments.of(RespType.BLOB_ERROR, "!21\r\nSYNTAX invalid syntax\r\n"),
                Arguments.of(RespType.VERBATIM_STRING, "=15\r\ntxt:Some string\r\n"),
                Arguments.of(RespType.VERBATIM_STRING, "=4\r\nmkd:\r\n"),
                Arguments.of(RespType.MAP, "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"),
                Arguments.of(RespType.MAP, "%0\r\n"),
                Arguments.of(RespType.SET, "~3\r\n:0\r\n:1\r\n:2\r\n"),
                Arguments.of(RespType.PUSH, ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
                Arguments.of(
                        RespType.ATTRIBUTE,
                        "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n"),
                Arguments.of(RespType.ARRAY, "*2\r\n|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n:7\r\n"));
    }

    @ParameterizedTest
    @MethodSource("everyType")
    void decodesAndReencodesToTheSameBytesAtEverySplit(RespType type, String wire) {
        byte[] raw = bytes(wire);
        for (int split = 0; split <= raw.length; split++) {
            List<Object> out = Wire.decode(RespReplyDecoder::new, raw, split);
            assertEquals(1, out.size(), "split at " + split);
            RespMessage message = (RespMessage) out.get(0);
            assertEquals(type, message.type());
            assertEquals(wire, encodeWithWriter(message));
            assertEquals(wire, encodeWithEncoder(message, 0), "zero-copy encoding of " + wire);
        }
        List<Object> frames = Wire.decode(RespFrameDecoder::new, raw, Wire.everyByte(raw.length));
        assertEquals(1, frames.size());
        assertEquals(wire, Wire.text((ByteBuf) frames.get(0)));
        ReferenceCountUtil.release(frames.get(0));
    }

    @Test
    void typedAccessorsSeeWhatWasSent() {
        RespMessage attribute = decodeOne("|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n");
        RespAttribute attr = assertInstanceOf(RespAttribute.class, attribute);
        assertEquals(1, attr.pairCount());
        assertEquals(RespBulkString.of("v"), attr.value());
        attr.release();

        RespVerbatimString verbatim = assertInstanceOf(RespVerbatimString.class, decodeOne("=8\r\nmkd:# hi\r\n"));
        assertEquals("mkd", verbatim.format());
        assertEquals("# hi", Wire.text(verbatim.content()));
        verbatim.release();

        assertEquals("WRONGTYPE", ((RespError) decodeOne("-WRONGTYPE bad\r\n")).code());
        assertEquals(RespNullBulkString.INSTANCE, decodeOne("$-1\r\n"));
        assertEquals(RespNullArray.INSTANCE, decodeOne("*-1\r\n"));
        RespMap map = assertInstanceOf(RespMap.class, decodeOne("%1\r\n+a\r\n+a\r\n"));
        assertEquals(1, map.pairCount());
        map.release();
    }

    @Test
    void pipelinedRepliesAndPushesComeOutAsSeparateFrames() {
        String push = ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n";
        String reply = "$40\r\nSome real reply following the push reply\r\n";
        String wire = "+OK\r\n" + push + reply + "*1\r\n:1\r\n";
        List<Object> frames = Wire.decode(RespFrameDecoder::new, bytes(wire), 3, 17, 50);
        List<String> texts = new ArrayList<>();
        for (Object frame : frames) {
            texts.add(Wire.text((ByteBuf) frame));
            ReferenceCountUtil.release(frame);
        }
        assertEquals(List.of("+OK\r\n", push, reply, "*1\r\n:1\r\n"), texts);
    }

    @Test
    void seededRandomStreamsRoundTripAtRandomSplits() {
        Random random = new Random(20261121);
        for (int round = 0; round < 300; round++) {
            List<RespMessage> sent = new ArrayList<>();
            ByteBuf wire = Unpooled.buffer();
            for (int i = 1 + random.nextInt(8); i > 0; i--) {
                RespMessage message = RespMessages.random(random, 4);
                RespWriter.write(message, wire);
                sent.add(message);
            }
            byte[] raw = new byte[wire.readableBytes()];
            wire.readBytes(raw);
            List<Object> decoded = Wire.decode(RespReplyDecoder::new, raw, Wire.randomSplits(random, raw.length, 12));
            assertEquals(sent, decoded, "round " + round);
            List<Object> frames = Wire.decode(RespFrameDecoder::new, raw, Wire.randomSplits(random, raw.length, 12));
            ByteBuf joined = Unpooled.buffer();
            for (Object frame : frames) {
                joined.writeBytes((ByteBuf) frame);
                ReferenceCountUtil.release(frame);
            }
            assertEquals(sent.size(), frames.size());
            assertEquals(Unpooled.wrappedBuffer(raw), joined, "frames concatenate to the input");
            sent.forEach(ReferenceCountUtil::release);
            decoded.forEach(ReferenceCountUtil::release);
        }
    }

    static Stream<Arguments> malformedReplies() {
        return Stream.of(
                Arguments.of("?oops\r\n", "unknown reply type byte '?'"),
                Arguments.of("$-2\r\n", "invalid bulk length"),
                Arguments.of("$abc\r\n", "invalid bulk length"),
                Arguments.of("!-1\r\n", "invalid bulk length"),
                Arguments.of("=2\r\nab\r\n", "invalid bulk length"),
                Arguments.of("%-1\r\n", "invalid multibulk length"),
                Arguments.of("*-2\r\n", "invalid multibulk length"),
                Arguments.of("$3\r\nabcd\r\n", "not followed by CRLF"),
                Arguments.of("+OK\rX", "expected LF after CR"),
                Arguments.of(":12a\r\n", "invalid INTEGER"),
                Arguments.of("#x\r\n", "invalid BOOLEAN"),
                Arguments.of("_x\r\n", "invalid NULL"));
    }

    @ParameterizedTest
    @MethodSource("malformedReplies")
    void malformedRepliesFailOnceAndTheRestIsDiscarded(String wire, String reason) {
        for (Supplier<ChannelHandler> decoder :
                List.<Supplier<ChannelHandler>>of(RespReplyDecoder::new, RespFrameDecoder::new)) {
            EmbeddedChannel channel = new EmbeddedChannel(decoder.get());
            DecoderException e = assertThrows(
                    DecoderException.class, () -> channel.writeInbound(Wire.pooledCopy(bytes(wire), 0, wire.length())));
            assertInstanceOf(RespCodecException.class, e);
            assertTrue(e.getMessage().contains(reason), e.getMessage());
            assertFalse(
                    channel.writeInbound(Wire.pooledCopy(bytes("+OK\r\n"), 0, 5)), "input after a failure is dropped");
            assertFalse(channel.finish());
        }
    }

    @Test
    void replyLimitsHoldBeforeBuffering() {
        RespLimits limits = RespLimits.DEFAULT
                .withMaxBulkBytes(8)
                .withMaxAggregateElements(2)
                .withMaxNestingDepth(2);
        assertFailsWith(limits, "$9\r\n", "invalid bulk length");
        assertFailsWith(limits, "*3\r\n", "invalid multibulk length");
        assertFailsWith(limits, "%2\r\n", "invalid multibulk length");
        assertFailsWith(limits, "*1\r\n*1\r\n*1\r\n", "nested deeper than 2");
        assertFailsWith(limits, "+" + "x".repeat(RespLimits.DEFAULT_MAX_INLINE_BYTES + 10), "too long");
        List<Object> ok =
                Wire.decode(() -> new RespReplyDecoder(limits), bytes("*1\r\n*2\r\n$8\r\n12345678\r\n:1\r\n"));
        assertInstanceOf(RespArray.class, ok.get(0));
        ok.forEach(ReferenceCountUtil::release);
    }

    @Test
    void largeBlobsAreEncodedWithoutCopying() {
        ByteBuf content = Unpooled.directBuffer(100 * 1024).writeZero(100 * 1024);
        RespBulkString bulk = new RespBulkString(content);
        EmbeddedChannel channel = new EmbeddedChannel(new RespEncoder());
        channel.writeOutbound(bulk);
        ByteBuf header = channel.readOutbound();
        ByteBuf body = channel.readOutbound();
        ByteBuf trailer = channel.readOutbound();
        assertEquals("$102400\r\n", Wire.text(header));
        assertEquals(content.memoryAddress(), body.memoryAddress(), "the content is passed on, not copied");
        assertEquals("\r\n", Wire.text(trailer));
        header.release();
        body.release();
        trailer.release();
        assertEquals(0, content.refCnt(), "the encoder released the message");
        assertFalse(channel.finish());
    }

    @Test
    void decoderRemovedOrChannelClosedMidReplyLeaksNothing() {
        for (Supplier<ChannelHandler> decoder :
                List.<Supplier<ChannelHandler>>of(RespReplyDecoder::new, RespFrameDecoder::new)) {
            EmbeddedChannel closed = new EmbeddedChannel(decoder.get());
            closed.writeInbound(Wire.pooledCopy(bytes("*2\r\n$5\r\nhel"), 0, 11));
            assertFalse(closed.finish());

            EmbeddedChannel removed = new EmbeddedChannel(decoder.get());
            removed.writeInbound(Wire.pooledCopy(bytes("*2\r\n$5\r\nhel"), 0, 11));
            removed.pipeline().removeFirst();
            ReferenceCountUtil.release(removed.readInbound());
            assertFalse(removed.finish());
        }
    }

    @Test
    void aTrustedServersRepliesAreRelayedAtAnyDepth() {
        String deep = "*1\r\n".repeat(5000) + ":7\r\n";
        List<Object> frames =
                Wire.decode(() -> new RespFrameDecoder(RespLimits.TRUSTED_RELAY), bytes(deep + "+OK\r\n"));
        assertEquals(2, frames.size(), "the deep reply, then the next one");
        assertEquals(deep, ((ByteBuf) frames.get(0)).toString(StandardCharsets.US_ASCII), "byte for byte");
        int[] elements = RespFrames.elements((ByteBuf) frames.get(0));
        assertEquals(2, elements.length, "its one element, however deep");
        frames.forEach(ReferenceCountUtil::release);
        assertFailsWith(RespLimits.DEFAULT, deep, "nested deeper than " + RespLimits.DEFAULT_MAX_NESTING_DEPTH);
    }

    private static void assertFailsWith(RespLimits limits, String wire, String reason) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespReplyDecoder(limits));
        DecoderException e = assertThrows(
                DecoderException.class, () -> channel.writeInbound(Wire.pooledCopy(bytes(wire), 0, wire.length())));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        channel.finish();
    }

    private static RespMessage decodeOne(String wire) {
        List<Object> out = Wire.decode(RespReplyDecoder::new, bytes(wire));
        assertEquals(1, out.size());
        return (RespMessage) out.get(0);
    }

    static String encodeWithWriter(RespMessage message) {
        ByteBuf out = Unpooled.buffer();
        RespWriter.write(message, out);
        return Wire.text(out);
    }

    /** Encodes through RespEncoder (which releases {@code message}) and joins the parts. */
    static String encodeWithEncoder(RespMessage message, int zeroCopyThreshold) {
        EmbeddedChannel channel = new EmbeddedChannel(new RespEncoder(zeroCopyThreshold));
        channel.writeOutbound(message);
        StringBuilder s = new StringBuilder();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            s.append(Wire.text(part));
            part.release();
        }
        channel.finish();
        return s.toString();
    }
}
