package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.pubsub.Confirmation;
import io.respite.proxy.pubsub.Kind;
import io.respite.proxy.pubsub.Subscriber;
import io.respite.proxy.pubsub.SubscriberHub;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One client's subscriptions: the channels, patterns and shard channels it subscribed to, each
 * held for it by a {@link SubscriberHub} (channels and patterns by its loop's; shard channels by
 * the hub of the lane {@link UpstreamLane#shardLane} names, which in a Redis Cluster is their
 * slot's primary), and the replies Redis gives for them: one {@code [subscribe, name, count]}
 * per name (an array in RESP2, a push in RESP3), where the count is the client's channels and
 * patterns together, or its shard channels for SSUBSCRIBE and SUNSUBSCRIBE. A subscribe's reply
 * waits until the subscription is in force upstream.
 *
 * <p>Owned by the client's {@link ClientContext}, on its event loop; not thread-safe.
 */
final class ClientSubscriptions implements Subscriber {

    /** Redis Cluster's reply to an SSUBSCRIBE whose channels are in more than one slot. */
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
    /** MOVED replies followed for one shard channel before the last one is passed on. */
    private static final int MAX_REDIRECTIONS = 5;

    private final ClientContext client;
    /** The lane the client's commands take; its loop's hub holds channels and patterns. */
    private final UpstreamLane lane;
    /** A reply of these subscriptions failed with the subscriber connection: the client knows why it goes. */
    private boolean told;
    /** The subscriber connection broke: the client is closing, and subscribes no more. */
    private boolean lost;
    /**
     * Names per kind, as ISO-8859-1 strings (one char per byte), in subscription order, each with
     * the subscription that holds it: one per subscribe that found the name not held.
     */
    private final Map<Kind, Map<String, Held>> names = new EnumMap<>(Kind.class);

    /**
     * One subscribe of a name, and the hub holding it (another one after a MOVED): its identity
     * tells whether the name is still wanted by this very request when Redis answers it.
     */
    private static final class Held {
        SubscriberHub hub;

        Held(SubscriberHub hub) {
            this.hub = hub;
        }
    }

    ClientSubscriptions(ClientContext client, UpstreamLane lane) {
        this.client = client;
        this.lane = lane;
        for (Kind kind : Kind.values()) {
            names.put(kind, new LinkedHashMap<>());
        }
    }

    /** Whether the client has any subscription: a RESP2 client is then in subscribed mode. */
    boolean active() {
        for (Map<String, Held> held : names.values()) {
            if (!held.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE with {@code command}'s names (at least one). Borrows it. */
    void subscribe(Kind kind, RespCommand command) {
        if (lost) {
            client.sink().replyError("ERR upstream unavailable (the subscriber connection was lost)");
            return;
        }
        List<byte[]> requested = new ArrayList<>();
        for (int i = 1; i < command.argCount(); i++) {
            requested.add(command.argBytes(i));
        }
        UpstreamLane holder = kind == Kind.SHARD ? lane.shardLane(requested) : lane;
        if (holder == null) {
            client.sink().replyError(CROSSSLOT);
            return;
        }
        boolean wasActive = active();
        Map<String, Held> held = of(kind);
        SubscriberHub hub = client.router().hub(holder);
        for (byte[] name : requested) {
            String key = new String(name, StandardCharsets.ISO_8859_1);
            if (held.containsKey(key)) {
                client.sink().reply(reply(kind.subscribe(), name, count(kind)));
                continue;
            }
            Held subscription = new Held(hub);
            held.put(key, subscription);
            ReplyCallback slot = client.sink().replyLater();
            subscribe(subscription, kind, name, reply(kind.subscribe(), name, count(kind)), slot, 0);
        }
        if (!wasActive) {
            client.sink().subscriberOutputLimits(true);
        }
    }

    /**
     * Asks {@code subscription}'s hub for {@code name}; {@code confirmed} (owned) goes to {@code
     * slot} once it is in force. A shard channel Redis redirects (its slot moved) is asked of its
     * new owner's hub; one let go of meanwhile is answered as Redis would have: subscribed, then
     * (by the reply already queued) unsubscribed.
     */
    private void subscribe(
            Held subscription, Kind kind, byte[] name, ByteBuf confirmed, ReplyCallback slot, int redirections) {
        String key = new String(name, StandardCharsets.ISO_8859_1);
        subscription.hub.subscribe(kind, name, this, new Confirmation() {
            @Override
            public void confirmed() {
                slot.onReply(confirmed);
            }

            @Override
            public void failed(String error) {
                confirmed.release();
                told = true;
                slot.onFailure(error);
            }

            @Override
            public void refused(String error) {
                Map<String, Held> held = of(kind);
                boolean standing = held.get(key) == subscription;
                if (lane.shardRedirected(error)) {
                    if (!standing) {
                        slot.onReply(confirmed);
                        return;
                    }
                    UpstreamLane owner = redirections < MAX_REDIRECTIONS ? lane.shardLane(List.of(name)) : null;
                    if (owner != null) {
                        subscription.hub = client.router().hub(owner);
                        subscribe(subscription, kind, name, confirmed, slot, redirections + 1);
                        return;
                    }
                }
                confirmed.release();
                if (standing) {
                    held.remove(key);
                }
                slot.onFailure(error);
                if (!active()) {
                    client.sink().subscriberOutputLimits(false);
                }
            }
        });
    }

    /**
     * UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE: {@code command}'s names, or every name of the kind
     * when it names none (and a reply with a nil name when there is none). Borrows it.
     */
    void unsubscribe(Kind kind, RespCommand command) {
        Map<String, Held> held = of(kind);
        List<byte[]> targets = new ArrayList<>();
        if (command.argCount() > 1) {
            for (int i = 1; i < command.argCount(); i++) {
                targets.add(command.argBytes(i));
            }
            if (kind == Kind.SHARD && lane.shardLane(targets) == null) {
                client.sink().replyError(CROSSSLOT);
                return;
            }
        } else {
            for (String key : held.keySet()) {
                targets.add(key.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (targets.isEmpty()) {
            client.sink().reply(reply(kind.unsubscribe(), null, count(kind)));
            return;
        }
        for (byte[] name : targets) {
            Held subscription = held.remove(new String(name, StandardCharsets.ISO_8859_1));
            if (subscription != null) {
                subscription.hub.unsubscribe(kind, name, this);
            }
            client.sink().reply(reply(kind.unsubscribe(), name, count(kind)));
        }
        if (!active()) {
            client.sink().subscriberOutputLimits(false);
        }
    }

    /** Ends every subscription without a reply: RESET, or the client gone. */
    void clear() {
        boolean wasActive = active();
        release();
        if (wasActive) {
            client.sink().subscriberOutputLimits(false);
        }
    }

    /** Gives every name back to its hub (a hub that broke has forgotten them already) and forgets it. */
    private void release() {
        for (Kind kind : Kind.values()) {
            Map<String, Held> held = of(kind);
            held.forEach((key, subscription) ->
                    subscription.hub.unsubscribe(kind, key.getBytes(StandardCharsets.ISO_8859_1), this));
            held.clear();
        }
    }

    @Override
    public boolean resp3() {
        return client.version() == RespVersion.RESP3;
    }

    /**
     * A RESP3 client gets the push at once, as Redis writes pushes; a RESP2 one in reply order
     * (in subscribed mode only subscription replies can be due, and a message must follow them).
     */
    @Override
    public void deliver(ByteBuf message) {
        if (resp3()) {
            client.sink().push(message);
        } else {
            client.sink().relay(message);
        }
    }

    /**
     * PING while subscribed: answered with {@code answer} (taking ownership) once the subscriber
     * connection answered its own PING, so a dead upstream shows as it would on Redis: one that
     * holds a subscription of the client's (channels before patterns before shard channels).
     */
    void ping(ByteBuf answer) {
        ReplyCallback slot = client.sink().replyLater();
        SubscriberHub hub = null;
        for (Kind kind : Kind.values()) {
            Iterator<Held> held = of(kind).values().iterator();
            if (hub == null && held.hasNext()) {
                hub = held.next().hub;
            }
        }
        if (hub == null) {
            hub = client.router().hub(lane);
        }
        hub.ping(new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                frame.release();
                slot.onReply(answer);
            }

            @Override
            public void onFailure(String error) {
                answer.release();
                told = true;
                slot.onFailure(error);
            }
        });
    }

    /**
     * The hub's connection broke: the client's connection goes, as its connection to Redis would,
     * told why unless a reply (a PING, a subscribe) failed, or will, with the reason.
     */
    @Override
    public void lost(String error) {
        lost = true;
        if (!of(Kind.SHARD).isEmpty()) {
            // Perhaps the shard's node failed: the next subscriber asks the new owner.
            lane.shardLost();
        }
        // Another hub (the loop's, or another shard's) may still hold some of the client's names.
        release();
        if (!told && !client.sink().hasPendingReplies()) {
            client.sink().replyError(error);
        }
        client.sink().closeAfterReplies();
    }

    @Override
    public void unsubscribedByRedis(Kind kind, byte[] name) {
        if (of(kind).remove(new String(name, StandardCharsets.ISO_8859_1)) == null) {
            return;
        }
        deliver(reply(kind.unsubscribe(), name, count(kind)));
        if (!active()) {
            client.sink().subscriberOutputLimits(false);
        }
    }

    /** The client's names of {@code kind}. */
    int size(Kind kind) {
        return of(kind).size();
    }

    /** Subscriptions a reply about {@code kind} counts: shard channels apart, channels and patterns together. */
    private int count(Kind kind) {
        return kind == Kind.SHARD
                ? of(Kind.SHARD).size()
                : of(Kind.CHANNEL).size() + of(Kind.PATTERN).size();
    }

    private Map<String, Held> of(Kind kind) {
        Map<String, Held> held = names.get(kind);
        if (held == null) {
            throw new IllegalStateException("no names for " + kind);
        }
        return held;
    }

    /** {@code [type, name, count]}, an array in RESP2 and a push in RESP3; a null name is Redis's nil. */
    private ByteBuf reply(String type, byte @Nullable [] name, int count) {
        boolean resp3 = resp3();
        ByteBuf out = Unpooled.buffer(32 + (name == null ? 0 : name.length));
        out.writeCharSequence(resp3 ? ">3\r\n" : "*3\r\n", StandardCharsets.US_ASCII);
        out.writeCharSequence("$" + type.length() + "\r\n" + type + "\r\n", StandardCharsets.US_ASCII);
        if (name == null) {
            out.writeCharSequence(resp3 ? "_\r\n" : "$-1\r\n", StandardCharsets.US_ASCII);
        } else {
            out.writeCharSequence("$" + name.length + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(name);
            out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
        }
        out.writeCharSequence(":" + count + "\r\n", StandardCharsets.US_ASCII);
        return out;
    }
}
