package io.respite.proxy.warm;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.session.CallbackSink;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.warm.WarmFile.WarmKey;
import io.respite.resp.RespCommand;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design
 * ------
 * The prefetch is one more client of the command router, on one event loop: a GET per key (and a
 * SELECT when the database changes), exactly what a client would send, so each key goes through
 * the normal read path: a hit is left alone, a miss takes a load token, joins a read in flight
 * (single-flight), is read on the loop's shared lane through admission (--upstream-ops-limit
 * counts it), and is filled after its PTTL, tracked by Redis in tracking mode like any fill. It
 * starts once the router can cache (the upstream answers, the command table is loaded and, in
 * tracking mode, tracking is on): a GET before that would be forwarded uncached.
 *
 * Pacing: at most maxInFlight GETs unanswered, and at most opsPerSecond keys a second: a key may
 * go once the pace time has come, and each moves it on by 1 / rate seconds, from no earlier than
 * BURST_MILLIS ago, so a slow spell (the JIT, a busy lane) is never made up by a burst of more than
 * BURST_MILLIS' worth. The loop is woken when the next key is due, at 1 ms granularity. Each key
 * costs Redis a GET and, for a value, a PTTL.
 *
 * Done: every GET has been answered and no fill of the cache is in flight any more (the last
 * PTTLs are back), or the loop has stopped. /ready is green once done or after the deadline; the
 * prefetch goes on after the deadline regardless.
 *
 * Concurrency: everything but the progress counters (read by /ready and the log from any thread)
 * belongs to the loop.
 */

/**
 * Prefetches the keys of a warm file through the command router, paced, and says how far it got.
 * See the design comment at the top of the source file.
 */
