package io.respite.bench.resp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** End of a benchmark pipeline: counts decoded messages and releases them, as a real handler would. */
final class CountingSink extends ChannelInboundHandlerAdapter {

    long messages;

    /** Takes ownership of {@code msg} (releases it). */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        messages++;
        ReferenceCountUtil.release(msg);
    }
}
