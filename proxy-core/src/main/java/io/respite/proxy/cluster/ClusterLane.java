package io.respite.proxy.cluster;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.command.KeySpec;
import io.respite.proxy.config.ReadFrom;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.DedicatedConnection;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UserLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One loop's way into the cluster: finds a command's keys (the upstream's key specs), and sends it
 * to the primary serving their slot, through that node's lane on this loop, so that the order of a
 * client's commands on one node is kept. Commands whose tips say so go to every primary and their
 * replies are merged ({@link Fanout}); MGET, MSET, DEL, UNLINK, EXISTS and TOUCH across slots are
 * cut by slot and merged in order; other commands across slots get Redis Cluster's own CROSSSLOT
 * error. With {@code --read-from}, read-only commands of one slot may go to its replicas instead
 * ({@link ReplicaReads}); shard channels are held on their slot's primary ({@link #shardLane}).
 * A Redis user's lane ({@code --auth passthrough}) is the same routing over that user's node
 * lanes ({@link UserNodes}). Only the loop's thread may call it.
 *
 * <p>Over 400 lines because it is the whole {@link UpstreamLane} of a loop in cluster mode: each
 * way in the interface has (shared, out of band, dedicated, subscriber, shard channels, tracking
 * epochs) is routed here, in a few lines each, over the same slot map and node lanes; the larger
 * pieces live apart ({@link Fanout}, {@link Redirecting}, {@link Scans}, {@link ReplicaReads}).
 */
final class ClusterLane implements UserLane {

    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
    static final String NO_SELECT = "ERR SELECT is not allowed in cluster mode";
    static final String CLUSTER_DOWN = "CLUSTERDOWN Hash slot not served";

    private static final byte[] RANDOMKEY = "RANDOMKEY".getBytes(US_ASCII);
    private static final byte[] SCAN = "SCAN".getBytes(US_ASCII);
    private static final byte[] SHUTDOWN = "SHUTDOWN".getBytes(US_ASCII);

    private final ClusterUpstream upstream;
    private final EventLoop loop;
    /** A Redis user's node lanes ({@code --auth passthrough}); null for the loop's own lane. */
    private final @Nullable UserNodes user;

    private boolean resp3Opened;

    /** The loop's lane, running as respite's own upstream identity. */
    ClusterLane(ClusterUpstream upstream, EventLoop loop) {
        this(upstream, loop, null);
    }

    /** A lane whose commands run on {@code user}'s node lanes, or on the loop's own when null. */
    ClusterLane(ClusterUpstream upstream, EventLoop loop, @Nullable UserNodes user) {
        this.upstream = upstream;
        this.loop = loop;
        this.user = user;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    ClusterUpstream upstream() {
        return upstream;
    }

    /** This loop's lane to {@code node}: the user's, for a user's lane. */
    UpstreamLane node(Seed node) {
        UpstreamPool pool = upstream.pool(node);
        return user == null ? pool.lane(loop) : user.lane(node, pool, loop);
    }

    /** A user's lane closes its node lanes ({@code --max-users} made room); the loop's own never closes. */
    @Override
    public void close() {
        if (user != null) {
            user.close();
        }
    }

    @Override
    public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        if (database != 0) {
            frame.release();
            callback.onFailure(NO_SELECT);
            return;
        }
        if (version == RespVersion.RESP3 && !resp3Opened) {
            openResp3();
        }
        RespCommand command = Requests.parse(frame);
        try {
            route(version, command, frame, callback);
        } finally {
            command.release();
        }
    }

    /**
     * Opens every primary's RESP3 lane at once (with a PING), so that all of them track reads
     * and a RESP3 read may fill whichever node it goes to.
     */
    private void openResp3() {
        resp3Opened = true;
        for (Seed node : upstream.slots().primaries()) {
            RespCommand ping = RespCommand.of("PING");
            ByteBuf frame = ping.frame().retain();
            ping.release();
            node(node).send(0, RespVersion.RESP3, frame, IGNORED);
        }
    }

    /** Takes ownership of {@code frame}; borrows {@code command}, its view. */
    private void route(RespVersion version, RespCommand command, ByteBuf frame, ReplyCallback callback) {
        Catalog catalog = upstream.catalog();
        CommandInfo info = catalog == null ? null : catalog.commands().lookup(command);
        String request = info == null ? null : info.requestPolicy();
        String response = info == null ? null : info.responsePolicy();
        boolean randomKey = command.argCount() == 1 && command.argEqualsIgnoreCase(0, RANDOMKEY);
        if (("all_shards".equals(request) || "all_nodes".equals(request))
                && (!"special".equals(response) || randomKey)) {
            // RANDOMKEY's special policy: any node's key; the default merge prefers one that is not nil.
            everyPrimary(version, frame, callback, randomKey ? null : response);
            return;
        }
        if (command.argCount() > 1 && command.argEqualsIgnoreCase(0, SCAN)) {
            frame.release();
            Scans.scan(this, version, command, callback);
            return;
        }
        IntArrayList keys = keys(command, info);
        if (keys.isEmpty()) {
            node(anyPrimary()).send(0, version, frame, callback);
            return;
        }
        int slot = Slots.of(
                command.frame(),
                command.frame().readerIndex() + command.argOffset(keys.getInt(0)),
                command.argLength(keys.getInt(0)));
        boolean oneSlot = true;
        for (int i = 1; i < keys.size() && oneSlot; i++) {
            oneSlot = slotOf(command, keys.getInt(i)) == slot;
        }
        // A user's reads stay on primaries: the replicas' connections run as respite, not as the user.
        if (oneSlot
                && user == null
                && upstream.readFrom() != ReadFrom.PRIMARY
                && ReplicaReads.eligible(command, info)) {
            ReplicaReads.send(this, slot, version, frame, callback);
        } else if (oneSlot) {
            sendToSlot(slot, version, frame, callback);
        } else if ("multi_shard".equals(request)
                && splittable(response)
                && info != null
                && evenlySpaced(command, keys)) {
            frame.release();
            cut(version, command, info, keys, callback);
        } else if ("multi_shard".equals(request) && !evenlySpaced(command, keys)) {
            sendToSlot(slot, version, frame, callback);
        } else {
            frame.release();
            callback.onReply(error(CROSSSLOT));
        }
    }

    /**
     * Whether the keys are evenly spaced and each has its full share of arguments (MSET's values):
     * else the command is malformed, and goes whole to the first key's node for Redis's own error.
     */
    private static boolean evenlySpaced(RespCommand command, IntArrayList keys) {
        int width = keys.getInt(1) - keys.getInt(0);
        for (int i = 2; i < keys.size(); i++) {
            if (keys.getInt(i) - keys.getInt(i - 1) != width) {
                return false;
            }
        }
        return width > 0 && keys.getInt(keys.size() - 1) + width == command.argCount();
    }

    /** Whether a multi-key command cut by slot still means what it meant: its replies merge exactly. */
    private static boolean splittable(@Nullable String response) {
        return response == null || "agg_sum".equals(response) || "all_succeeded".equals(response);
    }

    private static int slotOf(RespCommand command, int arg) {
        return Slots.of(
                command.frame(), command.frame().readerIndex() + command.argOffset(arg), command.argLength(arg));
    }

    /**
     * The argument indexes of {@code command}'s keys, in order; before the command table is loaded,
     * the first argument is taken for one (a wrong guess costs a MOVED, which is followed).
     */
    static IntArrayList keys(RespCommand command, @Nullable CommandInfo info) {
        IntArrayList keys = new IntArrayList(4);
        if (info == null) {
            if (command.argCount() > 1) {
                keys.add(1);
            }
            return keys;
        }
        for (KeySpec spec : info.keySpecs()) {
            spec.forEachKey(command, keys::add);
        }
        return keys;
    }

    /** Sends to the primary of {@code slot}, following redirections. Takes ownership of {@code frame}. */
    void sendToSlot(int slot, RespVersion version, ByteBuf frame, ReplyCallback callback) {
        SlotMap slots = upstream.slots();
        Seed owner = slots.owner(slot);
        if (owner == null && !slots.refreshed()) {
            // Before the first refresh, any node: its MOVED, followed, teaches the slot's owner.
            owner = anyPrimary();
        }
        if (owner == null) {
            upstream.nodeTrouble();
            frame.release();
            callback.onReply(error(CLUSTER_DOWN));
            return;
        }
        // The retry's own view of the bytes: the one sent is the connection's to consume.
        Redirecting redirecting = new Redirecting(this, slot, version, frame.retainedDuplicate(), callback);
        node(owner).send(0, version, frame, redirecting);
    }

    /** A keyless command for every primary (DBSIZE, KEYS, FLUSHALL...), merged as {@code policy} says. */
    private void everyPrimary(RespVersion version, ByteBuf frame, ReplyCallback callback, @Nullable String policy) {
        List<Seed> primaries = upstream.slots().primaries();
        if (primaries.isEmpty()) {
            frame.release();
            callback.onReply(error(CLUSTER_DOWN));
            return;
        }
        Fanout fanout = new Fanout(callback, policy, PooledByteBufAllocator.DEFAULT, primaries.size(), null, null);
        for (int i = 0; i < primaries.size(); i++) {
            ByteBuf part = i == primaries.size() - 1 ? frame : frame.retainedDuplicate();
            node(primaries.get(i)).send(0, version, part, fanout.part(i));
        }
    }

    /**
     * A multi-key command across slots, cut into one command per slot (each key with its value
     * for MSET), merged: MGET's values in the client's key order, counts summed, OK if all are.
     */
    private void cut(
            RespVersion version, RespCommand command, CommandInfo info, IntArrayList keys, ReplyCallback callback) {
        // Keys are evenly spaced (MSET: key, value, key...): a key's part is it and what follows up to the next.
        int width = keys.getInt(1) - keys.getInt(0);
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        List<List<Integer>> parts = new ArrayList<>();
        int[] partOfKey = new int[keys.size()];
        int[] indexInPart = new int[keys.size()];
        List<Integer> order = new ArrayList<>();
        Map<Integer, Integer> partIndex = new LinkedHashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            int slot = slotOf(command, keys.getInt(k));
            List<Integer> part = bySlot.get(slot);
            if (part == null) {
                part = new ArrayList<>();
                bySlot.put(slot, part);
                partIndex.put(slot, parts.size());
                parts.add(part);
                order.add(slot);
            }
            partOfKey[k] = partIndex.getOrDefault(slot, 0);
            indexInPart[k] = part.size();
            part.add(keys.getInt(k));
        }
        boolean inKeyOrder = info.responsePolicy() == null;
        Fanout fanout = new Fanout(
                callback,
                info.responsePolicy(),
                PooledByteBufAllocator.DEFAULT,
                order.size(),
                inKeyOrder ? partOfKey : null,
                inKeyOrder ? indexInPart : null);
        // Every part built before any is sent: nothing runs unless all of it can.
        ByteBuf[] frames = new ByteBuf[order.size()];
        for (int p = 0; p < order.size(); p++) {
            frames[p] = Requests.subset(PooledByteBufAllocator.DEFAULT, command, parts.get(p), width);
        }
        for (int p = 0; p < order.size(); p++) {
            sendToSlot(order.get(p), version, frames[p], fanout.part(p));
        }
    }

    /** A primary at random; before the first refresh, the first seed. */
    private Seed anyPrimary() {
        List<Seed> primaries = upstream.slots().primaries();
        return primaries.isEmpty()
                ? upstream.seed()
                : primaries.get(ThreadLocalRandom.current().nextInt(primaries.size()));
    }

    /**
     * The tracking epoch in force on every primary's lane of this loop for {@code version}, or -1
     * while they differ (one is reconnecting, or has not applied the current setup yet): a read
     * may fill only if whichever node serves it tracks it.
     */
    @Override
    public int trackingEpoch(RespVersion version) {
        List<Seed> primaries = upstream.slots().primaries();
        if (primaries.isEmpty()) {
            return -1;
        }
        int epoch = node(primaries.get(0)).trackingEpoch(version);
        for (int i = 1; i < primaries.size() && epoch >= 0; i++) {
            if (node(primaries.get(i)).trackingEpoch(version) != epoch) {
                return -1;
            }
        }
        return epoch;
    }

    /** The epoch of the lane to the node serving the key's slot: other nodes' state does not matter to it. */
    @Override
    public int trackingEpoch(RespVersion version, RespCommand command, int keyArg) {
        SlotMap slots = upstream.slots();
        Seed owner = slots.owner(slotOf(command, keyArg));
        return owner == null ? -1 : node(owner).trackingEpoch(version);
    }

    /**
     * SCRIPT KILL, FUNCTION KILL, CLIENT KILL/PAUSE/UNPAUSE/UNBLOCK: to every primary, each on a
     * connection of its own, merged as the command's tip says (one node's success is enough by
     * default: the busy script runs on one of them). SHUTDOWN is refused: it would stop a node.
     */
    @Override
    public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
        RespCommand command = Requests.parse(frame);
        CommandInfo info;
        try {
            if (command.argEqualsIgnoreCase(0, SHUTDOWN)) {
                frame.release();
                callback.onReply(error(
                        "ERR respite does not relay SHUTDOWN to a Redis Cluster: shut its nodes " + "down one by one"));
                return;
            }
            Catalog catalog = upstream.catalog();
            info = catalog == null ? null : catalog.commands().lookup(command);
        } finally {
            command.release();
        }
        List<Seed> primaries = upstream.slots().primaries();
        if (primaries.isEmpty()) {
            node(anyPrimary()).sendOutOfBand(version, frame, callback);
            return;
        }
        String policy = info == null || info.responsePolicy() == null ? "one_succeeded" : info.responsePolicy();
        Fanout fanout = new Fanout(callback, policy, PooledByteBufAllocator.DEFAULT, primaries.size(), null, null);
        for (int i = 0; i < primaries.size(); i++) {
            ByteBuf part = i == primaries.size() - 1 ? frame : frame.retainedDuplicate();
            node(primaries.get(i)).sendOutOfBand(version, part, fanout.part(i));
        }
    }

    @Override
    public @Nullable DedicatedConnection dedicated(
            RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        return new ClusterDedicated(this, version, frames, lost);
    }

    @Override
    public void awaitDedicated(Consumer<Boolean> wake) {
        node(anyPrimary()).awaitDedicated(wake);
    }

    @Override
    public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
        // PUBLISH reaches every node of a cluster: one node's subscription hears the whole cluster.
        return node(anyPrimary()).subscriber(frames, lost);
    }

    /** The node serving the channels' slot: SSUBSCRIBE reaches the shard, SPUBLISH's publishes go there. */
    @Override
    public @Nullable UpstreamLane shardLane(List<byte[]> channels) {
        int slot = Slots.of(channels.get(0));
        for (byte[] channel : channels) {
            if (Slots.of(channel) != slot) {
                return null;
            }
        }
        Seed owner = upstream.slots().owner(slot);
        // No owner known: any node answers with the MOVED or CLUSTERDOWN that tells.
        return node(owner == null ? anyPrimary() : owner);
    }

    /** A MOVED for a shard subscription: the slot's owner is learnt, and the subscription may go there. */
    @Override
    public boolean shardRedirected(String error) {
        if (!error.startsWith("MOVED ")) {
            return false;
        }
        Seed target = Redirecting.target(error);
        String[] words = error.split(" ", 3);
        if (target == null) {
            return false;
        }
        try {
            int slot = Integer.parseInt(words[1]);
            if (slot < 0 || slot >= Slots.COUNT) {
                return false;
            }
            upstream.moved(slot, target);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public void shardLost() {
        upstream.nodeTrouble();
    }

    /** An error reply frame, owned by the caller. */
    static ByteBuf error(String text) {
        return PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(("-" + text + "\r\n").getBytes(UTF_8));
    }

    /** For replies nobody waits for (the PINGs that open lanes, ASKING's OK). */
    static final ReplyCallback IGNORED = new ReplyCallback() {
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String error) {}
    };
}
