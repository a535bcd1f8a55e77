package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * GET and MGET through the cache. A GET that hits is answered at once from the cached bytes; one
 * that misses is read upstream and its reply cached (bulk strings up to {@code --max-entry-size};
 * nil stays nil and is not cached). An MGET takes its hits from the cache and asks the upstream for
 * the rest in one MGET, then answers in the client's order. Fills are race-safe: each holds a load
 * token taken before the read went upstream, which a write of the key in between makes stale.
 * Shared by every client; stateless.
 */
final class CachedReads {

    private static final byte[] MGET_NAME = "MGET".getBytes(StandardCharsets.US_ASCII);

    private final StripedLruCache cache;
    private final long maxEntryBytes;

    /** @param maxEntryBytes largest value cached, in bytes */
    CachedReads(StripedLruCache cache, long maxEntryBytes) {
        this.cache = cache;
        this.maxEntryBytes = maxEntryBytes;
    }

    /** GET key, from the cache or read through it. Borrows {@code command}. */
    void get(ClientContext client, RespCommand command) {
        byte[] key = CacheKeys.buffer(command, 1);
        int length = CacheKeys.write(client.database(), command, 1, key);
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        cache.lookup(key, 0, length, lookup);
        byte[] hit = lookup.hit();
        if (hit != null) {
            client.sink().reply(hit);
            return;
        }
        LoadToken token = Objects.requireNonNull(lookup.token(), "a miss without a token");
        client.lane()
                .send(
                        client.database(),
                        client.version(),
                        command.frame().retain(),
                        new Fill(client.sink().replyLater(), token));
    }

    /** Installs a GET reply in the cache (if its token is still valid) and passes it on. */
    private final class Fill implements ReplyCallback {

        private final ReplyCallback slot;
        private final LoadToken token;

        Fill(ReplyCallback slot, LoadToken token) {
            this.slot = slot;
            this.token = token;
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            try {
                fill(token, frame, frame.readerIndex(), frame.readableBytes());
            } finally {
                slot.onReply(frame);
            }
        }

        @Override
        public void onFailure(String error) {
            cache.abandonLoad(token);
            slot.onFailure(error);
        }
    }

    /**
     * MGET: every key that hits is answered from the cache; the rest go upstream in one MGET, and
     * the reply is assembled in the client's order from both. Borrows {@code command}.
     */
    void mget(ClientContext client, RespCommand command) {
        int keys = command.argCount() - 1;
        byte[][] hits = new byte[keys][];
        LoadToken[] tokens = new LoadToken[keys];
        int misses = 0;
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        for (int i = 0; i < keys; i++) {
            byte[] key = CacheKeys.buffer(command, i + 1);
            cache.lookup(key, 0, CacheKeys.write(client.database(), command, i + 1, key), lookup);
            hits[i] = lookup.hit();
            if (hits[i] == null) {
                tokens[misses++] = lookup.token();
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
        client.lane()
                .send(
                        client.database(),
                        client.version(),
                        frame,
                        new MultiGet(client.sink().replyLater(), hits, missing, Arrays.copyOf(tokens, misses)));
    }

    /** Completes an MGET: fills the cache with what the upstream returned and merges it with the hits. */
    private final class MultiGet implements ReplyCallback {

        private final ReplyCallback slot;
        private final byte[][] hits;
        private final int[] missing;
        private final LoadToken[] tokens;

        MultiGet(ReplyCallback slot, byte[][] hits, int[] missing, LoadToken[] tokens) {
            this.slot = slot;
            this.hits = hits;
            this.missing = missing;
            this.tokens = tokens;
        }

        /** Takes ownership of {@code frame}. */
        @Override
        public void onReply(ByteBuf frame) {
            int[] elements = RespFrames.elements(frame);
            if (elements == null || elements.length != 2 * missing.length) {
                abandonAll();
                slot.onReply(frame);
                return;
            }
            for (int m = 0; m < missing.length; m++) {
                fill(tokens[m], frame, elements[2 * m], elements[2 * m + 1]);
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

        private void abandonAll() {
            for (LoadToken token : tokens) {
                cache.abandonLoad(token);
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
     * Completes {@code token} with a copy of the {@code length} reply bytes at {@code index} when
     * they are a bulk string (not nil) of at most --max-entry-size bytes, and abandons it
     * otherwise. Borrows {@code frame}.
     */
    private void fill(LoadToken token, ByteBuf frame, int index, int length) {
        long valueLength = RespFrames.bulkLength(frame, index, length);
        if (valueLength >= 0 && valueLength <= maxEntryBytes) {
            byte[] wire = new byte[length];
            frame.getBytes(index, wire);
            cache.completeLoad(token, wire, 0);
        } else {
            cache.abandonLoad(token);
        }
    }
}
