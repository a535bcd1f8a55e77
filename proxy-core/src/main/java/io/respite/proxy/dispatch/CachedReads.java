package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.respite.proxy.cache.FillWaiter;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * GET and MGET through the cache.
 *
 * <p>A GET that hits is answered at once from the cached bytes. One that misses reads the key
 * upstream on the client's lane (so in the client's order) and answers the client with the reply
 * as soon as it arrives. It caches a nil at once when {@code --cache-nil} is on (GET's nil means
 * the key does not exist), and a bulk string of up to {@code --max-entry-size} once the key's
 * {@code PTTL}, asked for then, has come back: until the key's own expiry (less
 * {@value #EXPIRY_MARGIN_MILLIS} ms, measured from when the PTTL was sent) and at most
 * {@code --ttl}. (A PTTL pipelined behind every GET measured dearer: most misses are nils, which
 * need none.) A miss for a key whose read is already in flight on this respite joins it instead of
 * reading again (single-flight): it is answered with that read's reply on its own loop, or reads
 * for itself if that read brought no reply.
 *
 * <p>Fills are race-safe: each holds a load token taken before the read went upstream, which a
 * write through respite or an invalidation from Redis in between makes stale; and in tracking
 * mode a fill is cached only if {@link Coherence} says Redis tracked its read.
 *
 * <p>An MGET takes its hits from the cache and asks the upstream for the rest in one MGET (and
 * their PTTLs), then answers in the client's order. Shared by every client; stateless.
 */
final class CachedReads {

    /** Taken off the key's remaining time to live, for the time its reply spends travelling, in milliseconds. */
    static final long EXPIRY_MARGIN_MILLIS = 1;

    /** How a cached nil is stored: one array, recognised by identity and answered in the client's protocol. */
    static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] MGET_NAME = "MGET".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PTTL_NAME = "PTTL".getBytes(StandardCharsets.US_ASCII);

    private final StripedLruCache cache;
    private final long maxEntryBytes;
    private final Coherence coherence;
    private final boolean cacheNil;

    /**
     * @param maxEntryBytes largest value cached, in bytes
     * @param cacheNil whether a nil GET is cached (until the key appears, in tracking mode)
     */
    CachedReads(StripedLruCache cache, long maxEntryBytes, Coherence coherence, boolean cacheNil) {
        this.cache = cache;
        this.maxEntryBytes = maxEntryBytes;
        this.coherence = coherence;
        this.cacheNil = cacheNil;
    }

    /** GET key, from the cache or read through it. Borrows {@code command}. */
    void get(ClientContext client, RespCommand command) {
        byte[] key = CacheKeys.buffer(command, 1);
        int length = CacheKeys.write(client.database(), command, 1, key);
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        cache.lookup(key, 0, length, lookup);
        byte[] hit = lookup.hit();
        if (hit != null) {
            client.sink().reply(hit == NIL ? Replies.nil(client.version()) : hit);
            return;
        }
        LoadToken token = lookup.token();
        if (token == null) {
            throw new IllegalStateException("a miss without a token");
        }
        if (!token.isFirst()) {
            JoinedRead joiner = new JoinedRead(client, client.sink().replyLater(), command);
            if (cache.join(token, joiner)) {
                return;
            }
            joiner.readItself(token);
            return;
        }
        read(client, command, client.sink().replyLater(), token);
    }

    /** Reads a missed key upstream; {@link Fill} caches what it brings. Borrows {@code command}. */
    private void read(ClientContext client, RespCommand command, ReplyCallback slot, LoadToken token) {
        int epoch = coherence.fillEpoch(client.lane(), client.version(), client.database(), command, 1);
        Fill fill = new Fill(client.lane(), client.database(), client.version(), command, slot, token, epoch);
        client.lane().send(client.database(), client.version(), command.frame().retain(), fill);
    }

    /**
     * The cacheable form of the {@code length} reply bytes at {@code index} of {@code frame}: a
     * copy of a bulk string of at most --max-entry-size, {@link #NIL} for a nil when nil is
     * cached, else null. Borrows {@code frame}.
     */
    private byte @Nullable [] cacheable(ByteBuf frame, int index, int length) {
        long valueLength = RespFrames.bulkLength(frame, index, length);
        if (valueLength >= 0) {
            if (valueLength > maxEntryBytes) {
                return null;
            }
            byte[] wire = new byte[length];
            frame.getBytes(index, wire);
            return wire;
        }
        return cacheNil && isNil(frame, index, length) ? NIL : null;
    }

    /** For the misses that joined a read, when it failed: no reply, they read for themselves. */
    private static byte @Nullable [] noReply() {
        return null;
    }

    /**
     * The {@code length} reply bytes at {@code index} of {@code frame} as a joined miss is answered:
     * {@link #NIL} for a nil (each client gets it in its own protocol), else a copy. Borrows
     * {@code frame}.
     */
    private static byte[] answer(ByteBuf frame, int index, int length) {
        if (isNil(frame, index, length)) {
            return NIL;
        }
        byte[] copy = new byte[length];
        frame.getBytes(index, copy);
        return copy;
    }

    private static boolean isNil(ByteBuf frame, int index, int length) {
        byte marker = frame.getByte(index);
        return (marker == '_' && length == 3) || (marker == '$' && length == 5 && frame.getByte(index + 1) == '-');
    }

    /**
     * The deadline a fill gets from its key's PTTL reply ({@code ttl}), read at {@code sentNanos}:
     * 0 for none (the default --ttl only), -1 when the value must not be cached. A nil is cached
     * only when the PTTL confirms the key does not exist: MGET answers nil for a key of another
     * type too, where GET answers WRONGTYPE. Borrows {@code ttl}.
     */
    private static long deadline(ByteBuf ttl, long sentNanos, byte[] value) {
        if (RespFrames.type(ttl) != RespType.INTEGER) {
            return -1;
        }
        long millis = RespFrames.integer(ttl);
        if (value == NIL || millis == -2) {
            // A nil of a key that does not exist, until --ttl; or a value whose key vanished meanwhile.
            return value == NIL && millis == -2 ? 0 : -1;
        }
        if (millis == -1) {
            return 0;
        }
        if (millis <= EXPIRY_MARGIN_MILLIS) {
            return -1;
        }
        return sentNanos + TimeUnit.MILLISECONDS.toNanos(millis - EXPIRY_MARGIN_MILLIS);
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
                byte[] fetched = cacheable(frame, frame.readerIndex(), frame.readableBytes());
                if (fetched == NIL) {
                    settle(NIL, 0, () -> NIL);
                } else if (fetched == null) {
                    cache.observe(token, null);
                    settle(null, -1, () -> answer(frame, frame.readerIndex(), frame.readableBytes()));
                } else if (get != null) {
                    // Seen now, cached later: an older read of the key must not be cached meanwhile.
                    cache.observe(token, fetched);
                    value = fetched;
                    ttlSentNanos = cache.nowNanos();
                    lane.send(database, version, frame(PTTL_NAME, get, 1), ttl());
                }
            } finally {
                releaseGet();
                slot.onReply(frame);
            }
        }

        @Override
        public void onFailure(String error) {
            releaseGet();
            settle(null, -1, CachedReads::noReply);
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
                        settle(fetched, fetched == null ? -1 : deadline(frame, ttlSentNanos, fetched), () -> fetched);
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
        /** The client's database and protocol when it sent the GET: by the outcome, it may have moved on. */
        private final int database;

        private final RespVersion version;
        /** The GET, kept in case the read it joined brings nothing and it must read for itself. */
        private @Nullable RespCommand command;

        /** Takes a reply slot in order; borrows {@code get}, keeping a reference until the outcome. */
        JoinedRead(ClientContext client, ReplyCallback slot, RespCommand get) {
            this.client = client;
            this.slot = slot;
            this.database = client.database();
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
                    // Uncached, as a relayed read: the slot keeps the reply in the client's order.
                    client.lane().send(database, version, get.frame().retain(), slot);
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

    /**
     * MGET: every key that hits is answered from the cache; the rest go upstream in one MGET, each
     * with its PTTL behind it, and the reply is assembled in the client's order from both.
     * Borrows {@code command}.
     */
    void mget(ClientContext client, RespCommand command) {
        int keys = command.argCount() - 1;
        byte[][] hits = new byte[keys][];
        LoadToken[] tokens = new LoadToken[keys];
        int misses = 0;
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        for (int i = 0; i < keys; i++) {
            byte[] key = CacheKeys.buffer(command, i + 1);
            cache.lookup(key, 0, CacheKeys.write(client.database(), command, i + 1, key), false, lookup);
            byte[] hit = lookup.hit();
            hits[i] = hit == NIL ? Replies.nil(client.version()) : hit;
            LoadToken token = lookup.token();
            if (token != null) {
                tokens[misses++] = token;
            }
        }
        if (misses == 0) {
            client.sink().reply(assemble(hits, Unpooled.EMPTY_BUFFER, new int[0]));
            return;
        }
        int[] missing = new int[misses];
        byte[][] missingKeys = new byte[misses + 1][];
        missingKeys[0] = MGET_NAME;
        for (int i = 0, m = 0; i < keys; i++) {
            if (hits[i] == null) {
                missing[m] = i;
                missingKeys[m + 1] = command.argBytes(i + 1);
                m++;
            }
        }
        RespCommand upstreamGet = RespCommand.of(missingKeys);
        ByteBuf frame = upstreamGet.frame().retain();
        upstreamGet.release();
        int[] epochs = new int[misses];
        for (int m = 0; m < misses; m++) {
            epochs[m] =
                    coherence.fillEpoch(client.lane(), client.version(), client.database(), command, missing[m] + 1);
        }
        MultiGet multiGet =
                new MultiGet(client.sink().replyLater(), hits, missing, Arrays.copyOf(tokens, misses), epochs);
        client.lane().send(client.database(), client.version(), frame, multiGet);
        for (int m = 0; m < misses; m++) {
            client.lane()
                    .send(
                            client.database(),
                            client.version(),
                            frame(PTTL_NAME, command, missing[m] + 1),
                            multiGet.ttl(m));
        }
    }

    /** Completes an MGET: merges the upstream's values with the hits, then fills the cache as the PTTLs arrive. */
    private final class MultiGet implements ReplyCallback {

        private final ReplyCallback slot;
        private final byte[][] hits;
        private final int[] missing;
        private final LoadToken[] tokens;
        /** Per missing key: its fill epoch ({@link Coherence#fillEpoch}). */
        private final int[] epochs;

        private final long sentNanos = cache.nowNanos();
        /** Per missing key: the value to cache once its PTTL arrives, or null. */
        private final byte[][] values;

        private final boolean[] settled;

        MultiGet(ReplyCallback slot, byte[][] hits, int[] missing, LoadToken[] tokens, int[] epochs) {
            this.slot = slot;
            this.hits = hits;
            this.missing = missing;
            this.tokens = tokens;
            this.epochs = epochs;
            this.values = new byte[tokens.length][];
            this.settled = new boolean[tokens.length];
        }

        /** Takes ownership of {@code frame}: the MGET's reply. */
        @Override
        public void onReply(ByteBuf frame) {
            int[] elements = RespFrames.elements(frame);
            if (elements == null || elements.length != 2 * missing.length) {
                abandonAll();
                slot.onReply(frame);
                return;
            }
            for (int m = 0; m < missing.length; m++) {
                int index = elements[2 * m];
                int length = elements[2 * m + 1];
                values[m] = cacheable(frame, index, length);
                cache.observe(tokens[m], values[m]);
                if (values[m] == null) {
                    settle(m, -1, () -> answer(frame, index, length));
                }
            }
            ByteBuf reply = assemble(hits, frame, elements);
            frame.release();
            slot.onReply(reply);
        }

        @Override
        public void onFailure(String error) {
            abandonAll();
            slot.onFailure(error);
        }

        /** The PTTL's reply of missing key {@code m}. */
        ReplyCallback ttl(int m) {
            return new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    try {
                        byte[] value = values[m];
                        settle(m, value == null ? -1 : deadline(frame, sentNanos, value), () -> value);
                    } finally {
                        frame.release();
                    }
                }

                @Override
                public void onFailure(String error) {
                    byte[] value = values[m];
                    settle(m, -1, () -> value);
                }
            };
        }

        /** As {@link Fill#settle}, for missing key {@code m}. */
        private void settle(int m, long deadline, Supplier<byte @Nullable []> reply) {
            if (settled[m]) {
                return;
            }
            settled[m] = true;
            byte[] value = values[m];
            if (value != null && deadline >= 0 && coherence.mayFill(epochs[m])) {
                cache.completeLoad(tokens[m], value, deadline);
            } else {
                cache.abandonLoad(tokens[m], reply);
            }
        }

        private void abandonAll() {
            for (int m = 0; m < tokens.length; m++) {
                values[m] = null;
                settle(m, -1, CachedReads::noReply);
            }
        }
    }

    /**
     * The client's reply: the hits in place, and where a hit is null, the next element of
     * {@code upstream} (at {@code elements}); returns a new buffer the caller owns. Borrows
     * {@code upstream}.
     */
    private static ByteBuf assemble(byte[][] hits, ByteBuf upstream, int[] elements) {
        int size = 16;
        for (int i = 0, m = 0; i < hits.length; i++) {
            size += hits[i] != null ? hits[i].length : elements[2 * m++ + 1];
        }
        ByteBuf out = Unpooled.buffer(size);
        RespWriter.writeHeader(out, RespType.ARRAY, hits.length);
        for (int i = 0, m = 0; i < hits.length; i++) {
            if (hits[i] != null) {
                out.writeBytes(hits[i]);
            } else {
                out.writeBytes(upstream, elements[2 * m], elements[2 * m + 1]);
                m++;
            }
        }
        return out;
    }

    /**
     * {@code NAME key}, the key being argument {@code arg} of {@code command}, as a request; returns
     * a new reference the caller must release (or send).
     */
    private static ByteBuf frame(byte[] name, RespCommand command, int arg) {
        int keyLength = command.argLength(arg);
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(keyLength + name.length + 32);
        RespWriter.writeHeader(out, RespType.ARRAY, 2);
        RespWriter.writeBulk(out, name);
        RespWriter.writeHeader(out, RespType.BULK_STRING, keyLength);
        out.writeBytes(command.frame(), command.frame().readerIndex() + command.argOffset(arg), keyLength);
        return out.writeShort(0x0d0a);
    }
}
