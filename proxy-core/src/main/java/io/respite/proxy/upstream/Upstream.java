package io.respite.proxy.upstream;

import io.netty.channel.EventLoop;

/**
 * Where forwarded commands go. A standalone Redis today ({@link UpstreamPool}); a Redis Cluster,
 * routing by key slot, is meant to implement the same interface.
 */
public interface Upstream extends AutoCloseable {

    /** The lane that serves sessions on {@code loop}: sessions cache it and send through it. */
    UpstreamLane lane(EventLoop loop);

    /** Stops reconnecting and closes every connection; pending commands fail. */
    @Override
    void close();
}
