package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What server-assisted caching needs of an upstream: an invalidation stream of respite's own, and
 * a way to have the shared connections' reads tracked. A single Redis gives one connection of
 * each; a Redis Cluster, one per primary behind the same two calls.
 */
public interface TrackedUpstream {

    /**
     * A reconnecting RESP3 connection of respite's own on {@code loop}, not connecting until
     * {@link ControlConnection#open}: pushes go to {@code pushes} (taking ownership), state changes
     * to {@code listener}.
     */
    ControlConnection control(EventLoop loop, Consumer<ByteBuf> pushes, ConnectionListener listener);

    /**
     * Sets what every shared connection must send to have its reads tracked (null: nothing), and
     * has the connections that are up send it now, each on its loop; those that connect later send
     * it in their handshake. Thread-safe.
     */
    void track(@Nullable TrackingSetup setup);
}
