package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;

/**
 * An upstream connection owned by one client session, for state that lives on a connection:
 * transactions, WATCH, blocking commands, subscriptions, MONITOR, client-side tracking. Frames no
 * command is waiting for (pub/sub messages, pushes, MONITOR output, the replies to commands sent
 * with {@link #sendWithoutReply}) go to the owner's frame consumer in arrival order. It never
 * reconnects: if it breaks, the owner is told and the state it held is gone, as it would be for a
 * client of Redis itself. Only the owner's event loop may call it.
 */
public interface DedicatedConnection {

    /** Sends a command that gets exactly one reply, delivered to {@code callback}. Takes ownership of {@code frame}. */
    void send(int database, ByteBuf frame, ReplyCallback callback);

    /**
     * Sends a command whose replies, however many, arrive as frames to the owner's consumer.
     * Takes ownership of {@code frame}.
     */
    void sendWithoutReply(int database, ByteBuf frame);

    /** Closes the connection; the owner's loss callback is not called for a close asked for here. */
    void close();
}
