package io.respite.resp.codec;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.respite.resp.RespMessage;
import java.util.List;

/**
 * Encodes {@link RespMessage}s to bytes without intermediate copies of large payloads: headers and
 * small values go into one pooled buffer, and a blob of at least
 * {@value #DEFAULT_ZERO_COPY_THRESHOLD_BYTES} bytes is written as a retained slice of the
 * message's own buffer. Stateless, so one instance may serve every channel.
 */
@ChannelHandler.Sharable
public final class RespEncoder extends MessageToMessageEncoder<RespMessage> {

    /** Blob size, in bytes, from which contents are passed on rather than copied. */
    public static final int DEFAULT_ZERO_COPY_THRESHOLD_BYTES = 1024;

    private final int zeroCopyThresholdBytes;

    public RespEncoder() {
        this(DEFAULT_ZERO_COPY_THRESHOLD_BYTES);
    }

    public RespEncoder(int zeroCopyThresholdBytes) {
        super(RespMessage.class);
        if (zeroCopyThresholdBytes < 0) {
            throw new IllegalArgumentException(
                    "zeroCopyThresholdBytes: " + zeroCopyThresholdBytes + " (expected: >= 0)");
        }
        this.zeroCopyThresholdBytes = zeroCopyThresholdBytes;
    }

    /** Borrows {@code msg} (the superclass releases it after this returns). */
    @Override
    protected void encode(ChannelHandlerContext ctx, RespMessage msg, List<Object> out) {
        RespWriter.writeParts(msg, ctx.alloc(), out, zeroCopyThresholdBytes);
    }
}
