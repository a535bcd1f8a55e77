package io.respite.proxy.reply;

import io.netty.buffer.ByteBuf;

/**
 * Receives the reply to one forwarded command, exactly once, on the event loop of the connection
 * that carried it: either the reply frame or a failure.
 */
public interface ReplyCallback {

    /**
     * The reply, one complete RESP frame as the upstream sent it. Takes ownership of
     * {@code frame}: the callback must release it or pass it on.
     */
    void onReply(ByteBuf frame);

    /**
     * The command got no reply: the upstream was unavailable, the connection broke or the
     * command timed out. {@code error} is the RESP error text to give the client, without the
     * leading {@code -}, such as {@code ERR upstream unavailable (connection refused)}.
     */
    void onFailure(String error);
}
