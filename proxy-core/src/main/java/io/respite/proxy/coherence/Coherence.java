package io.respite.proxy.coherence;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.Namespaces;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.ConnectionListener;
import io.respite.proxy.upstream.ControlConnection;
import io.respite.proxy.upstream.TrackedUpstream;
import io.respite.proxy.upstream.TrackingSetup;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design
 * ------
 * Server-assisted client-side caching (Redis's CLIENT TRACKING), chosen as follows.
 *
 * Where the invalidations arrive: one connection per respite process, the invalidation stream,
 * in RESP3, which receives Redis's "invalidate" pushes. The shared connections that carry the
 * clients' commands (and so the cache's fills) run CLIENT TRACKING ON REDIRECT <stream id>. Not a
 * separate fill-only connection: a client's commands must run in the order it sent them, so a
 * GET pipelined behind a SET must travel on the SET's connection; and not RESP3 pushes on each
 * shared connection, since the RESP2 ones cannot receive them. REDIRECT gives up the ordering
 * between a fill's reply and an invalidation; the load tokens of the cache restore it: an
 * invalidation that arrives first stales the token and the fill installs nothing, one that
 * arrives after removes the entry.
 *
 * Default mode, not OPTIN: every read on a shared connection is tracked, relayed reads of hashes
 * or lists included (whose invalidations are then dropped as not cached), which costs Redis's
 * tracking table memory, against a CLIENT CACHING yes before every fill, which costs every miss a
 * command. Very large key spaces, where Redis's tracking table (tracking-table-max-keys, a
 * million by default) would evict keys (sending their invalidations early, which only costs hits),
 * can use BCAST mode instead (--tracking-prefix P, repeatable): Redis then sends an invalidation
 * for every write under the prefixes, whoever read the key, with no tracking table; the stream
 * itself runs CLIENT TRACKING ON BCAST PREFIX ..., and the shared connections track nothing.
 *
 * What an invalidation names: key names without a database, so a key is dropped in every
 * namespace the cache has filled (Namespaces: each database, and with --auth passthrough each
 * user's partition of each database, so a write by one user drops the key from every user's
 * partition). A null message (FLUSHALL, FLUSHDB) drops everything. Users' lanes track their reads
 * with the same REDIRECT to the one stream.
 *
 * When caching is safe: a fill may be installed only if Redis tracked its read (the read went
 * out after its connection's CLIENT TRACKING in the current epoch; in BCAST mode, after the
 * stream's) and no invalidation may have been missed since. Each time the stream comes up the
 * epoch advances; each time it goes down (a break, CLIENT KILL, Redis restarting, or a PING
 * unanswered within --timeout, which the connection's watchdog turns into a break) the epoch
 * advances, caching stops, and the cache is emptied, since invalidations may have been missed.
 * When a shared connection goes down in default mode the keys it read are no longer tracked:
 * the cache is emptied too.
 *
 * Upstream expiry is not Redis's to tell (its active expiry is lazy and sampled): every fill caps
 * its entry at the key's PTTL, read in the same round trip, in every mode.
 *
 * Concurrency
 * -----------
 * The stream lives on one event loop; its callbacks run there. mayFill and the counters are read
 * from every loop: epoch, caching and mode are volatile or atomic, and read in that order. The
 * namespaces filled are only ever added to (one once filled stays recorded).
 */

/**
 * Keeps the cache coherent with Redis across respite replicas: runs the invalidation stream,
 * drops what Redis says changed, and tells the fill path when a read may be cached. See the design
 * comment at the top of the source file. Thread-safe.
 *
 * <p>Over 400 lines, a fifth of them that design comment: the stream's life, the parsing of its
 * pushes and the fill epochs are one protocol, and split apart they would share every field.
 */
public final class Coherence implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Coherence.class);

    /** How often the stream is pinged, so that a silently dead one is noticed, in milliseconds. */
    static final long PING_INTERVAL_MILLIS = 1000;

    private static final byte[] INVALIDATE = "invalidate".getBytes(StandardCharsets.US_ASCII);

    private final CoherenceMode configured;
    private final StripedLruCache cache;
    private final List<String> prefixes;
    private final byte[][] prefixBytes;
    private final AtomicInteger epoch = new AtomicInteger();
    private final Namespaces namespaces = new Namespaces();
    private final CoherenceStats stats = new CoherenceStats();

    private volatile CoherenceMode mode;
    private volatile boolean caching;

    private @Nullable ControlConnection stream;
    private @Nullable TrackedUpstream pool;
    private @Nullable ScheduledFuture<?> ping;

    /**
     * @param configured the mode asked for; tracking falls back to ttl when the upstream cannot track
     * @param prefixes key prefixes for BCAST tracking; empty for default tracking
     */
    public Coherence(CoherenceMode configured, StripedLruCache cache, List<String> prefixes) {
        this.configured = configured;
        this.mode = configured;
        this.cache = cache;
        this.prefixes = List.copyOf(prefixes);
        this.prefixBytes =
                prefixes.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    /** Starts the invalidation stream (tracking mode) on {@code loop}; says which mode is in force. */
    public void start(TrackedUpstream upstream, EventLoop loop) {
        this.pool = upstream;
        if (configured == CoherenceMode.TTL) {
            LOG.info("coherence: ttl (entries live until --ttl or the key's own expiry; writes made "
                    + "elsewhere are not seen before that)");
            return;
        }
        LOG.info(
                "coherence: tracking ({}); caching starts once Redis tracks respite's reads",
                prefixes.isEmpty() ? "default mode" : "BCAST mode, prefixes " + prefixes);
        ControlConnection connection = upstream.control(loop, this::invalidation, new StreamListener());
        // Kept before it connects: the listener, on the loop, needs it from its first event.
        stream = connection;
        connection.open();
    }

    /** The mode in force: tracking, or ttl (asked for, or fallen back to). */
    public CoherenceMode mode() {
        return mode;
    }

    /** True while fills may be cached: always in ttl mode, while the stream is up in tracking mode. */
    public boolean caching() {
        return mode == CoherenceMode.TTL || caching;
    }

    /** The counters, for logs and metrics. */
    public CoherenceStats stats() {
        return stats;
    }

    /** The namespaces the cache has filled: a write's invalidation must reach its key in each. */
    public Namespaces namespaces() {
        return namespaces;
    }

    /**
     * The fill epoch of a read of key {@code keyArg} of {@code command}, cached in {@code namespace}
     * ({@link Namespaces}), about to be sent on {@code lane} in {@code version}: to be handed back
     * to {@link #mayFill} when its reply arrives; -1 when it may not be cached whatever happens (in
     * BCAST mode, a key under no prefix, of which Redis would say nothing). Records the namespace
     * first, so that an invalidation of the key, which can only follow the read, reaches its fill.
     * Call on the lane's loop; borrows {@code command}.
     */
    public int fillEpoch(UpstreamLane lane, RespVersion version, int namespace, RespCommand command, int keyArg) {
        namespaces.record(namespace);
        if (mode == CoherenceMode.TTL) {
            return 0;
        }
        if (prefixBytes.length > 0) {
            return caching && underAPrefix(command, keyArg) ? epoch.get() : -1;
        }
        return lane.trackingEpoch(version, command, keyArg);
    }

    private boolean underAPrefix(RespCommand command, int keyArg) {
        int length = command.argLength(keyArg);
        ByteBuf frame = command.frame();
        int at = frame.readerIndex() + command.argOffset(keyArg);
        for (byte[] prefix : prefixBytes) {
            if (prefix.length <= length && startsWith(frame, at, prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuf buf, int at, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(at + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a fill whose read was sent in {@code fillEpoch} ({@link #fillEpoch}) may be cached:
     * in tracking mode, only if Redis tracked the read and no invalidation may have been missed
     * since.
     */
    public boolean mayFill(int fillEpoch) {
        if (mode == CoherenceMode.TTL) {
            return true;
        }
        int current = epoch.get();
        if (!caching || fillEpoch != current || fillEpoch < 0) {
            stats.fillsRefused.increment();
            return false;
        }
        return true;
    }

    /**
     * A shared connection went down: in default tracking mode the keys it read are no longer
     * tracked, so the cache starts over.
     */
    public void sharedConnectionDown() {
        if (mode == CoherenceMode.TRACKING && prefixes.isEmpty()) {
            // Caching goes on: the connection tracks again (before any read) when it reconnects.
            cache.invalidateAll();
            stats.flushes.increment();
            LOG.info("coherence: a connection that read cached keys went down; cache emptied");
        }
    }

    /**
     * The upstream is moving to another Redis ({@code to}, promoted by a Sentinel failover), which
     * never tracked respite's reads: caching stops and the cache empties, and no read sent before
     * now may fill it. Caching resumes when the stream is up on the new primary. Call before the
     * connections move.
     */
    public void upstreamMoved(String to) {
        caching = false;
        epoch.incrementAndGet();
        cache.invalidateAll();
        stats.flushes.increment();
        LOG.info("coherence: the upstream moved to {}; cache emptied, caching off until it tracks our reads", to);
    }

    /**
     * A push on the stream: Redis's {@code invalidate} message drops its keys (a null, all keys);
     * other pushes are ignored. Takes ownership of {@code frame}.
     */
    void invalidation(ByteBuf frame) {
        try {
            int[] elements = RespFrames.elements(frame);
            if (elements == null
                    || elements.length != 4
                    || RespFrames.bulkLength(frame, elements[0], elements[1]) != INVALIDATE.length
                    || !isInvalidate(frame, elements[0] + elements[1] - 2 - INVALIDATE.length)) {
                return;
            }
            stats.messages.increment();
            ByteBuf keys = frame.slice(elements[2], elements[3]);
            int[] bounds = RespFrames.elements(keys);
            if (bounds == null) {
                // A null: FLUSHALL or FLUSHDB, and everything goes.
                stats.flushes.increment();
                cache.invalidateAll();
                return;
            }
            for (int i = 0; i < bounds.length; i += 2) {
                long length = RespFrames.bulkLength(keys, bounds[i], bounds[i + 1]);
                if (length >= 0) {
                    invalidate(keys, bounds[i] + bounds[i + 1] - 2 - (int) length, (int) length);
                }
            }
        } finally {
            frame.release();
        }
    }

    private static boolean isInvalidate(ByteBuf frame, int at) {
        return startsWith(frame, at, INVALIDATE);
    }

    /** Drops the key of {@code length} bytes at {@code index} of {@code buf} in every namespace filled. */
    private void invalidate(ByteBuf buf, int index, int length) {
        byte[] key = new byte[length + DatabaseKeys.MAX_PREFIX_BYTES];
        namespaces.forEach(namespace -> {
            int at = DatabaseKeys.writePrefix(namespace, key);
            buf.getBytes(index, key, at, length);
            if (cache.invalidate(key, 0, at + length)) {
                stats.keysDropped.increment();
            }
        });
        stats.keys.increment();
    }

    /**
     * Tracking is in force from now on: reads sent from now in the returned epoch may be cached.
     * (Default mode sets the shared connections up first; see the stream's listener.)
     */
    int trackingOn() {
        int current = epoch.incrementAndGet();
        caching = true;
        stats.trackingStarts.increment();
        return current;
    }

    /** The stream is lost: invalidations may be missed from now, so caching stops and the cache empties. */
    void streamDown(String cause) {
        flush("the invalidation stream is down (" + cause + "); caching off until it is back");
    }

    private void flush(String why) {
        boolean wasCaching = caching;
        caching = false;
        epoch.incrementAndGet();
        cache.invalidateAll();
        stats.flushes.increment();
        if (wasCaching) {
            LOG.warn("coherence: {}; cache emptied, invalidations may have been missed", why);
        }
    }

    @Override
    public void close() {
        if (ping != null) {
            ping.cancel(false);
        }
        if (stream != null) {
            stream.close();
        }
    }

    /** The stream's life: learn its id, set tracking up, ping it; on its loss, stop caching. */
    private final class StreamListener implements ConnectionListener {

        @Override
        public void ready(boolean recovered) {
            ControlConnection connection = stream;
            if (connection == null) {
                return;
            }
            connection.send(frame("CLIENT", "ID"), new Reply() {
                @Override
                void ok(ByteBuf reply) {
                    long id = RespFrames.integer(reply);
                    if (prefixes.isEmpty()) {
                        enable(id);
                    } else {
                        enableBroadcast(connection);
                    }
                }
            });
            if (ping == null) {
                ping = connection
                        .loop()
                        .scheduleAtFixedRate(
                                () -> connection.send(frame("PING"), new Reply() {
                                    @Override
                                    void ok(ByteBuf reply) {}
                                }),
                                PING_INTERVAL_MILLIS,
                                PING_INTERVAL_MILLIS,
                                TimeUnit.MILLISECONDS);
            }
        }

        /** Default mode: every shared connection tracks its reads, and redirects here. */
        private void enable(long id) {
            TrackedUpstream upstream = pool;
            if (upstream == null) {
                return;
            }
            // Safe in this order: a read counts as tracked only once its connection applied this epoch.
            int current = trackingOn();
            upstream.track(
                    new TrackingSetup(current, List.of("CLIENT", "TRACKING", "ON", "REDIRECT", Long.toString(id))));
            LOG.info("coherence: Redis tracks respite's reads (invalidations to client id {}); caching on", id);
        }

        /** BCAST mode: the stream itself hears of every write under the prefixes. */
        private void enableBroadcast(ControlConnection connection) {
            List<String> command = new ArrayList<>(List.of("CLIENT", "TRACKING", "ON", "BCAST"));
            for (String prefix : prefixes) {
                command.add("PREFIX");
                command.add(prefix);
            }
            connection.send(frame(command.toArray(String[]::new)), new Reply() {
                @Override
                void ok(ByteBuf reply) {
                    trackingOn();
                    LOG.info("coherence: Redis broadcasts writes under {}; caching on", prefixes);
                }
            });
        }

        @Override
        public void down(String cause) {
            if (cause.startsWith("the upstream does not speak RESP3")) {
                mode = CoherenceMode.TTL;
                close();
                LOG.warn("coherence: the upstream cannot track keys ({}); falling back to ttl", cause);
                return;
            }
            TrackedUpstream upstream = pool;
            if (upstream != null) {
                upstream.track(null);
            }
            streamDown(cause);
        }
    }

    /** A reply of the stream's own commands: errors break nothing but are logged. */
    private abstract static class Reply implements ReplyCallback {

        abstract void ok(ByteBuf reply);

        @Override
        public void onReply(ByteBuf frame) {
            try {
                if (RespFrames.type(frame) == RespType.ERROR) {
                    LOG.warn(
                            "coherence: Redis refused a tracking command: {}",
                            frame.toString(StandardCharsets.UTF_8).strip());
                } else {
                    ok(frame);
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void onFailure(String error) {
            // The stream is failing: its listener hears of it.
        }
    }

    private static ByteBuf frame(String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }
}
