package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespVersion;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The standalone-Redis {@link Upstream}: every worker event loop gets a lane with its own
 * pipelined connections, one per protocol version (RESP2 at start, RESP3 when a RESP3 client
 * first needs it). So the upstream sees {@code loops × versions} connections however many clients
 * there are, and a session never hands work to another thread.
 *
 * <p>The upstream can move ({@link #moveTo}: a Sentinel failover promoted another Redis): every
 * connection then goes to the new address, the lanes' first and the control connections' (the
 * invalidation stream's) only once every lane has moved, so that the stream, once up on the new
 * primary, sets up tracking only for connections that are there already.
 *
 * <p>With {@code --auth passthrough}, each loop's lane also holds the lanes of the Redis users its
 * clients authenticated as ({@link #users}): the same kind of lane, whose connections authenticate
 * as the user; they move with their loop's lane.
 *
 * <p>Thread-safety: {@link #lane} and {@link #moveTo} may be called from any thread (the map is
 * built once and never changes; the settings are volatile); each lane is confined to its loop.
 *
 * <p>Over 400 lines because the lane (a loop's, or a user's on it), its out-of-band commands and
 * the pool-wide operations on every lane (tracking, hold, move, close) share the pool's settings
 * and counters.
 */
public final class UpstreamPool implements Upstream, TrackedUpstream {

    private final IdentityHashMap<EventLoop, Lane> lanes = new IdentityHashMap<>();
    /** Dedicated connections leased now (and out-of-band ones open), over all loops; bounded by the settings. */
    private final AtomicInteger dedicatedBusy = new AtomicInteger();

    private final Map<EventLoop, LoopFlusher> flushers;
    /** How to reach the upstream now: replaced by {@link #moveTo}, read by each new connection. */
    private volatile UpstreamSettings settings;
    /** The control connections opened so far, each with its loop, for {@link #moveTo}. */
    private final List<Control> controls = new CopyOnWriteArrayList<>();

    private final UpstreamObserver observer;
    /** Commands slower than this are logged (--slowlog-threshold); 0 for none. A reload may change it. */
    private volatile long slowlogNanos;
    /** The tracking setup shared connections apply; null while there is none (no stream, or ttl mode). */
    private volatile @Nullable TrackingSetup tracking;

    /**
     * @param flushers the flusher of each loop of {@code group}
     * @param onReady runs on a loop each time one of its shared connections becomes ready, told
     *     whether that is a recovery from a failure (when invalidations may have been missed)
     * @param onDown runs on a loop when one of its shared connections goes down: the keys it
     *     read are no longer tracked
     * @param observer told of every command on the shared lanes (not of dedicated connections')
     * @param slowlogNanos shared-lane commands slower than this are logged; 0 for none
     */
    public UpstreamPool(
            EventLoopGroup group,
            Map<EventLoop, LoopFlusher> flushers,
            UpstreamSettings settings,
            BiConsumer<UpstreamLane, Boolean> onReady,
            Consumer<String> onDown,
            UpstreamObserver observer,
            long slowlogNanos) {
        this.flushers = flushers;
        this.settings = settings;
        this.observer = observer;
        this.slowlogNanos = slowlogNanos;
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            Lane lane = new Lane(loop, flusherOf(loop), settings, onReady, onDown, null);
            lanes.put(loop, lane);
            Runnable start = () -> {
                lane.resp2.connect();
                lane.dedicated.start();
            };
            if (loop.inEventLoop()) {
                // A pool opened by a command on this loop (a cluster's new node): connecting now
                // holds that command until the connection is ready, instead of failing it.
                start.run();
            } else {
                loop.execute(start);
            }
        }
    }

    private LoopFlusher flusherOf(EventLoop loop) {
        return Objects.requireNonNull(flushers.get(loop), "flusher");
    }

    @Override
    public void track(@Nullable TrackingSetup setup) {
        tracking = setup;
        for (Lane lane : lanes.values()) {
            lane.loop.execute(lane::applyTracking);
        }
    }

    @Override
    public ControlConnection control(EventLoop loop, Consumer<ByteBuf> pushes, ConnectionListener listener) {
        UpstreamConnection connection = new UpstreamConnection(
                loop, flusherOf(loop), settings, RespVersion.RESP3, pushes, listener, () -> null, null);
        controls.add(new Control(loop, connection));
        return new ControlConnection() {
            @Override
            public void open() {
                loop.execute(connection::connect);
            }

            @Override
            public EventLoop loop() {
                return loop;
            }

            @Override
            public void send(ByteBuf frame, ReplyCallback callback) {
                connection.send(0, frame, callback);
            }

            @Override
            public void close() {
                connection.close();
            }
        };
    }

    @Override
    public UpstreamLane lane(EventLoop loop) {
        return loopLane(loop);
    }

    private Lane loopLane(EventLoop loop) {
        Lane lane = lanes.get(loop);
        if (lane == null) {
            throw new IllegalArgumentException("loop: " + loop + " (expected: a loop of the proxy's worker group)");
        }
        return lane;
    }

    /**
     * Sends every connection to {@code host:port} from now on (see the class comment); returns at
     * once, the connections moving on their loops. No-op when the upstream is there already.
     */
    public void moveTo(String host, int port) {
        UpstreamSettings next = settings.withAddress(host, port);
        if (next.equals(settings)) {
            return;
        }
        settings = next;
        AtomicInteger lanesLeft = new AtomicInteger(lanes.size());
        for (Lane lane : lanes.values()) {
            lane.loop.execute(() -> {
                lane.moveTo(next);
                if (lanesLeft.decrementAndGet() == 0) {
                    for (Control control : controls) {
                        control.loop().execute(() -> control.connection().moveTo(next));
                    }
                }
            });
        }
    }

    /**
     * Holds the shared lanes' commands from now (true), or sends them, those held first (false),
     * while the upstream is failed over: see {@link UpstreamConnection#hold}. A {@link #moveTo}
     * ends the hold, the held commands going to the new address. Dedicated connections and the
     * control connections are not held. Returns at once.
     */
    public void hold(boolean on) {
        for (Lane lane : lanes.values()) {
            lane.loop.execute(() -> lane.hold(on));
        }
    }

    /** Where the upstream is now, {@code host:port}. */
    public String address() {
        return settings.address();
    }

    /**
     * Lanes that run as a given Redis user ({@code --auth passthrough}). Each belongs to its loop's
     * lane: it tracks its reads when the loop's connections do, its sessions wait for a dedicated
     * connection with the loop's, and it closes with the pool. Unlike the loop's own connections,
     * a user lane's are not warmed, and their readiness says nothing of the upstream's: only
     * {@code down}, that the keys they read are no longer tracked, is told (when one of its shared
     * connections goes down, and when it is closed).
     */
    public UserLanes users(Consumer<String> down) {
        return (loop, user, secret) -> {
            Lane base = loopLane(loop);
            Lane lane = new Lane(loop, base.flusher, settings.withCredentials(user, secret), null, down, base);
            base.users.add(lane);
            lane.resp2.connect();
            lane.dedicated.start();
            return lane;
        };
    }

    /** Closes every connection, each on its own loop, and waits up to a second for that. */
    @Override
    public void close() {
        CountDownLatch closed = new CountDownLatch(lanes.size());
        for (Lane lane : lanes.values()) {
            lane.loop.execute(() -> {
                lane.close();
                closed.countDown();
            });
        }
        try {
            closed.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A dedicated connection was given back or closed: the sessions waiting for one, on whatever
     * loop, may try again. Each loop's waiters are woken on their own loop.
     */
    private void freed() {
        for (Lane lane : lanes.values()) {
            if (lane.dedicated.hasWaiters()) {
                lane.loop.execute(lane.dedicated::wakeWaiters);
            }
        }
    }

    /** Commands slower than {@code nanos} are logged from now on (a configuration reload); 0 for none. */
    @Override
    public void slowlogThreshold(long nanos) {
        this.slowlogNanos = nanos;
    }

    /** Dedicated connections leased now, and out-of-band ones open, over every loop. */
    @Override
    public int dedicatedBusy() {
        return dedicatedBusy.get();
    }

    /**
     * A shared lane's command on its way: tells the observer when it was sent and how it ended,
     * and logs it when it took longer than {@code --slowlog-threshold}.
     */
    private final class Observed implements ReplyCallback {

        private final ReplyCallback next;
        private final long sentNanos = System.nanoTime();
        /** The command in words for the slow-command log, or null when there is none. */
        private final @Nullable String description;

        Observed(ReplyCallback next, @Nullable String description) {
            this.next = next;
            this.description = description;
            observer.sent();
        }

        /** Takes ownership of {@code frame}, passing it on. */
        @Override
        public void onReply(ByteBuf frame) {
            long nanos = System.nanoTime() - sentNanos;
            observer.answered(nanos);
            long threshold = slowlogNanos;
            if (description != null && nanos > threshold) {
                SlowCommands.log(description, nanos, threshold);
            }
            next.onReply(frame);
        }

        @Override
        public void onFailure(String error) {
            observer.failed();
            next.onFailure(error);
        }
    }

    /** A control connection and the loop it lives on. */
    private record Control(EventLoop loop, UpstreamConnection connection) {}

    /** For dedicated connections, whose loss is reported to their owner instead. */
    static final ConnectionListener NO_LISTENER = new ConnectionListener() {
        @Override
        public void ready(boolean recovered) {}

        @Override
        public void down(String cause) {}
    };

    /**
     * One loop's connections, or one user's on a loop ({@code base} is then the loop's lane, which
     * holds it in {@code users}).
     */
    private final class Lane implements UserLane {

        private final EventLoop loop;
        private final LoopFlusher flusher;
        /** Where the lane's connections go and whom they authenticate as: respite's identity, or a user's. */
        private UpstreamSettings laneSettings;
        /** Told of the loop's own shared connections becoming ready; null for a user's lane. */
        private final @Nullable BiConsumer<UpstreamLane, Boolean> onReady;

        private final Consumer<String> onDown;
        /** The loop's lane, for a user's lane; null for the loop's own. */
        private final @Nullable Lane base;
        /** The loop's users' lanes open now; empty for a user's lane. */
        private final Set<Lane> users = new LinkedHashSet<>();

        private final UpstreamConnection resp2;
        private @Nullable UpstreamConnection resp3;
        private final DedicatedPool dedicated;
        /** Whether the shared connections hold their commands (see {@link UpstreamPool#hold}). */
        private boolean held;
        /** The subscriber connections opened here and not seen closed yet, for {@link #moveTo}. */
        private final List<UpstreamConnection> subscribers = new ArrayList<>();
        /** A user's lane's subscriber connection, closed with the lane; the loop's closes with respite. */
        private @Nullable UpstreamConnection subscriber;

        Lane(
                EventLoop loop,
                LoopFlusher flusher,
                UpstreamSettings laneSettings,
                @Nullable BiConsumer<UpstreamLane, Boolean> onReady,
                Consumer<String> onDown,
                @Nullable Lane base) {
            this.loop = loop;
            this.flusher = flusher;
            this.laneSettings = laneSettings;
            this.onReady = onReady;
            this.onDown = onDown;
            this.base = base;
            this.resp2 = newConnection(RespVersion.RESP2);
            this.dedicated = new DedicatedPool(loop, flusher, laneSettings, dedicatedBusy, UpstreamPool.this::freed);
        }

        private UpstreamConnection newConnection(RespVersion version) {
            ConnectionListener listener = new ConnectionListener() {
                @Override
                public void ready(boolean recovered) {
                    if (onReady != null) {
                        dedicated.upstreamReady();
                        onReady.accept(Lane.this, recovered);
                    }
                }

                @Override
                public void down(String cause) {
                    onDown.accept(cause);
                }
            };
            return new UpstreamConnection(
                    loop, flusher, laneSettings, version, ReferenceCountUtil::release, listener, () -> tracking, null);
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public int trackingEpoch(RespVersion version) {
            UpstreamConnection connection = version == RespVersion.RESP2 ? resp2 : resp3;
            return connection == null ? -1 : connection.trackingEpoch();
        }

        /**
         * The upstream moved: every connection of this loop goes to {@code next}'s address, each
         * with its lane's identity; the loop's users' lanes move with it.
         */
        void moveTo(UpstreamSettings next) {
            String user = laneSettings.username();
            String secret = laneSettings.password();
            UpstreamSettings moved =
                    base != null && user != null && secret != null ? next.withCredentials(user, secret) : next;
            laneSettings = moved;
            held = false;
            resp2.moveTo(moved);
            if (resp3 != null) {
                resp3.moveTo(moved);
            }
            dedicated.moveTo(moved);
            for (UpstreamConnection open : subscribers) {
                open.moveTo(moved);
            }
            for (Lane userLane : users) {
                userLane.moveTo(next);
            }
        }

        void hold(boolean on) {
            held = on;
            resp2.hold(on);
            if (resp3 != null) {
                resp3.hold(on);
            }
            for (Lane userLane : users) {
                userLane.hold(on);
            }
        }

        void applyTracking() {
            resp2.applyTracking();
            if (resp3 != null) {
                resp3.applyTracking();
            }
            for (Lane user : users) {
                user.applyTracking();
            }
        }

        @Override
        public void sendOutOfBand(RespVersion version, ByteBuf frame, ReplyCallback callback) {
            if (dedicatedBusy.incrementAndGet() > settings.maxDedicated()) {
                dedicatedBusy.decrementAndGet();
                frame.release();
                callback.onFailure(FailureCause.clientError("no connection to spare for it (see --max-pinned)"));
                return;
            }
            OutOfBand command = new OutOfBand(callback);
            UpstreamConnection connection = new UpstreamConnection(
                    loop,
                    flusher,
                    laneSettings,
                    version,
                    ReferenceCountUtil::release,
                    NO_LISTENER,
                    () -> null,
                    lost -> {
                        command.closed();
                    });
            command.connection = connection;
            connection.outOfBand();
            connection.connect();
            // In the database the connection believes it is in: no SELECT, which a busy Redis refuses.
            connection.send(settings.database(), frame, command);
        }

        /** The one command of an out-of-band connection: passes its reply on, then closes the connection. */
        private final class OutOfBand implements ReplyCallback {
            private final ReplyCallback callback;
            private @Nullable UpstreamConnection connection;
            private boolean closed;

            OutOfBand(ReplyCallback callback) {
                this.callback = callback;
            }

            @Override
            public void onReply(ByteBuf frame) {
                try {
                    callback.onReply(frame);
                } finally {
                    close();
                }
            }

            @Override
            public void onFailure(String error) {
                try {
                    callback.onFailure(error);
                } finally {
                    close();
                }
            }

            private void close() {
                UpstreamConnection open = connection;
                closed();
                if (open != null) {
                    connection = null;
                    open.close();
                }
            }

            /** Counts the connection out, once, whether it closed or broke. */
            void closed() {
                if (!closed) {
                    closed = true;
                    dedicatedBusy.decrementAndGet();
                    freed();
                }
            }
        }

        @Override
        public @Nullable DedicatedConnection dedicated(
                RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
            return dedicated.lease(version, frames, lost);
        }

        /** A user's sessions wait with the loop's: {@code --max-pinned} counts every lease alike. */
        @Override
        public void awaitDedicated(Consumer<Boolean> wake) {
            (base == null ? dedicated : base.dedicated).await(wake);
        }

        @Override
        public DedicatedConnection subscriber(Consumer<ByteBuf> frames, Consumer<String> lost) {
            UpstreamConnection connection = new UpstreamConnection(
                    loop, flusher, laneSettings, RespVersion.RESP3, frames, NO_LISTENER, () -> null, lost);
            subscribers.removeIf(UpstreamConnection::isClosed);
            subscribers.add(connection);
            connection.connect();
            if (base != null) {
                // The hub opens another only once this one broke: the latest is the one to close with the lane.
                subscriber = connection;
            }
            return connection;
        }

        @Override
        public void send(int database, RespVersion version, ByteBuf frame, ReplyCallback callback) {
            ReplyCallback observed = observer == UpstreamObserver.NONE && slowlogNanos == 0
                    ? callback
                    : new Observed(callback, slowlogNanos == 0 ? null : SlowCommands.describe(frame, database));
            if (version == RespVersion.RESP2) {
                resp2.send(database, frame, observed);
                return;
            }
            if (resp3 == null) {
                resp3 = newConnection(RespVersion.RESP3);
                resp3.hold(held);
                resp3.connect();
            }
            resp3.send(database, frame, observed);
        }

        @Override
        public void close() {
            if (base != null) {
                base.users.remove(this);
            }
            for (Lane user : List.copyOf(users)) {
                user.close();
            }
            dedicated.close();
            resp2.close();
            if (resp3 != null) {
                resp3.close();
            }
            if (subscriber != null) {
                subscriber.close();
            }
            if (base != null) {
                // Redis forgets what a closed connection read: those keys are no longer tracked.
                onDown.accept("a user's lane closed");
            }
        }
    }
}
