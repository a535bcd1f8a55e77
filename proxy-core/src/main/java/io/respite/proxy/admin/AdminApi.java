package io.respite.proxy.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener's entry: sets up each accepted connection with Netty's HTTP codec, keep-alive,
 * a small request aggregator (admin requests have no body: a larger one gets 413) and an
 * {@link AdminHandler}. A connection idle for a minute is closed. Immutable.
 */
public final class AdminApi {

    /** Admin requests carry no body; this only bounds what a stray client can make respite hold. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;

    private static final int IDLE_SECONDS = 60;

    private final AdminSources sources;
    private final DashboardFiles files = new DashboardFiles();

    public AdminApi(AdminSources sources) {
        this.sources = sources;
    }

    /** Sets up an accepted connection, on its event loop. */
    public void initChannel(Channel channel) {
        channel.pipeline()
                .addLast(
                        new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                        new ClosingWhenIdle(),
                        new HttpServerCodec(),
                        new HttpServerKeepAliveHandler(),
                        new HttpObjectAggregator(MAX_REQUEST_BYTES),
                        new AdminHandler(sources, files));
    }

    /** Closes a connection the {@link IdleStateHandler} found idle. */
    private static final class ClosingWhenIdle extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }
    }
}
