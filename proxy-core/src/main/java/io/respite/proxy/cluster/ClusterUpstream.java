package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.config.ReadFrom;
import io.respite.proxy.config.UpstreamUri;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.tls.LettuceTls;
import io.respite.proxy.upstream.ConnectionListener;
import io.respite.proxy.upstream.ControlConnection;
import io.respite.proxy.upstream.TrackedUpstream;
import io.respite.proxy.upstream.TrackingSetup;
import io.respite.proxy.upstream.Upstream;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UpstreamObserver;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UpstreamSettings;
import io.respite.proxy.upstream.UserLanes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis Cluster as the upstream: each primary gets the pipelined per-loop lanes a single Redis
 * gets ({@link UpstreamPool}, opened when the node first owns slots), and each loop a
 * {@link ClusterLane} that sends a command to the node serving its keys' slot, following MOVED
 * and ASK replies so that clients never see one. The slot map comes from {@link ClusterTopology}
 * (Lettuce), corrected by MOVED replies between refreshes. With {@code --read-from}, replicas get
 * lanes of their own, READONLY and untracked ({@link #replicaPool}). A node the topology stops
 * naming keeps its connections for {@link #RETIREMENT}, then they close.
 *
 * <p>Coherence: each primary tracks the reads of its own connections and sends its invalidations
 * to a stream of respite's on that node ({@link ClusterStream}); caching runs while every
 * primary's stream is up. When a slot changes owner (failover, resharding: seen in a refresh, a
 * MOVED or an ASK), the new owner never registered our reads of its keys, so the slot's entries
 * are dropped ({@code slotsMoved}).
 *
 * <p>Thread-safety: the slot map and the node pools are published through a volatile and a
 * concurrent map, read from every loop; each lane is confined to its loop.
 *
 * <p>Over 400 lines because it owns the life of every node pool (primaries', replicas', the
 * users' lanes on them, their tracking setups, streams and retirement) against the one slot map
 * it publishes; split, each part would need that map's updates in order.
 */
public final class ClusterUpstream implements Upstream, TrackedUpstream {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterUpstream.class);

    /** What a node's connections apply while its stream is down: no tracking, so no fills. */
    private static final TrackingSetup UNTRACKED = new TrackingSetup(-1, List.of("CLIENT", "TRACKING", "OFF"));

    /**
     * How long the connections of a node the topology stopped naming (as a primary, or as a
     * replica read from) are kept: a command sent there meanwhile still gets its MOVED, and a node
     * named again keeps them. Then they close, so that a node taken out of the cluster is not
     * reconnected to for ever.
     */
    static final Duration RETIREMENT = Duration.ofSeconds(30);

    private final EventLoopGroup group;
    private final Map<EventLoop, LoopFlusher> flushers;
    private final UpstreamSettings settings;
    private final BiConsumer<UpstreamLane, Boolean> onReady;
    private final Consumer<String> onDown;
    private final UpstreamObserver observer;
    private volatile long slowlogNanos;
    private final Consumer<BitSet> slotsMoved;
    private final AtomicReference<@Nullable Catalog> catalog;
    private final Map<Seed, UpstreamPool> pools = new ConcurrentHashMap<>();
    /** Replicas' pools ({@code --read-from}): READONLY connections for forwarded reads, never tracked. */
    private final Map<Seed, UpstreamPool> replicaPools = new ConcurrentHashMap<>();

    private final ReadFrom readFrom;
    /** Replicas whose pool's retirement is scheduled: one task each, however many refreshes miss them. */
    private final Set<Seed> retiring = ConcurrentHashMap.newKeySet();

    private final IdentityHashMap<EventLoop, ClusterLane> lanes = new IdentityHashMap<>();
    private final ClusterTopology topology;
    private final Seed firstSeed;
    private final List<ClusterStream> streams = new ArrayList<>();
    private volatile SlotMap slots = SlotMap.EMPTY;
    /** Slots answered ASK for since the last map: their entries were dropped once. Guarded by this. */
    private final BitSet asked = new BitSet(Slots.COUNT);

    private volatile @Nullable TrackingSetup tracking;

    /**
     * @param uri the seed nodes and credentials
     * @param settings how to talk to each node (its address aside), TLS included
     * @param tls the same TLS, for the topology's connections (Lettuce's)
     * @param onReady as for {@link UpstreamPool}: told of every node's connections
     * @param onDown as for {@link UpstreamPool}
     * @param slotsMoved told of slots whose owner changed, from any thread: their entries must go
     * @param catalog the command table, for finding keys and command tips; null inside until loaded
     * @param refreshInterval how often the topology is refreshed when nothing prompts it
     * @param readFrom where forwarded read-only commands go
     */
    public ClusterUpstream(
            UpstreamUri uri,
            EventLoopGroup group,
            Map<EventLoop, LoopFlusher> flushers,
            UpstreamSettings settings,
            LettuceTls tls,
            BiConsumer<UpstreamLane, Boolean> onReady,
            Consumer<String> onDown,
            UpstreamObserver observer,
            long slowlogNanos,
            Consumer<BitSet> slotsMoved,
            AtomicReference<@Nullable Catalog> catalog,
            Duration refreshInterval,
            ReadFrom readFrom) {
        this.group = group;
        this.readFrom = readFrom;
        this.flushers = flushers;
        this.settings = settings;
        this.onReady = onReady;
        this.onDown = onDown;
        this.observer = observer;
        this.slowlogNanos = slowlogNanos;
        this.slotsMoved = slotsMoved;
        this.catalog = catalog;
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            lanes.put(loop, new ClusterLane(this, loop));
        }
        this.firstSeed = uri.seeds().get(0);
        this.topology = new ClusterTopology(uri, tls, settings.timeout(), refreshInterval, this::learnt);
        topology.start();
    }

    @Override
    public UpstreamLane lane(EventLoop loop) {
        ClusterLane lane = lanes.get(loop);
        if (lane == null) {
            throw new IllegalArgumentException("loop: " + loop + " (expected: a loop of the proxy's worker group)");
        }
        return lane;
    }

    /** How long a redirected command may keep trying: {@code --timeout}. */
    long timeoutNanos() {
        return settings.timeout().toNanos();
    }

    /** The first seed node, for when no primary is known yet. */
    Seed seed() {
        return firstSeed;
    }

    /** The slot map in force. */
    SlotMap slots() {
        return slots;
    }

    @Nullable
    Catalog catalog() {
        return catalog.get();
    }

    /** The pool of {@code node}, opened on first use. */
    UpstreamPool pool(Seed node) {
        return pools.computeIfAbsent(node, this::open);
    }

    /**
     * Lanes that run as a given Redis user ({@code --auth passthrough}): a cluster lane whose
     * commands go to the user's lane of each node (opened on first use), so Redis applies the
     * user's ACL on every node. A node lane of the user that goes down or closes drops that
     * node's entries, as respite's own do.
     */
    public UserLanes users() {
        return (loop, user, secret) ->
                new ClusterLane(this, loop, new UserNodes(user, secret, this::nodeConnectionLost));
    }

    /** Where forwarded read-only commands go. */
    ReadFrom readFrom() {
        return readFrom;
    }

    /**
     * The pool of replica {@code node}, opened on first use: its connections send READONLY, track
     * nothing (nothing read there is cached), and their loss is no upstream outage, only a reason
     * to look at the topology again.
     */
    UpstreamPool replicaPool(Seed node) {
        return replicaPools.computeIfAbsent(node, this::openReplica);
    }

    private UpstreamPool openReplica(Seed node) {
        LOG.info("cluster: connecting to replica {} for reads (--read-from {})", node, readFrom.text());
        return new UpstreamPool(
                group,
                flushers,
                settings.forReplica(node.host(), node.port()),
                (lane, recovered) -> {},
                cause -> topology.refreshSoon(),
                observer,
                slowlogNanos);
    }

    private UpstreamPool open(Seed node) {
        LOG.info("cluster: connecting to primary {}", node);
        UpstreamPool pool = new UpstreamPool(
                group,
                flushers,
                settings.withAddress(node.host(), node.port()),
                // Told with the loop's cluster lane: what it sends (the command table's load) is routed,
                // never stuck on a node that may be a replica or gone by then.
                (nodeLane, recovered) -> onReady.accept(lane(nodeLane.loop()), recovered),
                cause -> {
                    onDown.accept(cause);
                    nodeConnectionLost(node);
                },
                observer,
                slowlogNanos);
        TrackingSetup setup = tracking;
        if (setup != null) {
            pool.track(setupFor(node, setup));
        }
        return pool;
    }

    /**
     * A map from the topology: opens the new primaries' pools (and their replicas', for
     * --read-from) before publishing it (so no loop creates one mid-command), drops what moved,
     * and stops the former primaries' connections tracking (their streams close: invalidations
     * sent to them would be lost).
     */
    private void learnt(SlotMap next) {
        for (Seed node : next.primaries()) {
            pool(node);
            if (readFrom != ReadFrom.PRIMARY) {
                // Here, not on a loop's first read: a pool opened there connects the other loops later.
                next.replicas(node).forEach(this::replicaPool);
            }
        }
        SlotMap before;
        synchronized (this) {
            before = slots;
            slots = next;
            asked.clear();
        }
        BitSet changed = before.changedIn(next);
        if (before.primaries().isEmpty()) {
            LOG.info("cluster: {} primaries serve {} slots", next.primaries().size(), next.covered() ? "all" : "some");
        } else if (!changed.isEmpty()) {
            LOG.info("cluster: {} slots changed owner; their cached entries are dropped", changed.cardinality());
            slotsMoved.accept(changed);
        }
        for (Seed former : before.primaries()) {
            UpstreamPool pool = pools.get(former);
            if (!next.primaries().contains(former) && pool != null) {
                pool.track(UNTRACKED);
                topology.later(
                        () -> retire(pools, former, slots.primaries().contains(former), "a primary"), RETIREMENT);
            }
        }
        for (Seed replica : replicaPools.keySet()) {
            if (!next.isReplica(replica) && retiring.add(replica)) {
                topology.later(
                        () -> {
                            retiring.remove(replica);
                            retire(replicaPools, replica, slots.isReplica(replica), "a replica");
                        },
                        RETIREMENT);
            }
        }
        List<ClusterStream> open;
        synchronized (streams) {
            open = List.copyOf(streams);
        }
        for (ClusterStream stream : open) {
            stream.primaries(next.primaries());
        }
    }

    /** Closes {@code node}'s pool in {@code pools} unless the topology names it {@code as} again ({@code named}). */
    private static void retire(Map<Seed, UpstreamPool> pools, Seed node, boolean named, String as) {
        if (named) {
            return;
        }
        UpstreamPool pool = pools.remove(node);
        if (pool != null) {
            LOG.info("cluster: {} is no longer {} in the topology; its connections close", node, as);
            pool.close();
        }
    }

    /**
     * A node answered MOVED for {@code slot}: it is {@code node}'s now. Drops the slot's entries
     * (once per change) and asks for a refresh, since more has probably moved.
     */
    void moved(int slot, Seed node) {
        boolean changed;
        synchronized (this) {
            SlotMap current = slots;
            changed = !node.equals(current.owner(slot));
            if (changed) {
                slots = current.moved(slot, node);
            }
        }
        if (changed) {
            BitSet one = new BitSet(Slots.COUNT);
            one.set(slot);
            slotsMoved.accept(one);
        }
        topology.refreshSoon();
    }

    /**
     * A node answered ASK for {@code slot}: it is migrating, its keys leaving the node that tracked
     * them. Its entries go once per migration (a scan of the cache; later reads of it are tracked
     * by whichever node answers them, and a key that moves is deleted, so invalidated, at its
     * source); the refresh that follows the migration drops them again.
     */
    void asked(int slot) {
        boolean first;
        synchronized (this) {
            first = !asked.get(slot);
            asked.set(slot);
        }
        if (first) {
            BitSet one = new BitSet(Slots.COUNT);
            one.set(slot);
            slotsMoved.accept(one);
            topology.refreshSoon();
        }
    }

    /** A node's connection failed, which may mean a failover: look again soon. */
    void nodeTrouble() {
        topology.refreshSoon();
    }

    /**
     * One of {@code node}'s shared connections went down: the keys it read are no longer tracked,
     * so the entries of the node's slots go (the other nodes' stay).
     */
    private void nodeConnectionLost(Seed node) {
        slotsMoved.accept(slotsOf(node));
        topology.refreshSoon();
    }

    /**
     * The invalidation stream on {@code node} is lost: its invalidations may be missed from now.
     * Its connections stop tracking (so their reads fill nothing) and, once every loop has applied
     * that, the node's entries go, fills in flight included; the rest of the cache is untouched.
     * Thread-safe.
     */
    void nodeStreamLost(Seed node) {
        UpstreamPool pool = pools.get(node);
        if (pool == null) {
            return;
        }
        pool.track(UNTRACKED);
        AtomicInteger loops = new AtomicInteger(lanes.size());
        for (EventLoop loop : lanes.keySet()) {
            // After the loop's applyTracking, queued by track() before this.
            loop.execute(() -> {
                if (loops.decrementAndGet() == 0) {
                    slotsMoved.accept(slotsOf(node));
                }
            });
        }
        LOG.warn(
                "cluster: the invalidation stream on {} is down; its slots' entries are dropped and not cached "
                        + "until it is back",
                node);
        topology.refreshSoon();
    }

    /** The stream on {@code node} is back: its connections track again, redirecting to it. */
    void nodeStreamBack(Seed node) {
        TrackingSetup setup = tracking;
        UpstreamPool pool = pools.get(node);
        if (setup != null && pool != null) {
            pool.track(setupFor(node, setup));
        }
    }

    /** The slots {@code node} serves in the current map. */
    private BitSet slotsOf(Seed node) {
        SlotMap map = slots;
        BitSet owned = new BitSet(Slots.COUNT);
        for (int slot = 0; slot < Slots.COUNT; slot++) {
            if (node.equals(map.owner(slot))) {
                owned.set(slot);
            }
        }
        return owned;
    }

    @Override
    public ControlConnection control(EventLoop loop, Consumer<ByteBuf> pushes, ConnectionListener listener) {
        ClusterStream stream = new ClusterStream(this, loop, pushes, listener);
        synchronized (streams) {
            streams.add(stream);
        }
        return stream;
    }

    @Override
    public void track(@Nullable TrackingSetup setup) {
        tracking = setup;
        for (Map.Entry<Seed, UpstreamPool> node : pools.entrySet()) {
            node.getValue().track(setup == null ? null : setupFor(node.getKey(), setup));
        }
    }

    /**
     * {@code setup} for {@code node}: a REDIRECT names the client id of respite's stream on that
     * node, since a node can only redirect to its own clients.
     */
    private TrackingSetup setupFor(Seed node, TrackingSetup setup) {
        List<String> words = new ArrayList<>(setup.command());
        int redirect = words.indexOf("REDIRECT");
        if (redirect >= 0 && redirect + 1 < words.size()) {
            long id = -1;
            synchronized (streams) {
                for (ClusterStream stream : streams) {
                    id = Math.max(id, stream.clientId(node));
                }
            }
            if (id < 0) {
                // No stream on the node yet: its reads are not tracked, and must not fill.
                return UNTRACKED;
            }
            words.set(redirect + 1, Long.toString(id));
        }
        return new TrackingSetup(setup.epoch(), words);
    }

    @Override
    public void slowlogThreshold(long nanos) {
        slowlogNanos = nanos;
        for (UpstreamPool pool : pools.values()) {
            pool.slowlogThreshold(nanos);
        }
        for (UpstreamPool pool : replicaPools.values()) {
            pool.slowlogThreshold(nanos);
        }
    }

    @Override
    public int dedicatedBusy() {
        int busy = 0;
        for (UpstreamPool pool : pools.values()) {
            busy += pool.dedicatedBusy();
        }
        return busy;
    }

    @Override
    public void close() {
        topology.close();
        synchronized (streams) {
            for (ClusterStream stream : streams) {
                stream.loop().execute(stream::close);
            }
        }
        for (UpstreamPool pool : pools.values()) {
            pool.close();
        }
        for (UpstreamPool pool : replicaPools.values()) {
            pool.close();
        }
    }
}
