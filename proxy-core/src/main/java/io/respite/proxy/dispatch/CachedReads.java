package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.cache.FillWaiter;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * GET through the cache ({@link CachedMultiGets} does MGET).
 *
 * <p>A GET that hits is answered at once from the cached bytes. One that misses reads the key
 * upstream on the client's lane (so in the client's order) and answers the client with the reply
 * as soon as it arrives. It caches a nil at once when {@code --cache-nil} is on (GET's nil means
 * the key does not exist), and a bulk string of up to {@code --max-entry-size} once the key's
 * {@code PTTL}, asked for then, has come back: until the key's own expiry (less
 * {@value FillReplies#EXPIRY_MARGIN_MILLIS} ms, measured from when the PTTL was sent) and at most
 * {@code --ttl}. (A PTTL pipelined behind every GET measured dearer: most misses are nils, which
 * need none.) A miss for a key whose read is already in flight on this respite joins it instead of
 * reading again (single-flight): it is answered with that read's reply on its own loop, or reads
 * for itself if that read brought no reply.
 *
 * <p>Fills are race-safe: each holds a load token taken before the read went upstream, which a
 * write through respite or an invalidation from Redis in between makes stale; and in tracking
 * mode a fill is cached only if {@link Coherence} says Redis tracked its read.
 *
 * <p>Shared by every client; stateless.
 */
final class CachedReads {

    private static final byte[] NIL = FillReplies.NIL;

    private final StripedLruCache cache;
    private final Coherence coherence;
    private final FillReplies replies;

    CachedReads(StripedLruCache cache, Coherence coherence, FillReplies replies) {
        this.cache = cache;
        this.coherence = coherence;
        this.replies = replies;
    }

    /** GET key, from the cache or read through it: whether it was a hit. Borrows {@code command}. */
    boolean get(ClientContext client, RespCommand command) {
        byte[] key = CacheKeys.buffer(command, 1);
        int length = CacheKeys.write(client.namespace(), command, 1, key);
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        client.recordRead(key, length, command.argLength(1));
        cache.lookup(key, 0, length, lookup);
        byte[] hit = lookup.hit();
        if (hit != null) {
            client.sink().reply(hit == NIL ? Replies.nil(client.version()) : hit);
            return true;
        }
        LoadToken token = lookup.token();
        if (token == null) {
            throw new IllegalStateException("a miss without a token");
        }
        if (!token.isFirst()) {
            JoinedRead joiner = new JoinedRead(client, client.sink().replyLater(), command);
            if (cache.join(token, joiner)) {
                return false;
            }
            joiner.readItself(token);
            return false;
        }
        read(client, command, client.sink().replyLater(), token);
        return false;
    }

    /** Reads a missed key upstream; {@link Fill} caches what it brings. Borrows {@code command}. */
    private void read(ClientContext client, RespCommand command, ReplyCallback slot, LoadToken token) {
        read(client.lane(), client.database(), client.namespace(), client.version(), command, slot, token);
    }

    /**
     * As {@link #read(ClientContext, RespCommand, ReplyCallback, LoadToken)}, in the given database
     * (cached in {@code namespace}) and protocol.
     */
    private void read(
            UpstreamLane lane,
            int database,
            int namespace,
            RespVersion version,
            RespCommand command,
            ReplyCallback slot,
            LoadToken token) {
        int epoch = coherence.fillEpoch(lane, version, namespace, command, 1);
        Fill fill = new Fill(lane, database, version, command, slot, token, epoch);
        lane.send(database, version, command.frame().retain(), fill);
    }

    /**
     * One missed GET on its way. The GET's reply goes to the client at once. A nil is cached then
     * (the key does not exist: GET answers WRONGTYPE for other types); a value only once its key's
     * PTTL, asked for then, has come back: one more round trip for the fill, none for the client,
     * and none at all for the nils that most misses are. The PTTL goes on the GET's lane and
     * database; a write in between stales the token, so the deadline and value never mismatch in
     * the cache.
     */
    private final class Fill implements ReplyCallback {

        private final UpstreamLane lane;
        private final int database;
        private final RespVersion version;
        private final ReplyCallback slot;
        private final LoadToken token;
        private final int epoch;
        /** The GET, kept until its reply, to ask for the key's PTTL. */
        private @Nullable RespCommand get;
        /** When the PTTL was sent: its reply counts from then. */
        private long ttlSentNanos;
        /** The value to cache, once the GET's reply arrived; null when there is none. */
        private byte @Nullable [] value;

        private boolean settled;

        /** Borrows {@code get}, keeping a reference until its reply. */
        Fill(
                UpstreamLane lane,
                int database,
                RespVersion version,
                RespCommand get,
                ReplyCallback slot,
                LoadToken token,
                int epoch) {
            this.lane = lane;
            this.database = database;
            this.version = version;
            this.get = get.retain();
            this.slot = slot;
            this.token = token;
            this.epoch = epoch;
        }

        /** Takes ownership of {@code frame}: the GET's reply. */
        @Override
        public void onReply(ByteBuf frame) {
            try {
                byte[] fetched = replies.cacheable(frame, frame.readerIndex(), frame.readableBytes());
                if (fetched == NIL) {
                    settle(NIL, 0, () -> NIL);
                } else if (fetched == null) {
                    cache.observe(token, null);
                    settle(null, -1, () -> FillReplies.answer(frame, frame.readerIndex(), frame.readableBytes()));
                } else if (get != null) {
                    // Seen now, cached later: an older read of the key must not be cached meanwhile.
                    cache.observe(token, fetched);
                    value = fetched;
                    ttlSentNanos = cache.nowNanos();
                    lane.send(database, version, FillReplies.ttlRequest(get, 1), ttl());
                }
            } finally {
                releaseGet();
                slot.onReply(frame);
            }
        }

        @Override
        public void onFailure(String error) {
            releaseGet();
            settle(null, -1, FillReplies::noReply);
            slot.onFailure(error);
        }

        private void releaseGet() {
            if (get != null) {
                get.release();
                get = null;
            }
        }

        /** The PTTL's reply, which completes the fill. */
        private ReplyCallback ttl() {
            return new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    try {
                        byte[] fetched = value;
                        settle(
                                fetched,
                                fetched == null ? -1 : FillReplies.deadline(frame, ttlSentNanos, fetched),
                                () -> fetched);
                    } finally {
                        frame.release();
                    }
                }

                @Override
                public void onFailure(String error) {
                    byte[] fetched = value;
                    settle(null, -1, () -> fetched);
                }
            };
        }

        /**
         * Completes the token with {@code fetched} until {@code deadline}, or, for a negative
         * deadline or a fill coherence refuses, abandons it, handing the misses that joined it
         * {@code reply} (the reply the client had, not cached).
         */
        private void settle(byte @Nullable [] fetched, long deadline, Supplier<byte @Nullable []> reply) {
            if (settled) {
                return;
            }
            settled = true;
            if (fetched != null && deadline >= 0 && coherence.mayFill(epoch)) {
                cache.completeLoad(token, fetched, deadline);
            } else {
                cache.abandonLoad(token, reply);
            }
        }
    }

    /**
     * A miss that joined the read in flight for its key: told, on the completing thread, what
     * that read brought (whether cached or not: a value, a nil, an error), and answered with it on
     * its own client's loop, where it stands in the client's order. Only when that read brought
     * nothing (its connection failed) does it read for itself.
     */
    private final class JoinedRead implements FillWaiter {

        private final ClientContext client;
        private final ReplyCallback slot;
        /** The client's database, namespace and protocol when it sent the GET: by the outcome, it may have moved on. */
        private final int database;

        private final int namespace;

        private final RespVersion version;
        /** The GET, kept in case the read it joined brings nothing and it must read for itself. */
        private @Nullable RespCommand command;

        /** Takes a reply slot in order; borrows {@code get}, keeping a reference until the outcome. */
        JoinedRead(ClientContext client, ReplyCallback slot, RespCommand get) {
            this.client = client;
            this.slot = slot;
            this.database = client.database();
            this.namespace = client.namespace();
            this.version = client.version();
            this.command = get.retain();
        }

        /** Nothing to join after all: reads the key with {@code token}, as any miss. */
        void readItself(LoadToken token) {
            RespCommand get = command;
            if (get != null) {
                read(client, get, slot, token);
            }
            release();
        }

        @Override
        public void filled(byte[] value) {
            onLoop(() -> {
                release();
                slot.onReply(
                        value == NIL ? Unpooled.wrappedBuffer(Replies.nil(version)) : Unpooled.wrappedBuffer(value));
            });
        }

        @Override
        public void failed() {
            onLoop(() -> {
                RespCommand get = command;
                if (get == null) {
                    return;
                }
                try {
                    // A read of its own, with a token: what it brings is seen before it is served
                    // (it may be newer than what another read caches meanwhile). The slot keeps the
                    // reply in the client's order.
                    byte[] key = CacheKeys.buffer(get, 1);
                    LoadToken token = cache.beginLoad(key, 0, CacheKeys.write(namespace, get, 1, key));
                    read(client.lane(), database, namespace, version, get, slot, token);
                } finally {
                    release();
                }
            });
        }

        private void onLoop(Runnable task) {
            try {
                client.lane().loop().execute(task);
            } catch (RejectedExecutionException shuttingDown) {
                // The loop is stopping with respite: its clients are being closed anyway.
                release();
            }
        }

        private void release() {
            if (command != null) {
                command.release();
                command = null;
            }
        }
    }
}
