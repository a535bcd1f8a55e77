package io.respite.proxy.upstream;

import io.netty.channel.EventLoop;

/**
 * Where forwarded commands go. A standalone Redis today ({@link UpstreamPool}); a Redis Cluster,
 * routing by key slot, is meant to implement the same interface.
 */
public interface Upstream extends AutoCloseable {

    /** The lane that serves sessions on {@code loop}: sessions cache it and send through it. */
    UpstreamLane lane(EventLoop loop);

    /** Dedicated connections leased now (MULTI, WATCH, blocking commands, pub/sub, MONITOR), over every loop. */
    int dedicatedBusy();

    /** Logs shared-lane commands slower than {@code nanos} from now on (0: none); thread-safe. */
    void slowlogThreshold(long nanos);

    /** Stops reconnecting and closes every connection; pending commands fail. */
    @Override
    void close();
}
