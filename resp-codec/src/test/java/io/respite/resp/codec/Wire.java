package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/** Test helpers: feed bytes to a fresh decoder whole, split at a point, byte by byte or randomly. */
final class Wire {

    private Wire() {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Feeds {@code input} in the given chunks to a fresh channel, finishes it, and returns every
     * inbound message in order. The caller owns (must release) the returned messages.
     */
    static List<Object> decode(Supplier<ChannelHandler> decoder, byte[] input, int... splits) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder.get());
        int from = 0;
        for (int split : splits) {
            channel.writeInbound(pooledCopy(input, from, split - from));
            from = split;
        }
        channel.writeInbound(pooledCopy(input, from, input.length - from));
        channel.finish();
        List<Object> out = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            out.add(msg);
        }
        return out;
    }

    /** Every split into one-byte chunks. */
    static int[] everyByte(int length) {
        int[] splits = new int[Math.max(0, length - 1)];
        for (int i = 0; i < splits.length; i++) {
            splits[i] = i + 1;
        }
        return splits;
    }

    /** Random increasing split points. */
    static int[] randomSplits(Random random, int length, int count) {
        return random.ints(count, 0, length + 1).sorted().toArray();
    }

    /** A pooled (leak-tracked) direct copy, as a socket read would deliver. */
    static ByteBuf pooledCopy(byte[] input, int from, int length) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(length, 1));
        buf.writeBytes(input, from, length);
        return buf;
    }

    static ByteBuf unpooled(byte[] input) {
        return Unpooled.wrappedBuffer(input);
    }
}
