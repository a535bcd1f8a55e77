package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.respite.proxy.reply.ReplyCallback;

/**
 * A reconnecting upstream connection of respite's own, not carrying any client's commands: the
 * invalidation stream of server-assisted caching. It speaks RESP3; pushes go to the frame
 * consumer it was opened with, state changes to its {@link ConnectionListener}. Only its loop may
 * call it.
 */
public interface ControlConnection {

    /**
     * Starts connecting, once. Separate from opening, so that the owner can keep its reference
     * (which its listener reads on the loop) before the first event can reach that listener;
     * handing the connect to the loop publishes what was written before.
     */
    void open();

    /** The loop the connection lives on. */
    EventLoop loop();

    /** Sends a command that expects a reply within {@code --timeout}. Takes ownership of {@code frame}. */
    void send(ByteBuf frame, ReplyCallback callback);

    /** Stops reconnecting and closes the connection. */
    void close();
}
