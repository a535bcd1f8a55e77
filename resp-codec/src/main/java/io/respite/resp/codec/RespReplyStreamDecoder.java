package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespLimits;
import java.util.List;

/**
 * The decode loop the reply decoders share: scan for complete replies, turn each into a message,
 * and after malformed input fail once and discard everything that follows.
 */
abstract sealed class RespReplyStreamDecoder extends ByteToMessageDecoder permits RespFrameDecoder, RespReplyDecoder {

    private final RespReplyScanner scanner;
    private boolean failed;

    RespReplyStreamDecoder(RespLimits limits) {
        this.scanner = new RespReplyScanner(limits);
        setCumulator(new RespCumulator(() -> scanner.awaitingBlobOf(RespCumulator.COMPOSE_FROM_BYTES)));
    }

    /**
     * Consumes the complete reply of {@code length} bytes at {@code in}'s reader index and returns
     * the message to emit, a new reference the receiving handler must release. Borrows {@code in}.
     */
    abstract Object readReply(ByteBuf in, int length);

    /** Borrows {@code in} (the cumulation, owned by {@link ByteToMessageDecoder}). */
    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        for (; ; ) {
            int length;
            try {
                length = scanner.scan(in);
            } catch (RespCodecException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
            if (length == RespReplyScanner.INCOMPLETE) {
                return;
            }
            out.add(readReply(in, length));
        }
    }
}
