package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.pubsub.Confirmation;
import io.respite.proxy.pubsub.Kind;
import io.respite.proxy.pubsub.Subscriber;
import io.respite.proxy.pubsub.SubscriberHub;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One client's subscriptions: the channels, patterns and shard channels it subscribed to, held
 * for it by its loop's {@link SubscriberHub}, and the replies Redis gives for them: one
 * {@code [subscribe, name, count]} per name (an array in RESP2, a push in RESP3), where the count
 * is the client's channels and patterns together, or its shard channels for SSUBSCRIBE and
 * SUNSUBSCRIBE. A subscribe's reply waits until the subscription is in force upstream.
 *
 * <p>Owned by the client's {@link ClientContext}, on its event loop; not thread-safe.
 */
final class ClientSubscriptions implements Subscriber {

    private final ClientContext client;
    private final SubscriberHub hub;
    /** A reply of these subscriptions failed with the subscriber connection: the client knows why it goes. */
    private boolean told;
    /** The subscriber connection broke: the client is closing, and subscribes no more. */
    private boolean lost;
    /** Names per kind, as ISO-8859-1 strings (one char per byte), in subscription order. */
    private final Map<Kind, Set<String>> names = new EnumMap<>(Kind.class);

    ClientSubscriptions(ClientContext client, SubscriberHub hub) {
        this.client = client;
        this.hub = hub;
        for (Kind kind : Kind.values()) {
            names.put(kind, new LinkedHashSet<>());
        }
    }

    /** Whether the client has any subscription: a RESP2 client is then in subscribed mode. */
    boolean active() {
        for (Set<String> set : names.values()) {
            if (!set.isEmpty()) {
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
        boolean wasActive = active();
        Set<String> held = of(kind);
        for (int i = 1; i < command.argCount(); i++) {
            byte[] name = command.argBytes(i);
            String key = new String(name, StandardCharsets.ISO_8859_1);
            if (!held.add(key)) {
                client.sink().reply(reply(kind.subscribe(), name, count(kind)));
                continue;
            }
            ByteBuf confirmed = reply(kind.subscribe(), name, count(kind));
            ReplyCallback slot = client.sink().replyLater();
            hub.subscribe(kind, name, this, new Confirmation() {
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
                    confirmed.release();
                    of(kind).remove(key);
                    slot.onFailure(error);
                    if (!active()) {
                        client.sink().subscriberOutputLimits(false);
                    }
                }
            });
        }
        if (!wasActive) {
            client.sink().subscriberOutputLimits(true);
        }
    }

    /**
     * UNSUBSCRIBE, PUNSUBSCRIBE or SUNSUBSCRIBE: {@code command}'s names, or every name of the kind
     * when it names none (and a reply with a nil name when there is none). Borrows it.
     */
    void unsubscribe(Kind kind, RespCommand command) {
        Set<String> held = of(kind);
        List<byte[]> targets = new ArrayList<>();
        if (command.argCount() > 1) {
            for (int i = 1; i < command.argCount(); i++) {
                targets.add(command.argBytes(i));
            }
        } else {
            for (String key : held) {
                targets.add(key.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (targets.isEmpty()) {
            client.sink().reply(reply(kind.unsubscribe(), null, count(kind)));
            return;
        }
        for (byte[] name : targets) {
            if (held.remove(new String(name, StandardCharsets.ISO_8859_1))) {
                hub.unsubscribe(kind, name, this);
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
        for (Kind kind : Kind.values()) {
            for (String key : of(kind)) {
                hub.unsubscribe(kind, key.getBytes(StandardCharsets.ISO_8859_1), this);
            }
            of(kind).clear();
        }
        if (wasActive) {
            client.sink().subscriberOutputLimits(false);
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
     * connection answered its own PING, so a dead upstream shows as it would on Redis.
     */
    void ping(ByteBuf answer) {
        ReplyCallback slot = client.sink().replyLater();
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
        names.values().forEach(Set::clear);
        if (!told && !client.sink().hasPendingReplies()) {
            client.sink().replyError(error);
        }
        client.sink().closeAfterReplies();
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

    private Set<String> of(Kind kind) {
        Set<String> set = names.get(kind);
        if (set == null) {
            throw new IllegalStateException("no set for " + kind);
        }
        return set;
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
