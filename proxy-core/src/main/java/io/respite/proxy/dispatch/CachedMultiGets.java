package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.cache.LoadToken;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * MGET through the cache: hits from the cache, the rest in one upstream MGET with each missing
 * key's PTTL pipelined behind it (a nil of MGET may be a key of another type, so only a PTTL of
 * -2 lets it be cached), answered in the client's order. Its fills are not joinable: a GET that
 * joined one would be answered MGET's nil where Redis answers WRONGTYPE. Race-safe as
 * {@link CachedReads}'s fills. Shared by every client; stateless.
 */
final class CachedMultiGets {

    private static final byte[] MGET_NAME = "MGET".getBytes(StandardCharsets.US_ASCII);

    private final StripedLruCache cache;
    private final Coherence coherence;
    private final FillReplies replies;

    CachedMultiGets(StripedLruCache cache, Coherence coherence, FillReplies replies) {
        this.cache = cache;
        this.coherence = coherence;
        this.replies = replies;
    }

    /**
     * MGET: every key that hits is answered from the cache; the rest go upstream in one MGET, each
     * with its PTTL behind it, and the reply is assembled in the client's order from both. Returns
     * whether every key hit. Borrows {@code command}.
     */
    boolean mget(ClientContext client, RespCommand command) {
        int keys = command.argCount() - 1;
        byte[][] hits = new byte[keys][];
        LoadToken[] tokens = new LoadToken[keys];
        int misses = 0;
        StripedLruCache.Lookup lookup = CacheKeys.lookup();
        for (int i = 0; i < keys; i++) {
            byte[] key = CacheKeys.buffer(command, i + 1);
            int length = CacheKeys.write(client.mgetNamespace(), command, i + 1, key);
            client.recordRead(key, length, command.argLength(i + 1));
            cache.lookup(key, 0, length, false, lookup);
            byte[] hit = lookup.hit();
            hits[i] = hit == FillReplies.NIL ? Replies.nil(client.version()) : hit;
            LoadToken token = lookup.token();
            if (token != null) {
                tokens[misses++] = token;
            }
        }
        if (misses == 0) {
            client.sink().reply(assemble(hits, Unpooled.EMPTY_BUFFER, new int[0]));
            return true;
        }
        int[] missing = new int[misses];
        int[] epochs = new int[misses];
        byte[][] missingKeys = new byte[misses + 1][];
        missingKeys[0] = MGET_NAME;
        for (int i = 0, m = 0; i < keys; i++) {
            if (hits[i] == null) {
                missing[m] = i;
                missingKeys[m + 1] = command.argBytes(i + 1);
                epochs[m] =
                        coherence.fillEpoch(client.lane(), client.version(), client.mgetNamespace(), command, i + 1);
                m++;
            }
        }
        RespCommand upstreamGet = RespCommand.of(missingKeys);
        ByteBuf frame = upstreamGet.frame().retain();
        upstreamGet.release();
        MultiGet multiGet =
                new MultiGet(client.sink().replyLater(), hits, missing, Arrays.copyOf(tokens, misses), epochs);
        client.lane().send(client.database(), client.version(), frame, multiGet);
        for (int m = 0; m < misses; m++) {
            client.lane()
                    .send(
                            client.database(),
                            client.version(),
                            FillReplies.ttlRequest(command, missing[m] + 1),
                            multiGet.ttl(m));
        }
        return false;
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
                values[m] = replies.cacheable(frame, index, length);
                cache.observe(tokens[m], values[m]);
                if (values[m] == null) {
                    settle(m, -1, () -> FillReplies.answer(frame, index, length));
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
                        settle(m, value == null ? -1 : FillReplies.deadline(frame, sentNanos, value), () -> value);
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

        /** As {@code CachedReads.Fill#settle}, for missing key {@code m}. */
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
                settle(m, -1, FillReplies::noReply);
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
}
