package io.respite.proxy.pubsub;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.codec.RespFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's subscriptions on one lane: the union of what its clients subscribed to
 * there, held upstream on one RESP3 connection, with each name reference counted (the loop's lane
 * holds channels and patterns, and shard channels of a single Redis; in a Redis Cluster each
 * primary's lane holds the shard channels of its slots). The first subscriber of a name sends
 * {@code SUBSCRIBE} (or PSUBSCRIBE, SSUBSCRIBE) upstream, the last one gone sends the
 * unsubscribe; each message push fans out to the name's subscribers, as a push to RESP3 clients
 * and as the same frame with {@code *} for {@code >} to RESP2 ones (one copy per message, shared).
 *
 * <p>Confirmations: a subscriber of a name that is already in force upstream is confirmed at once;
 * one that caused (or came while) a subscribe was on its way is confirmed when Redis's
 * confirmation push for it arrives, so a message published after a client's confirmation reached
 * it is never missed. Confirmations of one name arrive in the order the commands were sent, so
 * each name keeps a FIFO of what waits on each command sent.
 *
 * <p>Outcomes: every command sent (subscribe, unsubscribe, PING) is queued in order, since Redis
 * answers them in order: a confirmation push ends the subscribe or unsubscribe at the head, and
 * a frame that is not a push is the head's reply: a PING's PONG, or the error of a subscribe
 * Redis refused (an ACL's NOPERM, BUSY): that name's waiting subscribers are told, and the name is
 * forgotten.
 *
 * <p>Redis may also end a subscription by itself: in a Redis Cluster, a node that loses a slot
 * sends {@code sunsubscribe} for its shard channels. An unsubscribe push that does not confirm the
 * one at the head of the queue is that, and the name's subscribers are told.
 *
 * <p>Failure: when the connection breaks, every subscriber is told ({@link Subscriber#lost}),
 * every pending confirmation fails, and everything is forgotten; the next subscription opens a
 * new connection.
 *
 * <p>Names are kept as ISO-8859-1 strings: one char per byte, so any binary name maps one to one.
 *
 * <p>Owned by its event loop; not thread-safe.
 */
public final class SubscriberHub {

    private final UpstreamLane lane;
    private final Map<Kind, Map<String, Set<Subscriber>>> subscribers = new EnumMap<>(Kind.class);
    /** Per name, one entry per subscribe sent and not confirmed yet: what waits for that confirmation. */
    private final Map<Kind, Map<String, ArrayDeque<List<Confirmation>>>> unconfirmed = new EnumMap<>(Kind.class);

    private @Nullable DedicatedConnection connection;
    /** Commands sent and not answered yet, in order. */
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();

    /** A command on the subscriber connection: a subscribe or unsubscribe of a name, or a PING. */
    private record Sent(
            @Nullable Kind kind,
            String name,
            boolean subscribe,
            @Nullable ReplyCallback ping) {}

    /** @param lane the lane whose subscriber connection this hub holds its names on */
    public SubscriberHub(UpstreamLane lane) {
        this.lane = lane;
        for (Kind kind : Kind.values()) {
            subscribers.put(kind, new HashMap<>());
            unconfirmed.put(kind, new HashMap<>());
        }
    }

    /**
     * Subscribes {@code subscriber} to {@code name} (raw bytes) of {@code kind}; {@code confirmation}
     * is told once the subscription is in force upstream. A subscriber subscribes to a name at most
     * once (the caller keeps its own set).
     */
    public void subscribe(Kind kind, byte[] name, Subscriber subscriber, Confirmation confirmation) {
        String key = new String(name, StandardCharsets.ISO_8859_1);
        Map<String, Set<Subscriber>> byName = of(subscribers, kind);
        Set<Subscriber> current = byName.get(key);
        ArrayDeque<List<Confirmation>> waiting = of(unconfirmed, kind).get(key);
        if (current == null) {
            current = new LinkedHashSet<>();
            current.add(subscriber);
            byName.put(key, current);
            List<Confirmation> first = new ArrayList<>();
            first.add(confirmation);
            of(unconfirmed, kind).computeIfAbsent(key, k -> new ArrayDeque<>()).add(first);
            send(kind, true, name);
        } else {
            current.add(subscriber);
            if (waiting != null && !waiting.isEmpty()) {
                waiting.peekLast().add(confirmation);
            } else {
                confirmation.confirmed();
            }
        }
    }

    /** Ends {@code subscriber}'s subscription to {@code name}; the last one out unsubscribes upstream. */
    public void unsubscribe(Kind kind, byte[] name, Subscriber subscriber) {
        String key = new String(name, StandardCharsets.ISO_8859_1);
        Map<String, Set<Subscriber>> byName = of(subscribers, kind);
        Set<Subscriber> current = byName.get(key);
        if (current == null || !current.remove(subscriber) || !current.isEmpty()) {
            return;
        }
        byName.remove(key);
        send(kind, false, name);
    }

    /**
     * A subscriber's PING, sent on the subscriber connection so that its answer says the
     * connection to Redis is alive, as it would for a client of Redis: a frozen or lost upstream
     * fails it after {@code --timeout}, and its subscribers with it. {@code callback} gets Redis's
     * reply (taking ownership) or the failure.
     */
    public void ping(ReplyCallback callback) {
        RespCommand ping = RespCommand.of("PING");
        try {
            DedicatedConnection open = connection();
            sent.add(new Sent(null, "", false, callback));
            open.sendWithoutReply(0, ping.frame().retain(), true);
        } finally {
            ping.release();
        }
    }

    private DedicatedConnection connection() {
        DedicatedConnection open = connection;
        if (open == null) {
            open = lane.subscriber(this::frame, this::lost);
            connection = open;
        }
        return open;
    }

    private void send(Kind kind, boolean subscribe, byte[] name) {
        String command = subscribe ? kind.subscribe() : kind.unsubscribe();
        RespCommand frame = RespCommand.of(command.getBytes(StandardCharsets.US_ASCII), name);
        try {
            DedicatedConnection open = connection();
            sent.add(new Sent(kind, new String(name, StandardCharsets.ISO_8859_1), subscribe, null));
            open.sendWithoutReply(0, frame.frame().retain(), true);
        } finally {
            frame.release();
        }
    }

    /**
     * A frame from the subscriber connection: a message to fan out, a confirmation, or the reply
     * of the command at the head of {@link #sent}. Takes ownership.
     */
    private void frame(ByteBuf frame) {
        try {
            if (frame.getByte(frame.readerIndex()) != '>') {
                replied(frame);
                return;
            }
            int[] elements = RespFrames.elements(frame);
            if (elements == null || elements.length < 4) {
                return;
            }
            String type = bulk(frame, elements, 0);
            String name = bulk(frame, elements, 1);
            if (type == null || name == null) {
                return;
            }
            for (Kind kind : Kind.values()) {
                if (type.equals(kind.message())) {
                    fanOut(of(subscribers, kind).get(name), frame);
                    return;
                }
                if (type.equals(kind.subscribe())) {
                    sent.poll();
                    confirm(kind, name);
                    return;
                }
                if (type.equals(kind.unsubscribe())) {
                    unsubscribed(kind, name);
                    return;
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * An unsubscribe push: the confirmation of the unsubscribe at the head of {@link #sent}, or else
     * Redis ending a subscription by itself (a shard channel's slot left the node), which each of
     * the name's subscribers is told of.
     */
    private void unsubscribed(Kind kind, String name) {
        Sent head = sent.peek();
        if (head != null
                && !head.subscribe()
                && head.kind() == kind
                && head.name().equals(name)) {
            sent.poll();
            return;
        }
        Set<Subscriber> gone = of(subscribers, kind).remove(name);
        if (gone == null) {
            return;
        }
        byte[] raw = name.getBytes(StandardCharsets.ISO_8859_1);
        for (Subscriber subscriber : new ArrayList<>(gone)) {
            subscriber.unsubscribedByRedis(kind, raw);
        }
    }

    /** A reply that is not a push: the PONG of a PING, or the error of a refused command. Borrows it. */
    private void replied(ByteBuf frame) {
        Sent head = sent.peek();
        if (head == null) {
            return;
        }
        if (head.kind() != Kind.SHARD
                && frame.readableBytes() > 7
                && frame.toString(frame.readerIndex(), 7, StandardCharsets.US_ASCII)
                        .equals("-MOVED ")) {
            // Only a shard command is answered MOVED, and the head is none: this answers a shard
            // unsubscribe already taken off the queue, when the node's own sunsubscribe push (its
            // slot was leaving) came first and passed for its confirmation (see unsubscribed).
            return;
        }
        sent.poll();
        if (head.ping() != null) {
            head.ping().onReply(frame.retain());
        } else if (head.subscribe() && head.kind() != null && frame.getByte(frame.readerIndex()) == '-') {
            refuse(
                    head.kind(),
                    head.name(),
                    frame.toString(StandardCharsets.UTF_8).substring(1).strip());
        }
    }

    /** Redis refused the subscribe of {@code name}: its subscribers are told, and it is forgotten. */
    private void refuse(Kind kind, String name, String error) {
        of(subscribers, kind).remove(name);
        Map<String, ArrayDeque<List<Confirmation>>> byName = of(unconfirmed, kind);
        ArrayDeque<List<Confirmation>> waiting = byName.get(name);
        List<Confirmation> refused = waiting == null ? null : waiting.poll();
        if (waiting != null && waiting.isEmpty()) {
            byName.remove(name);
        }
        if (refused != null) {
            refused.forEach(confirmation -> confirmation.refused(error));
        }
    }

    private void confirm(Kind kind, String name) {
        Map<String, ArrayDeque<List<Confirmation>>> byName = of(unconfirmed, kind);
        ArrayDeque<List<Confirmation>> waiting = byName.get(name);
        if (waiting == null) {
            return;
        }
        List<Confirmation> confirmed = waiting.poll();
        if (waiting.isEmpty()) {
            byName.remove(name);
        }
        if (confirmed != null) {
            confirmed.forEach(Confirmation::confirmed);
        }
    }

    /** Hands {@code push} to each subscriber in its protocol. Borrows {@code push}. */
    private static void fanOut(@Nullable Set<Subscriber> targets, ByteBuf push) {
        if (targets == null || targets.isEmpty()) {
            return;
        }
        ByteBuf array = null;
        try {
            // A copy: delivering may call back into the hub (a client that unsubscribes at once).
            for (Subscriber subscriber : new ArrayList<>(targets)) {
                if (subscriber.resp3()) {
                    subscriber.deliver(push.retainedDuplicate());
                } else {
                    if (array == null) {
                        array = push.copy();
                        array.setByte(array.readerIndex(), '*');
                    }
                    subscriber.deliver(array.retainedDuplicate());
                }
            }
        } finally {
            if (array != null) {
                array.release();
            }
        }
    }

    /** The subscriber connection broke: everybody on it is told, and everything starts over. */
    private void lost(String error) {
        connection = null;
        List<ReplyCallback> pings = new ArrayList<>();
        for (Sent command; (command = sent.poll()) != null; ) {
            if (command.ping() != null) {
                pings.add(command.ping());
            }
        }
        List<Subscriber> told = new ArrayList<>();
        for (Map<String, Set<Subscriber>> byName : subscribers.values()) {
            for (Set<Subscriber> set : byName.values()) {
                told.addAll(set);
            }
            byName.clear();
        }
        List<Confirmation> failed = new ArrayList<>();
        for (Map<String, ArrayDeque<List<Confirmation>>> byName : unconfirmed.values()) {
            byName.values().forEach(queue -> queue.forEach(failed::addAll));
            byName.clear();
        }
        // Subscribers first: a failed reply lets a client's held commands run, and a subscribe
        // among them must find the client already without subscriptions, not start a new hub.
        new LinkedHashSet<>(told).forEach(subscriber -> subscriber.lost(error));
        failed.forEach(confirmation -> confirmation.failed(error));
        pings.forEach(ping -> ping.onFailure(error));
    }

    /** Element {@code i} of an aggregate as an ISO-8859-1 string, or null when it is not a bulk string. */
    private static @Nullable String bulk(ByteBuf frame, int[] elements, int i) {
        int index = elements[2 * i];
        int length = elements[2 * i + 1];
        long bulkLength = RespFrames.bulkLength(frame, index, length);
        if (bulkLength < 0) {
            return null;
        }
        return frame.toString(index + length - 2 - (int) bulkLength, (int) bulkLength, StandardCharsets.ISO_8859_1);
    }

    private static <V> Map<String, V> of(Map<Kind, Map<String, V>> byKind, Kind kind) {
        Map<String, V> map = byKind.get(kind);
        if (map == null) {
            throw new IllegalStateException("no map for " + kind);
        }
        return map;
    }
}
