package io.respite.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespType;
import io.respite.resp.codec.RespFrames;
import io.respite.resp.codec.RespWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * One command sent to several nodes (a keyless command to every primary, or a multi-key command
 * cut by slot), whose replies become the one reply the client gets, merged as the command's
 * {@code response_policy} tip says. Lives on one lane's loop; each part's reply or failure is
 * taken exactly once, and the merged reply goes to {@code next} once every part has answered.
 */
final class Fanout {

    private final ReplyCallback next;
    private final @Nullable String policy;
    private final ByteBufAllocator alloc;
    private final @Nullable ByteBuf[] replies;
    /** For a cut MGET: for each key in the client's order, its part, and its index in that part's reply. */
    private final int @Nullable [] partOfKey;

    private final int @Nullable [] indexInPart;

    private @Nullable String failure;
    private int pending;

    /**
     * @param parts how many parts will answer
     * @param policy the response policy; null for the default (arrays concatenated, else the first reply)
     * @param partOfKey when not null, the reply is an array in key order rebuilt from the parts' arrays
     */
    Fanout(
            ReplyCallback next,
            @Nullable String policy,
            ByteBufAllocator alloc,
            int parts,
            int @Nullable [] partOfKey,
            int @Nullable [] indexInPart) {
        this.next = next;
        this.policy = policy;
        this.alloc = alloc;
        this.replies = new ByteBuf[parts];
        this.pending = parts;
        this.partOfKey = partOfKey;
        this.indexInPart = indexInPart;
    }

    /** The callback of part {@code index}. */
    ReplyCallback part(int index) {
        return new ReplyCallback() {
            @Override
            public void onReply(ByteBuf frame) {
                if (pending <= 0 || replies[index] != null) {
                    frame.release();
                    return;
                }
                replies[index] = frame;
                answered();
            }

            @Override
            public void onFailure(String error) {
                if (pending <= 0) {
                    return;
                }
                if (failure == null) {
                    failure = error;
                }
                answered();
            }
        };
    }

    private void answered() {
        if (--pending != 0) {
            // More parts to come; or (below zero) a part answered twice after a failure: ignored.
            return;
        }
        try {
            if (failure != null) {
                next.onFailure(failure);
            } else {
                next.onReply(merge());
            }
        } finally {
            for (ByteBuf reply : replies) {
                if (reply != null && reply.refCnt() > 0) {
                    reply.release();
                }
            }
        }
    }

    /** The merged reply, a new frame or one of the parts' retained. */
    private ByteBuf merge() {
        ByteBuf error = firstError();
        if ("one_succeeded".equals(policy)) {
            for (ByteBuf reply : replies) {
                if (!isError(reply)) {
                    return nonNull(reply).retain();
                }
            }
            return nonNull(error).retain();
        }
        if (error != null) {
            return error.retain();
        }
        if (partOfKey != null) {
            return inKeyOrder();
        }
        if (policy == null) {
            return aggregateOrFirst();
        }
        return switch (policy) {
            case "agg_sum" -> integer(sum());
            case "agg_min" -> integer(extreme(true));
            case "agg_max" -> integer(extreme(false));
            case "agg_logical_and", "agg_logical_or" -> logical("agg_logical_and".equals(policy));
            default -> nonNull(replies[0]).retain();
        };
    }

    private @Nullable ByteBuf firstError() {
        for (ByteBuf reply : replies) {
            if (isError(reply)) {
                return reply;
            }
        }
        return null;
    }

    private static boolean isError(@Nullable ByteBuf reply) {
        RespType type = reply == null ? null : RespFrames.type(reply);
        return type == RespType.ERROR || type == RespType.BLOB_ERROR;
    }

    private static ByteBuf nonNull(@Nullable ByteBuf reply) {
        if (reply == null) {
            throw new IllegalStateException("a part answered nothing");
        }
        return reply;
    }

    private long sum() {
        long total = 0;
        for (ByteBuf reply : replies) {
            total += RespFrames.integer(nonNull(reply));
        }
        return total;
    }

    private long extreme(boolean min) {
        long best = RespFrames.integer(nonNull(replies[0]));
        for (ByteBuf reply : replies) {
            long value = RespFrames.integer(nonNull(reply));
            best = min ? Math.min(best, value) : Math.max(best, value);
        }
        return best;
    }

