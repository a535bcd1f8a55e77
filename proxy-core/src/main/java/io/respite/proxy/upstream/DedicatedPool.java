package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespVersion;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's dedicated connections: leased to a session while it holds state that lives on
 * a Redis connection (MULTI, WATCH, a blocking command, a subscription), given back when that
 * state ends, and kept connected and idle for the next lease, so that a lease costs no connect
 * and a blocking command reaches Redis as soon as a command on the shared lane would.
 *
 * <p>Invariants: a connection is leased (one {@link Lease} holds it), idle (in its protocol's
 * deque) or closed, never two of these. {@code busy}, shared by every loop's pool, counts leases
 * (and out-of-band connections, which {@link UpstreamPool} counts there too) and never exceeds
 * {@code --max-pinned} for long: a lease increments it first and takes it back when over. Idle
 * connections do not count; each protocol's deque holds at most {@code --pinned-idle}.
 *
 * <p>Giving back: a lease that the session ended cleanly (every reply arrived, no transaction,
 * WATCH or subscription left) goes back to the idle deque, most recent first. If the session
 * sent anything that changes connection state beyond what EXEC, DISCARD and UNWATCH end (a
 * SELECT inside MULTI, CLIENT SETNAME, HELLO...), the connection is {@code RESET} and handshaken
 * again first, pipelined ahead of the next lessee's commands. A lease closed instead (the client
 * went with a reply due, RESET while monitoring) closes its connection: its state is unknown.
 *
 * <p>Keeping warm: a tick closes connections idle for {@code --pinned-idle-timeout}, except one
 * per protocol in use, and opens that one when it is missing (the first one, for RESP2, once the
 * loop's shared connection is ready).
 * An idle connection that breaks before it was ever leased says the upstream cannot be reached:
 * warming then waits until the loop's shared connection is ready again, so an outage costs no
 * attempts beyond the shared connections' own backoff.
 *
 * <p>Waiting: a session that finds {@code --max-pinned} busy waits for a lease to end, up to
 * {@code --timeout}, in FIFO order per loop; any pool giving a connection back wakes the waiters
 * of every loop that has some, while places are free. Not fair across loops: a newcomer, or a
 * waiter of another loop, may take a freed place first; a waiter that then finds none waits again.
 *
 * <p>Threading: everything runs on {@link #loop}, except {@link #hasWaiters} and the shared
 * {@code busy} counter.
 *
 * <p>Over 400 lines because leases, the idle deques, the waiters and the keeping warm are one
 * pool's invariants, kept by the same fields.
 */
final class DedicatedPool {

    /** Longest interval between two ticks of the idle timeout, in milliseconds. */
    private static final long MAX_TICK_MILLIS = 1000;

    private final EventLoop loop;
    private final LoopFlusher flusher;
    /** How new connections connect; replaced when the upstream moves. */
    private UpstreamSettings settings;

    private final AtomicInteger busy;
    /** Tells every pool that a lease ended, so that their waiters may try again. */
    private final Runnable freed;

    private final Map<RespVersion, ArrayDeque<Pooled>> idle = new EnumMap<>(RespVersion.class);
    /** The protocols leased here so far: each keeps one connection warm. */
    private final Set<RespVersion> inUse = EnumSet.of(RespVersion.RESP2);

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** The leases not ended yet, so that a move of the upstream can break them. */
    private final Set<Lease> leases = new HashSet<>();
    /** {@code waiters.size()}, for other loops to read. */
    private final AtomicInteger waiting = new AtomicInteger();

    private @Nullable ScheduledFuture<?> tick;
    private boolean closed;
    /** No warming until {@link #upstreamReady}: at start, and after a warm connection broke unused. */
    private boolean warmingStopped = true;

    /**
     * @param busy leases (and out-of-band connections) open now over every loop's pool
     * @param freed told, on this loop, each time a lease of this pool ends
     */
    DedicatedPool(EventLoop loop, LoopFlusher flusher, UpstreamSettings settings, AtomicInteger busy, Runnable freed) {
        this.loop = loop;
        this.flusher = flusher;
        this.settings = settings;
        this.busy = busy;
        this.freed = freed;
        for (RespVersion version : RespVersion.values()) {
            idle.put(version, new ArrayDeque<>());
        }
    }

    /** Opens the warm connection and starts the idle timeout's tick; on the loop. */
    void start() {
        long tickMillis = Math.max(
                1, Math.min(MAX_TICK_MILLIS, settings.idleDedicatedTimeout().toMillis() / 4));
        tick = loop.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        keepWarm();
    }

    /**
     * Leases a connection in {@code version}, idle or new, or returns null when {@code --max-pinned}
     * are busy.
     *
     * @param frames receives, taking ownership, every frame no command sent with a callback waits for
     * @param lost told once, with the error text for the client, if the connection breaks while leased
     */
    @Nullable
    DedicatedConnection lease(RespVersion version, Consumer<ByteBuf> frames, Consumer<String> lost) {
        if (closed) {
            return null;
        }
        if (busy.incrementAndGet() > settings.maxDedicated()) {
            busy.decrementAndGet();
            return null;
        }
        inUse.add(version);
        Pooled pooled = idleOf(version).pollFirst();
        if (pooled == null) {
            pooled = open(version);
        }
        Lease lease = new Lease(pooled, frames, lost);
        leases.add(lease);
        pooled.lease = lease;
        pooled.everLeased = true;
        return lease;
    }

    /**
     * Calls {@code wake} on this loop, with true once a lease has ended somewhere (a connection may
     * be had: try again), or with false after {@code --timeout} without one.
     */
    void await(Consumer<Boolean> wake) {
        Waiter waiter = new Waiter(wake);
        waiters.add(waiter);
        waiting.incrementAndGet();
        waiter.timeout = loop.schedule(
                () -> {
                    if (waiters.remove(waiter)) {
                        waiting.decrementAndGet();
                        waiter.wake.accept(false);
                    }
                },
                settings.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        // A lease may have ended on another loop between the failed lease and now, unseen.
        if (busy.get() < settings.maxDedicated()) {
            loop.execute(this::wakeWaiters);
        }
    }

    /** Whether sessions of this loop wait for a lease; any thread. */
    boolean hasWaiters() {
        return waiting.get() > 0;
    }

    /**
     * Wakes waiters, in order, while places are free; on the loop. A woken session leases at once
     * (its held command runs again), so a place is counted taken only when it was: a waiter that
     * went away, or could not run yet, passes its turn on.
     */
    void wakeWaiters() {
        for (Waiter waiter; busy.get() < settings.maxDedicated() && (waiter = waiters.poll()) != null; ) {
            waiting.decrementAndGet();
            if (waiter.timeout != null) {
                waiter.timeout.cancel(false);
            }
            waiter.wake.accept(true);
        }
    }

    /** The loop's shared connection is ready: the upstream can be reached, so warming may resume. */
    void upstreamReady() {
        warmingStopped = false;
        keepWarm();
    }

    /**
     * The upstream moved: idle connections close, and leased ones break (their sessions are told,
     * as when a Redis dies: their state, a transaction or a subscription, was on the old one); new
     * connections go to {@code next}. On the loop.
     */
    void moveTo(UpstreamSettings next) {
        settings = next;
        for (ArrayDeque<Pooled> connections : idle.values()) {
            for (Pooled pooled; (pooled = connections.poll()) != null; ) {
                pooled.connection.close();
            }
        }
        for (Lease lease : List.copyOf(leases)) {
            lease.pooled.connection.moveTo(next);
        }
    }

    /** Closes every idle connection and stops the tick; leases close with their sessions. */
    void close() {
        closed = true;
        if (tick != null) {
            tick.cancel(false);
        }
        for (ArrayDeque<Pooled> connections : idle.values()) {
            for (Pooled pooled; (pooled = connections.poll()) != null; ) {
                pooled.connection.close();
            }
        }
        for (Waiter waiter; (waiter = waiters.poll()) != null; ) {
            waiting.decrementAndGet();
            waiter.wake.accept(false);
        }
    }

    private ArrayDeque<Pooled> idleOf(RespVersion version) {
        ArrayDeque<Pooled> connections = idle.get(version);
        if (connections == null) {
            throw new IllegalStateException("no pool for " + version);
        }
        return connections;
    }

    private Pooled open(RespVersion version) {
        Pooled pooled = new Pooled(version);
        pooled.connection.connect();
        return pooled;
    }

    /** A lease ended cleanly, or not: keeps the connection idle, reset if it must be, or closes it. */
    private void giveBack(Pooled pooled, boolean clean) {
        ArrayDeque<Pooled> connections = idleOf(pooled.version);
        if (closed || connections.size() >= settings.idleDedicated()) {
            pooled.connection.close();
            return;
        }
        pooled.connection.pauseReading(false);
        if (!clean && !pooled.connection.reset()) {
            return;
        }
        pooled.idleSinceNanos = System.nanoTime();
        connections.addFirst(pooled);
    }

    private void tick() {
        long now = System.nanoTime();
        long timeout = settings.idleDedicatedTimeout().toNanos();
        for (ArrayDeque<Pooled> connections : idle.values()) {
            // Oldest last: close from the tail while they are too old, keeping one warm.
            for (Iterator<Pooled> it = connections.descendingIterator(); it.hasNext(); ) {
                Pooled pooled = it.next();
                if (connections.size() <= 1 || now - pooled.idleSinceNanos < timeout) {
                    break;
                }
                it.remove();
                pooled.connection.close();
            }
        }
        keepWarm();
    }

    /** Opens one idle connection for each protocol in use that has none (none when --pinned-idle is 0). */
    private void keepWarm() {
        if (closed || warmingStopped || settings.idleDedicated() == 0) {
            return;
        }
        for (RespVersion version : inUse) {
            ArrayDeque<Pooled> connections = idleOf(version);
            if (connections.isEmpty()) {
                Pooled pooled = open(version);
                pooled.idleSinceNanos = System.nanoTime();
                connections.add(pooled);
            }
        }
    }

    /** A session waiting for a lease. */
    private static final class Waiter {
        final Consumer<Boolean> wake;

        @Nullable
        ScheduledFuture<?> timeout;

        Waiter(Consumer<Boolean> wake) {
            this.wake = wake;
        }
    }

    /** One connection of the pool, with the lease that holds it now, if any. */
    private final class Pooled {
        final RespVersion version;
        final UpstreamConnection connection;

        @Nullable
        Lease lease;

        /** Leased at least once: it reached the upstream, so its loss says nothing about reaching it. */
        boolean everLeased;

        long idleSinceNanos;

        Pooled(RespVersion version) {
            this.version = version;
            this.connection = new UpstreamConnection(
                    loop,
                    flusher,
                    settings,
                    version,
                    this::unsolicited,
                    UpstreamPool.NO_LISTENER,
                    () -> null,
                    this::broken);
        }

        /** Takes ownership of {@code frame}: to the lessee, or dropped while idle. */
        private void unsolicited(ByteBuf frame) {
            Lease holder = lease;
            if (holder == null) {
                ReferenceCountUtil.release(frame);
            } else {
                holder.frames.accept(frame);
            }
        }

        /** The connection broke: the lessee is told, or it leaves the idle deque. */
        private void broken(String error) {
            Lease holder = lease;
            if (holder == null) {
                idleOf(version).remove(this);
                if (!everLeased) {
                    warmingStopped = true;
                }
            } else {
                holder.lost(error);
            }
        }
    }

    /**
     * One session's hold on a connection, from lease to release, close or loss, whichever comes
     * first; afterwards every call is refused, so a stale reference can never reach the next lessee.
     */
    private final class Lease implements DedicatedConnection {
        private final Pooled pooled;
        private final Consumer<ByteBuf> frames;
        private final Consumer<String> lost;
        private boolean ended;

        Lease(Pooled pooled, Consumer<ByteBuf> frames, Consumer<String> lost) {
            this.pooled = pooled;
            this.frames = frames;
            this.lost = lost;
        }

        @Override
        public void send(int database, ByteBuf frame, ReplyCallback callback, boolean timed) {
            if (ended) {
                frame.release();
                callback.onFailure(FailureCause.clientError("the connection's lease has ended"));
                return;
            }
            pooled.connection.send(database, frame, callback, timed);
        }

        @Override
        public void sendWithoutReply(int database, ByteBuf frame, boolean timed) {
            if (ended) {
                frame.release();
                return;
            }
            pooled.connection.sendWithoutReply(database, frame, timed);
        }

        @Override
        public void selected(int database) {
            if (!ended) {
                pooled.connection.selected(database);
            }
        }

        @Override
        public void pauseReading(boolean paused) {
            if (!ended) {
                pooled.connection.pauseReading(paused);
            }
        }

        @Override
        public void release(boolean clean) {
            if (end()) {
                giveBack(pooled, clean);
            }
        }

        @Override
        public void close() {
            if (end()) {
                pooled.connection.close();
            }
        }

        void lost(String error) {
            if (end()) {
                lost.accept(error);
            }
        }

        /** Ends the lease, once: returns whether this call did. */
        private boolean end() {
            if (ended) {
                return false;
            }
            ended = true;
            leases.remove(this);
            pooled.lease = null;
            busy.decrementAndGet();
            freed.run();
            return true;
        }
    }
}
