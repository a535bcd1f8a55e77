package io.respite.proxy.pubsub;

import io.netty.buffer.ByteBuf;

/**
 * One client's side of its subscriptions, as a {@link SubscriberHub} sees it. Called on the hub's
 * event loop, which is the client's.
 */
public interface Subscriber {

    /** Whether the client speaks RESP3: it gets messages as pushes, else as RESP2 arrays. */
    boolean resp3();

    /**
     * A message for one of the client's channels, patterns or shard channels, already in the
     * client's protocol. Takes ownership of {@code message}.
     */
    void deliver(ByteBuf message);

    /**
     * The hub's upstream connection broke: every subscription is gone, as it would be for a client
     * of Redis whose connection broke. {@code error} is the reason, for the client.
     */
    void lost(String error);

    /**
     * Redis ended the subscription to {@code name} (raw bytes) of {@code kind} by itself, with the
     * unsubscribe push it sends its own clients: a shard channel whose slot left the node. The
     * client is told as Redis tells it, and subscribes again (respite sends that to the new owner).
     */
    void unsubscribedByRedis(Kind kind, byte[] name);
}
