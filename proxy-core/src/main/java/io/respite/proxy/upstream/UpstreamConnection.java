package io.respite.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.tls.TlsFailure;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespFrameDecoder;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined connection to the upstream Redis, shared by every session of one event loop and
 * one protocol version, or dedicated to one session. Commands are written as they come and flushed
 * once per loop iteration; replies are matched to callbacks in FIFO order, which is how Redis
 * answers a pipeline.
 *
 * <p>Life cycle: {@code CONNECTING} (TCP, then the handshake: HELLO 3 or AUTH, SELECT, or a PING
 * when neither is needed, so that a greeting error such as Redis's {@code max number of clients
 * reached} fails the handshake instead of answering a client's command; on the first attempt
 * commands wait, up to {@link UpstreamSettings#MAX_WAITING_COMMANDS}; on a retry after a failure
 * they fail at once with its cause, so that an outage costs clients no more than one error each)
 * → {@code READY} once every handshake reply was a
 * success → on any failure {@code DOWN}: every pending command fails with the cause in words
 * ({@link FailureCause}), new commands fail at once, and a shared connection retries after a
 * {@link Backoff} delay. {@code CLOSED} is final.
 *
 * <p>Failing is iterative: {@link #down} polls the pending callbacks one at a time, and a callback
 * that sends another command here while the connection is down is failed at once, without
 * re-entering {@code down}; the sessions behind the callbacks do not re-enter their own drain
 * either, so failing N queued commands costs O(N) time and O(1) stack. A callback that throws is
 * logged and skipped: one broken client never stops a shared connection from failing, or
 * answering, everybody else.
 *
 * <p>Watchdog and timeouts: a tick every eighth of {@code --timeout} (at most a second) checks that
 * the connection makes progress. A command that expects a reply in bounded time and has been at the
 * head of the queue with no frame arriving for {@code --timeout} breaks the connection (a FIFO
 * cannot skip a reply), failing it and everything behind it; blocking commands on a dedicated
 * connection are sent untimed. The same tick makes sure a shared connection that is down has a
 * retry scheduled, and that one whose handshake hangs is broken, so "upstream up, connection
 * down" cannot outlast one backoff period plus one tick.
 *
 * <p>Logging ({@link AvailabilityLog}): one line per change of state or of cause, not per attempt,
 * and a reminder each minute while the upstream stays unavailable. Dedicated connections log at
 * FINE: their loss is the client's business.
 *
 * <p>The database: the connection tracks which database its next command runs in and writes a
 * {@code SELECT} before a command for another one, whose reply it consumes itself.
 *
 * <p>Threading: every method runs on {@link #loop}; nothing here is thread-safe.
 *
 * <p>Over 400 lines because one connection's life cycle, watchdog and failure handling are one
 * state machine, read best in one place; the parts with a life of their own are classes of their
 * own ({@link Backoff}, {@link FailureCause}, {@link Handshake}, {@link AvailabilityLog},
 * {@link ProgressWatch}).
 */
final class UpstreamConnection implements DedicatedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnection.class);

    /** Longest interval between two watchdog ticks, in milliseconds. */
    private static final long MAX_TICK_MILLIS = 1000;
    /** Shortest interval between two watchdog ticks, in milliseconds. */
    private static final long MIN_TICK_MILLIS = 5;

    private enum State {
        /** TCP connect and handshake in progress; commands wait. */
        CONNECTING,
        /** Commands are written at once. */
        READY,
        /** Failed; commands fail at once; a shared connection has a retry scheduled. */
        DOWN,
        /** Closed on request; final. */
        CLOSED
    }

    /** A command that arrived while connecting. */
    private record Waiting(
            int database, ByteBuf frame, @Nullable ReplyCallback callback, boolean timed) {}

    /** A callback whose command may rightly wait for ever (BLPOP key 0): no timeout while it is the head. */
    private record Untimed(ReplyCallback callback) implements ReplyCallback {
        @Override
        public void onReply(ByteBuf frame) {
            callback.onReply(frame);
        }

        @Override
        public void onFailure(String error) {
            callback.onFailure(error);
        }
    }

    private final EventLoop loop;
    /** Where and how to connect; replaced when the upstream moves ({@link #moveTo}). */
    private UpstreamSettings settings;

    private final RespVersion version;
    private final LoopFlusher flusher;
    private final Consumer<ByteBuf> unsolicited;
    private final ConnectionListener listener;
    /** What a shared connection sends to have its reads tracked, now; null for dedicated connections. */
    private final Supplier<@Nullable TrackingSetup> tracking;
    /** The epoch of the tracking setup this connection applied; -1 while it has none. */
    private int trackingEpoch = -1;
    /** The setup whose epoch is {@link #trackingEpoch}: a setup of the same epoch but another REDIRECT is new. */
    private @Nullable TrackingSetup appliedSetup;
    /** The listener was told the connection is down, and not told it is ready since. */
    private boolean reportedDown;
    /** A connection for one command Redis answers while busy: a handshake of HELLO and AUTH only. */
    private boolean outOfBand;
    /** The current channel's handshake is written: a command written now goes out after it. */
    private boolean handshakeWritten;
    /** Commands wait instead of going out: the upstream is being failed over ({@link #hold}). */
    private boolean held;

    private final Backoff backoff =
            new Backoff(bound -> ThreadLocalRandom.current().nextLong(bound));
    private final long tickNanos;
    private final ArrayDeque<ReplyCallback> callbacks = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** For a dedicated connection, told once when it breaks; null for a shared, reconnecting one. */
    private @Nullable Consumer<String> onLost;
    /** Whether this connection has been ready before: the next ready is then a recovery. */
    private boolean everReady;

    private State state = State.DOWN;
    // Set by connect() and connected(), which come before any use.
    @SuppressWarnings("NullAway.Init")
    private Channel channel;

    @SuppressWarnings("NullAway.Init")
    private LoopFlusher.Target flushTarget;

    private int selectedDatabase;
    /** Handshake commands not answered yet; the connection is ready when none remain. */
    private int handshakePending;
    /** Why the connection is down, in words: what commands fail with meanwhile. */
    private String cause = "not connected yet";
    /** Why the current channel is being closed, set before closing it; null while all is well. */
    private @Nullable String breakReason;

    private final ProgressWatch progress;
    private AvailabilityLog availability;
    private @Nullable ScheduledFuture<?> tick;
    private @Nullable ScheduledFuture<?> retry;
    /** Ticks spent in CONNECTING. */
    private int connectingTicks;

    /**
     * @param unsolicited receives frames that answer no command (taking ownership): RESP3 pushes,
     *     and on a dedicated connection anything no callback waits for
     * @param listener told each time the connection becomes ready (and whether it is a recovery:
     *     the connection had been ready before and failed in between), and when a shared
     *     connection goes down
     * @param tracking the tracking setup a shared connection applies when it connects, and again
     *     when asked ({@link #applyTracking}); always null for a dedicated connection
     * @param onLost for a dedicated connection, told once (with the client's error text) when it
     *     breaks; null for a shared connection, which reconnects instead
     */
    UpstreamConnection(
            EventLoop loop,
            LoopFlusher flusher,
            UpstreamSettings settings,
            RespVersion version,
            Consumer<ByteBuf> unsolicited,
            ConnectionListener listener,
            Supplier<@Nullable TrackingSetup> tracking,
            @Nullable Consumer<String> onLost) {
        this.loop = loop;
        this.flusher = flusher;
        this.settings = settings;
        this.version = version;
        this.unsolicited = unsolicited;
        this.listener = listener;
        this.tracking = tracking;
        this.onLost = onLost;
        long timeoutMillis = settings.timeout().toMillis();
        this.tickNanos =
                TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_TICK_MILLIS, Math.min(MAX_TICK_MILLIS, timeoutMillis / 8)));
        this.progress = new ProgressWatch(tickNanos, settings.timeout().toNanos());
        this.availability = availabilityLog(settings, version);
    }

    private static AvailabilityLog availabilityLog(UpstreamSettings settings, RespVersion version) {
        return new AvailabilityLog("upstream " + settings.address() + " (" + version + ")", System::nanoTime);
    }

    /** Makes this (dedicated, not yet connected) connection an out-of-band one; see {@link Handshake}. */
    void outOfBand() {
        outOfBand = true;
    }

    /**
     * Makes a dedicated connection that served one session clean for the next: {@code RESET}
     * (which ends every piece of state Redis keeps for a connection, protocol, user and database
     * included), then the handshake again, pipelined ahead of whatever the next session sends. An
     * error in either breaks the connection. Returns false, having closed the connection, when it
     * is not ready: its state is then unknown.
     */
    boolean reset() {
        if (state != State.READY) {
            close();
            return false;
        }
        writeInternal(RespCommand.of("RESET"), "RESET", null);
        for (Handshake step : Handshake.of(settings, version)) {
            writeStep(step, null);
        }
        selectedDatabase = settings.database();
        flushTarget.flushLater();
        return true;
    }

    /** Starts connecting, and the watchdog; must be called on the loop. */
    void connect() {
        if (state == State.CLOSED) {
            return;
        }
        if (tick == null) {
            tick = loop.scheduleAtFixedRate(this::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        }
        retry = null;
        state = State.CONNECTING;
        handshakeWritten = false;
        trackingEpoch = -1;
        appliedSetup = null;
        connectingTicks = 0;
        breakReason = null;
        ChannelFuture future = new Bootstrap()
                .group(loop)
                .channel(settings.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler tls = tlsHandler(settings, ch.alloc());
                        if (tls != null) {
                            // The handshake commands written on connect wait in it until TLS is up.
                            ch.pipeline().addLast(tls);
                        }
                        ch.pipeline().addLast(new RespFrameDecoder(settings.limits()), new Events(ch));
                    }
                })
                .connect(settings.host(), settings.port());
        channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess() && future.channel() == channel) {
                down(FailureCause.of(f.cause(), settings.address()));
            }
        });
    }

    /**
     * The TLS handler of a new connection to a {@code rediss://} upstream, or null for plain TCP:
     * the upstream's host name goes out as SNI and is what its certificate must name, and the
     * handshake has {@code --timeout} to complete.
     */
    static @Nullable SslHandler tlsHandler(UpstreamSettings settings, ByteBufAllocator alloc) {
        SslContext tls = settings.tls();
        if (tls == null) {
            return null;
        }
        SslHandler handler = tls.newHandler(alloc, settings.host(), settings.port());
        handler.setHandshakeTimeoutMillis(settings.timeout().toMillis());
        return handler;
    }

    /** Sends a command with a timeout; see {@link UpstreamLane#send}. Takes ownership of {@code frame}. */
    void send(int database, ByteBuf frame, ReplyCallback callback) {
        send(database, frame, callback, true);
    }

    @Override
    public void send(int database, ByteBuf frame, ReplyCallback callback, boolean timed) {
        enqueue(database, frame, callback, timed);
    }

    @Override
    public void sendWithoutReply(int database, ByteBuf frame, boolean timed) {
        enqueue(database, frame, null, timed);
    }

    /**
     * Writes, holds or fails a command as the state says; a null callback means its replies go to the
     * frame consumer.
     */
    private void enqueue(int database, ByteBuf frame, @Nullable ReplyCallback callback, boolean timed) {
        switch (state) {
            case READY -> {
                if (held) {
                    await(database, frame, callback, timed);
                } else {
                    write(database, frame, callback, timed);
                }
            }
            case CONNECTING -> {
                if (availability.failedAttempts() > 0) {
                    // Reconnecting after a failure: fail fast with its cause rather than wait on a retry.
                    frame.release();
                    if (callback != null) {
                        callback.onFailure(FailureCause.clientError(cause));
                    }
                } else {
                    await(database, frame, callback, timed);
                }
            }
            default -> {
                frame.release();
                if (callback != null) {
                    callback.onFailure(FailureCause.clientError(cause));
                }
            }
        }
    }

    /** Holds a command until the connection is ready (and not held), or fails it when too many wait. */
    private void await(int database, ByteBuf frame, @Nullable ReplyCallback callback, boolean timed) {
        if (waiting.size() >= UpstreamSettings.MAX_WAITING_COMMANDS) {
            frame.release();
            if (callback != null) {
                callback.onFailure(FailureCause.clientError("too many commands waiting for the connection"));
            }
        } else {
            waiting.add(new Waiting(database, frame, callback, timed));
        }
    }

    /**
     * Holds the commands sent from now (true), or lets them go, those held first (false): while
     * the upstream is failed over, a write the old primary acknowledged after its replica's
     * promotion would be lost; held, it goes to the new primary instead ({@link #moveTo} ends the
     * hold). The connection's own commands (handshake, tracking) are not held.
     */
    void hold(boolean on) {
        held = on;
        if (!on && state == State.READY) {
            drainWaiting();
        }
    }

    private void drainWaiting() {
        for (Waiting w; (w = waiting.poll()) != null; ) {
            write(w.database(), w.frame(), w.callback(), w.timed());
        }
    }

    @Override
    public void selected(int database) {
        selectedDatabase = database;
    }

    @Override
    public void pauseReading(boolean paused) {
        if (channel != null) {
            channel.config().setAutoRead(!paused);
        }
    }

    /** Writes a command; a null callback means its replies go to the frame consumer. */
    private void write(int database, ByteBuf frame, @Nullable ReplyCallback callback, boolean timed) {
        if (database != selectedDatabase) {
            writeInternal(RespCommand.of("SELECT", Integer.toString(database)), "SELECT " + database, null);
            selectedDatabase = database;
        }
        if (callback != null) {
            callbacks.add(timed ? callback : new Untimed(callback));
        } else if (timed) {
            progress.awaitFrame();
        }
        // A duplicate (same reference, same bytes) with indexes of its own: the channel moves the
        // reader index of what it writes (an SSL handler always, a socket on a partial write), and
        // the command that owns this frame still reads its arguments relative to it (the keys a
        // write invalidates when its reply comes).
        ByteBuf out = frame.duplicate();
        if (callback != null && !timed) {
            // A blocking command goes out now, not with the loop's batch: a write that another
            // client sends right after it must reach Redis after it, as it would without respite.
            channel.writeAndFlush(out, channel.voidPromise());
        } else {
            channel.write(out, channel.voidPromise());
            flushTarget.flushLater();
        }
    }

    /**
     * Writes a command of the connection's own whose reply must not be an error (an error breaks
     * the connection); {@code onSuccess}, if any, runs when it succeeded.
     */
    private void writeInternal(RespCommand command, String what, @Nullable Runnable onSuccess) {
        ByteBuf frame = command.frame().retain();
        command.release();
        callbacks.add(new ReplyCallback() {
            @Override
            public void onReply(ByteBuf reply) {
                boolean error = reply.isReadable()
                        && (reply.getByte(reply.readerIndex()) == '-' || reply.getByte(reply.readerIndex()) == '!');
                String text = error ? FailureCause.errorText(reply) : "";
                reply.release();
                if (error) {
                    breakConnection(FailureCause.ofHandshake(what, text));
                } else if (onSuccess != null) {
                    onSuccess.run();
                }
            }

            @Override
            public void onFailure(String error) {
                // The connection is already failing; the clients' commands report it.
            }
        });
        channel.write(frame, channel.voidPromise());
    }

    /** Writes one handshake step; see {@link #writeInternal}. */
    private void writeStep(Handshake step, @Nullable Runnable onSuccess) {
        writeInternal(RespCommand.of(step.args().toArray(String[]::new)), step.what(), onSuccess);
    }

    /** TCP is up: write the handshake; the connection is ready when it has been answered. */
    private void connected(Channel ch) {
        flushTarget = flusher.target(ch);
        selectedDatabase = settings.database();
        progress.reset();
        handshakeWritten = true;
        List<Handshake> steps = Handshake.of(settings, version, outOfBand);
        handshakePending = steps.size();
        if (steps.isEmpty()) {
            ready();
        }
        for (Handshake step : steps) {
            writeStep(step, () -> {
                if (--handshakePending == 0) {
                    ready();
                }
            });
        }
        applyTracking();
        flushTarget.flushLater();
    }

    /**
     * Sends the current tracking setup, if there is one: every command written after it is
     * tracked, so the connection counts as tracking in that epoch from now on. An error (the
     * invalidation stream's client is gone) is not fatal: the connection serves on, untracked,
     * until the next setup.
     */
    void applyTracking() {
        TrackingSetup setup = tracking.get();
        if (setup == null || !writable() || (setup.epoch() == trackingEpoch && setup.equals(appliedSetup))) {
            return;
        }
        appliedSetup = setup;
        int epoch = setup.epoch();
        trackingEpoch = epoch;
        ByteBuf frame = frameOf(setup.command());
        callbacks.add(new ReplyCallback() {
            @Override
            public void onReply(ByteBuf reply) {
                boolean error = reply.isReadable() && reply.getByte(reply.readerIndex()) == '-';
                reply.release();
                if (error && trackingEpoch == epoch) {
                    trackingEpoch = -1;
                }
            }

            @Override
            public void onFailure(String error) {
                // The connection is failing; the next one applies the setup again.
            }
        });
        channel.write(frame, channel.voidPromise());
        flushTarget.flushLater();
    }

    /** The epoch of the tracking setup in force on this connection for commands sent now; -1 for none. */
    int trackingEpoch() {
        return writable() ? trackingEpoch : -1;
    }

    /** Whether a command written now would follow the current channel's handshake. */
    private boolean writable() {
        return state == State.READY || (state == State.CONNECTING && handshakeWritten);
    }

    /** A command of respite's own as a frame; returns a new reference the caller must release (or write). */
    private static ByteBuf frameOf(List<String> args) {
        RespCommand command = RespCommand.of(args.toArray(String[]::new));
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }

    /** The handshake succeeded: the commands that waited go out, in order. */
    private void ready() {
        state = State.READY;
        backoff.reset();
        if (onLost == null) {
            availability.ready(!everReady, channel.localAddress());
        }
        if (!held) {
            drainWaiting();
        }
        boolean recovered = everReady;
        everReady = true;
        reportedDown = false;
        listener.ready(recovered);
    }

    /**
     * The watchdog: breaks a connection whose upstream stopped answering or whose handshake hangs,
     * and makes sure a shared connection that is down has a retry coming.
     */
    private void tick() {
        switch (state) {
            case READY -> {
                if (channel.isActive()) {
                    checkProgress();
                } else {
                    down("connection to " + settings.address() + " lost");
                }
            }
            case CONNECTING -> {
                checkProgress();
                long connectingNanos = ++connectingTicks * tickNanos;
                if (connectingNanos > 2 * settings.timeout().toNanos()) {
                    breakConnection("no answer from " + settings.address() + " to connect");
                }
            }
            case DOWN -> {
                if (onLost == null && retry == null) {
                    LOG.warn(
                            "upstream {} ({}) was down with no retry scheduled; retrying now",
                            settings.address(),
                            version);
                    connect();
                }
            }
            case CLOSED -> cancelTick();
            default -> throw new IllegalStateException("unknown state " + state);
        }
    }

    /** Breaks the connection when it has waited {@code --timeout} for a frame that did not come. */
    private void checkProgress() {
        ReplyCallback head = callbacks.peek();
        if (progress.tick(head != null && !(head instanceof Untimed))) {
            breakConnection("timeout after " + settings.timeout().toMillis() + " ms");
        }
    }

    private void breakConnection(String reason) {
        if (breakReason == null) {
            breakReason = reason;
        }
        channel.close();
    }

    /** Takes ownership of {@code frame}. */
    private void reply(ByteBuf frame) {
        progress.frameArrived();
        boolean push = version == RespVersion.RESP3 && frame.getByte(frame.readerIndex()) == '>';
        if (push || (onLost != null && callbacks.isEmpty())) {
            deliver(null, frame);
            return;
        }
        ReplyCallback callback = callbacks.poll();
        if (callback == null) {
            frame.release();
            breakConnection("a reply from " + settings.address() + " that no command was waiting for");
            return;
        }
        deliver(callback, frame);
    }

    /**
     * Hands {@code frame} to {@code callback}, or to the frame consumer when null. A receiver that
     * throws is logged and told of a failure instead (it may have stopped before passing the reply
     * on, and its client must not wait for ever); the connection goes on with the next reply.
     */
    private void deliver(@Nullable ReplyCallback callback, ByteBuf frame) {
        try {
            if (callback == null) {
                unsolicited.accept(frame);
            } else {
                callback.onReply(frame);
            }
        } catch (Throwable t) {
            LOG.error(
                    "upstream " + settings.address() + " (" + version + "): a reply's receiver failed; skipping it", t);
            if (callback != null) {
                fail(callback, FailureCause.clientError("internal error in respite, see its log"));
            }
        }
    }

    /** The connection is gone: fail everything pending, then retry later (shared) or report the loss (dedicated). */
    private void down(String reason) {
        if (state == State.DOWN) {
            return; // already failed; a late close event of the same channel
        }
        boolean wasReady = state == State.READY;
        if (state != State.CLOSED) {
            state = State.DOWN;
        }
        cause = breakReason != null ? breakReason : reason;
        breakReason = null;
        progress.reset();
        String error = FailureCause.clientError(cause);
        try {
            failAll(error);
        } finally {
            if (onLost != null) {
                lost(error);
            } else if (state != State.CLOSED) {
                scheduleRetry(wasReady);
                if (!reportedDown) {
                    reportedDown = true;
                    listener.down(cause);
                }
            } else {
                cancelTick();
            }
        }
    }

    /** Fails every pending and waiting command with {@code error}, one at a time. */
    private void failAll(String error) {
        for (ReplyCallback callback; (callback = callbacks.poll()) != null; ) {
            fail(callback, error);
        }
        for (Waiting w; (w = waiting.poll()) != null; ) {
            w.frame().release();
            if (w.callback() != null) {
                fail(w.callback(), error);
            }
        }
    }

    private void fail(ReplyCallback callback, String error) {
        try {
            callback.onFailure(error);
        } catch (Throwable t) {
            LOG.error(
                    "upstream " + settings.address() + " (" + version
                            + "): a failed command's receiver failed; skipping it",
                    t);
        }
    }

    /** A dedicated connection broke (or was closed): it never reconnects; its owner is told, unless it asked. */
    private void lost(String error) {
        boolean asked = state == State.CLOSED;
        state = State.CLOSED;
        cancelTick();
        Consumer<String> owner = onLost;
        onLost = null;
        if (!asked && owner != null) {
            LOG.debug("dedicated upstream connection lost: {}", cause);
            owner.accept(error);
        }
    }

    private void scheduleRetry(boolean wasReady) {
        availability.failed(cause, wasReady);
        retry = loop.schedule(this::connect, backoff.nextDelayMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelTick() {
        if (tick != null) {
            tick.cancel(false);
        }
    }

    /**
     * The upstream is elsewhere now (a Sentinel failover promoted another Redis): the commands
     * already written to the old address fail, and a dedicated connection breaks (its owner is
     * told, as when a Redis dies). A shared connection goes to {@code next} at once, with no
     * backoff, and the commands sent meanwhile wait for it rather than fail, as on a first connect;
     * its listener hears of a loss (the keys it read are no longer tracked) and then of a recovery.
     * No-op when closed or already there.
     */
    void moveTo(UpstreamSettings next) {
        if (state == State.CLOSED || next.equals(settings)) {
            return;
        }
        String reason = "the primary moved from " + settings.address() + " to " + next.address();
        settings = next;
        // The commands held for the failover go to the new primary.
        held = false;
        availability = availabilityLog(next, version);
        if (onLost != null) {
            if (state != State.DOWN) {
                breakConnection(reason);
            }
            return;
        }
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        Channel old = channel;
        // Not writable from here on: a command a failing callback sends now waits for the new address.
        state = State.CONNECTING;
        handshakeWritten = false;
        cause = reason;
        progress.reset();
        for (ReplyCallback callback; (callback = callbacks.poll()) != null; ) {
            fail(callback, FailureCause.clientError(reason));
        }
        if (!reportedDown) {
            reportedDown = true;
            listener.down(reason);
        }
        connect();
        if (old != null) {
            // Its events are ignored from now: it is no longer the current channel.
            old.close();
        }
    }

    /** Whether the connection is closed for good (closed on request, or a dedicated one that broke). */
    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** A connection of no pool (the loop's subscriber connection): giving it back closes it. */
    @Override
    public void release(boolean clean) {
        close();
    }

    /** Fails everything pending and stops for good. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        State previous = state;
        state = State.CLOSED;
        breakReason = "respite is shutting down";
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        if ((previous == State.READY || previous == State.CONNECTING) && channel != null) {
            channel.close();
        } else {
            down(breakReason);
        }
    }

    /** Events of one channel; events of a channel that is no longer current are ignored. */
    private final class Events extends ChannelInboundHandlerAdapter {

        private final Channel ch;

        Events(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ch != channel || state == State.CLOSED) {
                ctx.close();
                return;
            }
            LOG.debug("upstream {} ({}) TCP connected from {}", settings.address(), version, ch.localAddress());
            connected(ch);
        }

        /** Takes ownership of {@code msg}, a reply frame. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ch != channel) {
                ReferenceCountUtil.release(msg);
                return;
            }
            reply((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ch == channel) {
                down("connection closed by " + settings.address());
            }
        }

        /** A refused TLS handshake: its reason in words is the connection's cause, logged and told to clients. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess() && ch == channel) {
                if (breakReason == null) {
                    breakReason = FailureCause.ofTls(done.cause(), settings.address());
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ch == channel && breakReason == null) {
                breakReason = FailureCause.of(cause, settings.address());
                if (!(cause instanceof IOException) && !TlsFailure.isTls(cause)) {
                    LOG.warn(
                            "upstream " + settings.address() + " (" + version + "): closing after an "
                                    + "unexpected error",
                            cause);
                }
            }
            ctx.close();
        }
    }
}
