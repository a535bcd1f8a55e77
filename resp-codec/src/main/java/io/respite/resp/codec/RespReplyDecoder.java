package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespLimits;
import io.respite.resp.RespMessage;

/**
 * Decodes replies into {@link RespMessage} trees, one per complete top-level reply. Blob contents
 * are retained slices of the input (no copies); each emitted message is a new reference the
 * receiving handler must release. For relaying bytes unchanged, {@link RespFrameDecoder} is cheaper.
 *
 * <p>Malformed input raises {@link RespCodecException} once; everything after it is discarded.
 */
public final class RespReplyDecoder extends RespReplyStreamDecoder {

    public RespReplyDecoder() {
        this(RespLimits.DEFAULT);
    }

    public RespReplyDecoder(RespLimits limits) {
        super(limits);
    }

    /**
     * Parses one complete reply frame, such as {@link RespFrameDecoder} emits, into a message.
     * Borrows {@code frame} (its reader index is not moved); the result is a new reference the
     * caller must release.
     *
     * @throws io.respite.resp.RespCodecException when {@code frame} is not exactly one valid reply
     */
    public static RespMessage parseFrame(ByteBuf frame) {
        RespReplyScanner scanner = new RespReplyScanner(RespLimits.DEFAULT);
        int length = scanner.scan(frame);
        if (length != frame.readableBytes()) {
            throw new RespCodecException("ERR Protocol error: not one complete reply (" + frame.readableBytes()
                    + " bytes, reply length " + length + ")");
        }
        return RespReplyParser.parse(frame.slice());
    }

    @Override
    Object readReply(ByteBuf in, int length) {
        return RespReplyParser.parse(in.readSlice(length));
    }
}
