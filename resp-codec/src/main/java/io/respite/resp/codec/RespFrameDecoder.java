package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespLimits;

/**
 * Splits a stream of replies into frames: emits one retained slice of the input per complete
 * top-level reply (an attribute together with the value it annotates), byte for byte as received.
 * This is the relay path: a proxy writes the frame to its client without re-encoding, so the
 * client gets exactly what the server sent, whatever the type.
 *
 * <p>Each emitted {@link ByteBuf} is a new reference the receiving handler must release. Malformed
 * input raises {@link RespCodecException} once; everything after it is discarded, and the
 * connection should be closed.
 */
public final class RespFrameDecoder extends RespReplyStreamDecoder {

    public RespFrameDecoder() {
        this(RespLimits.DEFAULT);
    }

    public RespFrameDecoder(RespLimits limits) {
        super(limits);
    }

    @Override
    Object readReply(ByteBuf in, int length) {
        return in.readRetainedSlice(length);
    }
}