    private ByteBuf integer(long value) {
        return alloc.directBuffer().writeBytes((":" + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** SCRIPT EXISTS and the like: arrays of 0 and 1, combined element by element. */
    private ByteBuf logical(boolean and) {
        ByteBuf first = nonNull(replies[0]);
        int[] bounds = RespFrames.elements(first);
        if (bounds == null) {
            long combined = and ? 1 : 0;
            for (ByteBuf reply : replies) {
                long value = RespFrames.integer(nonNull(reply));
                combined = and ? combined & value : combined | value;
            }
            return integer(combined);
        }
        int count = bounds.length / 2;
        long[] combined = new long[count];
        for (int part = 0; part < replies.length; part++) {
            ByteBuf reply = nonNull(replies[part]);
            int[] elements = part == 0 ? bounds : RespFrames.elements(reply);
            for (int i = 0; i < count && elements != null && 2 * i < elements.length; i++) {
                long value = RespFrames.integer(reply.slice(elements[2 * i], elements[2 * i + 1]));
                combined[i] = part == 0 ? value : and ? combined[i] & value : combined[i] | value;
            }
        }
        ByteBuf out = alloc.directBuffer();
        RespWriter.writeHeader(out, RespType.ARRAY, count);
        for (long value : combined) {
            out.writeBytes((":" + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        return out;
    }

    /**
     * The default: arrays (KEYS) concatenated in part order; other replies (RANDOMKEY's) one of
     * the parts', preferring one that is not null, chosen at random as the command is random.
     */
    private ByteBuf aggregateOrFirst() {
        int[] first = RespFrames.elements(nonNull(replies[0]));
        RespType type = RespFrames.type(nonNull(replies[0]));
        if (first == null || type == RespType.MAP || type == RespType.ATTRIBUTE) {
            int start = ThreadLocalRandom.current().nextInt(replies.length);
            for (int i = 0; i < replies.length; i++) {
                ByteBuf reply = nonNull(replies[(start + i) % replies.length]);
                if (!isNull(reply)) {
                    return reply.retain();
                }
            }
            return nonNull(replies[0]).retain();
        }
        CompositeByteBuf out = alloc.compositeBuffer(replies.length * 2);
        long count = 0;
        for (ByteBuf reply : replies) {
            int[] elements = RespFrames.elements(nonNull(reply));
            if (elements != null && elements.length > 0) {
                count += elements.length / 2;
                int from = elements[0];
                int to = elements[elements.length - 2] + elements[elements.length - 1];
                out.addComponent(true, reply.retainedSlice(from, to - from));
            }
        }
        ByteBuf header = alloc.directBuffer(16);
        RespWriter.writeHeader(header, type == RespType.SET ? RespType.SET : RespType.ARRAY, count);
        out.addComponent(true, 0, header);
        return out;
    }

    /** A null of RESP3 ({@code _}) or RESP2 ({@code $-1}, {@code *-1}). */
    private static boolean isNull(ByteBuf reply) {
        byte marker = reply.getByte(reply.readerIndex());
        boolean nilBlobOrArray = (marker == '$' || marker == '*') && reply.getByte(reply.readerIndex() + 1) == '-';
        return marker == '_' || nilBlobOrArray;
    }

    /** A cut MGET's reply: each key's value taken from its part's array, in the client's order. */
    private ByteBuf inKeyOrder() {
        int[] parts = partOfKey;
        int[] indexes = indexInPart;
        if (parts == null || indexes == null) {
            throw new IllegalStateException("not cut by key");
        }
        int[][] elements = new int[replies.length][];
        for (int part = 0; part < replies.length; part++) {
            elements[part] = RespFrames.elements(nonNull(replies[part]));
        }
        CompositeByteBuf out = alloc.compositeBuffer(parts.length + 1);
        ByteBuf header = alloc.directBuffer(16);
        RespWriter.writeHeader(header, RespType.ARRAY, parts.length);
        out.addComponent(true, header);
        for (int key = 0; key < parts.length; key++) {
            int[] bounds = elements[parts[key]];
            if (bounds == null) {
                out.release();
                throw new IllegalStateException("a part of MGET answered no array");
            }
            int at = 2 * indexes[key];
            out.addComponent(true, nonNull(replies[parts[key]]).retainedSlice(bounds[at], bounds[at + 1]));
        }
        return out;
    }
}