public final class Warmup {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);

    /** How often the loop looks again whether the router can cache yet, in milliseconds. */
    private static final long WAIT_MILLIS = 20;

    /** Most keys sent at once after a slow spell, in milliseconds' worth of the rate. */
    private static final long BURST_MILLIS = 10;

    /** Progress is logged at every this many percent of the keys. */
    private static final int LOG_EVERY_PERCENT = 10;

    /** How long the end waits for the last fills (their PTTLs) before it calls the prefetch done, in milliseconds. */
    private static final long FILLS_WAIT_MILLIS = 1_000;

    private final List<WarmKey> keys;
    private final Function<ReplySink, CommandHandler> handlers;
    private final EventLoop loop;
    private final int opsPerSecond;
    /** Nanoseconds between two keys at the rate. */
    private final long nanosPerKey;

    private final int maxInFlight;
    private final BooleanSupplier canCache;
    private final BooleanSupplier fillsInFlight;
    private final byte @Nullable [] password;
    private final long deadlineNanos;
    private final String source;

    /** Keys answered (hit, filled, or failed). */
    private final AtomicInteger answered = new AtomicInteger();
    /** Keys whose GET failed or was refused. */
    private final AtomicInteger failed = new AtomicInteger();

    private volatile boolean done;

    // The loop's own.
    private @Nullable Client client;
    private long startNanos;
    /** When the next key may go, in {@link System#nanoTime()}. */
    private long paceNanos;

    private int next;
    private int inFlight;
    private boolean pumpScheduled;
    /** A pump is running: a key answered at once (a hit) inside it must not start another. */
    private boolean pumping;

    private int database;
    private int loggedPercent;
    private long fillsWaitStartNanos;

    /**
     * @param keys          the keys to prefetch, hottest first
     * @param source        where they come from, for the log (the warm file's path)
     * @param handlers      makes the prefetch's client in the router
     * @param loop          the loop the prefetch runs on: that of the lane {@code handlers} gives it
     * @param database      the database a new client starts in
     * @param password      the password clients must give, or null
     * @param opsPerSecond  most keys a second
     * @param maxInFlight   most GETs unanswered at once
     * @param deadlineNanos the {@link System#nanoTime()} after which {@code /ready} no longer waits
     * @param canCache      whether a GET through the router would be cached now
     * @param fillsInFlight whether the cache has fills in flight (reads waiting for their PTTL)
     */
    public Warmup(
            List<WarmKey> keys,
            String source,
            Function<ReplySink, CommandHandler> handlers,
            EventLoop loop,
            int database,
            byte @Nullable [] password,
            int opsPerSecond,
            int maxInFlight,
            long deadlineNanos,
            BooleanSupplier canCache,
            BooleanSupplier fillsInFlight) {
        if (opsPerSecond < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException(
                    "opsPerSecond, maxInFlight: " + opsPerSecond + ", " + maxInFlight + " (expected: >= 1)");
        }
        this.keys = List.copyOf(keys);
        this.source = source;
        this.handlers = handlers;
        this.loop = loop;
        this.database = database;
        this.password = password == null ? null : password.clone();
        this.opsPerSecond = opsPerSecond;
        this.nanosPerKey = TimeUnit.SECONDS.toNanos(1) / opsPerSecond;
        this.maxInFlight = maxInFlight;
        this.deadlineNanos = deadlineNanos;
        this.canCache = canCache;
        this.fillsInFlight = fillsInFlight;
    }

    /** Starts, on the loop, as soon as the router can cache. */
    public void start() {
        if (keys.isEmpty()) {
            done = true;
            return;
        }
        loop.execute(this::awaitCaching);
    }

    /**
     * Why {@code /ready} should stay red because of the prefetch, or null: it is done, or the
     * deadline has passed. From any thread.
     */
    public @Nullable String notReady() {
        if (done || System.nanoTime() - deadlineNanos >= 0) {
            return null;
        }
        return "warming the cache from " + source + ": " + answered.get() + " of " + keys.size() + " keys";
    }

    /** Whether every key has been prefetched (or the loop stopped). From any thread. */
    public boolean done() {
        return done;
    }

    private void awaitCaching() {
        if (!canCache.getAsBoolean()) {
            loop.schedule(this::awaitCaching, WAIT_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        startNanos = System.nanoTime();
        paceNanos = startNanos;
        LOG.info(
                "warm-up: prefetching {} keys from {}, at most {} a second, {} in flight",
                keys.size(),
                source,
                opsPerSecond,
                maxInFlight);
        Client own = new Client(handlers);
        client = own;
        if (password != null) {
            own.send(RespCommand.of("AUTH".getBytes(StandardCharsets.US_ASCII), password), IGNORE);
        }
        pump();
    }

    /** Sends GETs while the pace and the in-flight bound allow; wakes itself when the next is due. */
    private void pump() {
        Client own = client;
        if (own == null || pumping) {
            return;
        }
        pumping = true;
        try {
            pumpWith(own);
        } finally {
            pumping = false;
        }
    }

    private void pumpWith(Client own) {
        long now = System.nanoTime();
        while (next < keys.size() && inFlight < maxInFlight && paceNanos - now <= 0) {
            paceNanos = Math.max(paceNanos, now - TimeUnit.MILLISECONDS.toNanos(BURST_MILLIS)) + nanosPerKey;
            WarmKey key = keys.get(next++);
            if (key.database() != database && !select(own, key.database())) {
                answer(false);
                continue;
            }
            inFlight++;
            own.send(RespCommand.of("GET".getBytes(StandardCharsets.US_ASCII), key.key()), new Answer());
        }
        if (next < keys.size() && inFlight < maxInFlight && !pumpScheduled) {
            pumpScheduled = true;
            loop.schedule(
                    () -> {
                        pumpScheduled = false;
                        pump();
                    },
                    Math.max(1, paceNanos - now),
                    TimeUnit.NANOSECONDS);
        }
    }

    private boolean select(Client own, int db) {
        boolean selected = own.select(db);
        if (selected) {
            database = db;
        }
        return selected;
    }

    /** One key answered, well or not. */
    private void answer(boolean ok) {
        if (!ok) {
            failed.incrementAndGet();
        }
        int count = answered.incrementAndGet();
        int percent = (int) (100L * count / keys.size());
        if (percent / LOG_EVERY_PERCENT > loggedPercent / LOG_EVERY_PERCENT && count < keys.size()) {
            loggedPercent = percent;
            LOG.info("warm-up: {} of {} keys ({} %), {} ms", count, keys.size(), percent, millisSinceStart());
        }
        if (count == keys.size()) {
            fillsWaitStartNanos = System.nanoTime();
            awaitFills();
        } else {
            pump();
        }
    }

    /** The last GETs are answered; their fills complete once their PTTLs are back. */
    private void awaitFills() {
        if (fillsInFlight.getAsBoolean()
                && System.nanoTime() - fillsWaitStartNanos < TimeUnit.MILLISECONDS.toNanos(FILLS_WAIT_MILLIS)) {
            loop.schedule(this::awaitFills, 1, TimeUnit.MILLISECONDS);
            return;
        }
        Client own = client;
        client = null;
        if (own != null) {
            own.handler().closed();
        }
        done = true;
        LOG.info(
                "warm-up done: {} keys in {} ms ({} failed){}",
                keys.size(),
                millisSinceStart(),
                failed.get(),
                System.nanoTime() - deadlineNanos >= 0 ? ", after --warm-deadline" : "");
    }

    private long millisSinceStart() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Takes the reply of one GET. */
    private final class Answer implements ReplyCallback {

        /** Takes ownership of {@code frame}: released, only its type is read. */
        @Override
        public void onReply(ByteBuf frame) {
            boolean ok = frame.getByte(frame.readerIndex()) != '-';
            frame.release();
            inFlight--;
            answer(ok);
        }

        @Override
        public void onFailure(String error) {
            inFlight--;
            answer(false);
        }
    }

    private static final ReplyCallback IGNORE = new ReplyCallback() {
        /** Takes ownership of {@code frame}: released. */
        @Override
        public void onReply(ByteBuf frame) {
            frame.release();
        }

        @Override
        public void onFailure(String error) {
            // Answered by respite itself, never upstream.
        }
    };

    /** The prefetch as the router sees it: a client whose every reply goes to its command's callback. */
    private static final class Client extends CallbackSink {

        private static final SocketAddress ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

        Client(Function<ReplySink, CommandHandler> handlers) {
            super(handlers, "the warm-up");
        }

        /** Hands {@code command} to the router, {@code callback} its answer. Takes ownership of {@code command}. */
        void send(RespCommand command, ReplyCallback callback) {
            handOver(command, callback);
        }

        boolean select(int db) {
            return handOverSelect(db);
        }

        @Override
        public void closeAfterReplies() {
            // Nothing to close: the prefetch ends by itself.
        }

        @Override
        public void abort() {
            // As closeAfterReplies.
        }

        @Override
        public void requireAuthentication(boolean required) {
            // Authenticated with AUTH before its first GET when a password is required.
        }

        @Override
        public SocketAddress remoteAddress() {
            return ADDRESS;
        }

        @Override
        public SocketAddress localAddress() {
            return ADDRESS;
        }

        @Override
        public String describe() {
            return "warm-up";
        }
    }
}
