package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespLimits;
import io.respite.resp.RespType;
import io.respite.resp.internal.RespBytes;
import org.jspecify.annotations.Nullable;

/**
 * Looks inside a complete reply frame, such as {@link RespFrameDecoder} emits, without parsing it
 * into a tree: where the elements of an aggregate are, so that a proxy can rewrite one element
 * and copy the others byte for byte. Stateless.
 */
public final class RespFrames {

    private RespFrames() {}

    /**
     * The type of the reply in {@code frame}, from its first byte; null for a byte no type has.
     * Borrows {@code frame}.
     */
    public static @Nullable RespType type(ByteBuf frame) {
        return frame.isReadable() ? RespType.of(frame.getByte(frame.readerIndex())) : null;
    }

    /**
     * The value of the integer reply in {@code frame} ({@code :<n>\r\n}). Borrows {@code frame}.
     *
     * @throws RespCodecException when {@code frame} is not an integer reply
     */
    public static long integer(ByteBuf frame) {
        int at = frame.readerIndex();
        int end = frame.writerIndex();
        int cr = end - at > 3 && frame.getByte(at) == ':' ? frame.forEachByte(at, end - at, ByteProcessor.FIND_CR) : -1;
        long value = cr < 0 ? RespBytes.NOT_A_NUMBER : RespBytes.parseLong(frame, at + 1, cr - at - 1);
        if (value == RespBytes.NOT_A_NUMBER) {
            throw new RespCodecException("ERR Protocol error: not an integer reply");
        }
        return value;
    }

    /**
     * The length of the value of the bulk string that fills the {@code length} bytes at
     * {@code index} of {@code frame} (a whole frame, or one of its {@link #elements}), or -1 when
     * those bytes are anything else, nil included. Borrows {@code frame}.
     */
    public static long bulkLength(ByteBuf frame, int index, int length) {
        if (length < 4 || frame.getByte(index) != RespBytes.BULK) {
            return -1;
        }
        int cr = frame.forEachByte(index + 1, length - 1, ByteProcessor.FIND_CR);
        if (cr < 0) {
            return -1;
        }
        long value = RespBytes.parseLong(frame, index + 1, cr - index - 1);
        return value >= 0 && value == length - (cr + 2 - index) - 2 ? value : -1;
    }

    /**
     * The absolute index and length of each top-level element of the array, set, push or map in
     * {@code frame} (a map's keys and values are elements of their own, in wire order), or null
     * when {@code frame} is not such an aggregate (an error, a null array, a scalar). Borrows
     * {@code frame}; does not move its indices.
     *
     * @throws RespCodecException when {@code frame} is not one valid reply
     */
    public static int @Nullable [] elements(ByteBuf frame) {
        int at = frame.readerIndex();
        int end = frame.writerIndex();
        RespType type = at < end ? RespType.of(frame.getByte(at)) : null;
        if (type == null || type.kind() != RespType.Kind.AGGREGATE || type == RespType.ATTRIBUTE) {
            return null;
        }
        int cr = frame.forEachByte(at, end - at, ByteProcessor.FIND_CR);
        long count = cr < 0 ? RespBytes.NOT_A_NUMBER : RespBytes.parseLong(frame, at + 1, cr - at - 1);
        if (count < 0) {
            return null;
        }
        long elements = type == RespType.MAP ? 2 * count : count;
        if (elements > (end - at) / 3) {
            throw new RespCodecException(
                    "ERR Protocol error: " + elements + " elements in a frame of " + (end - at) + " bytes");
        }
        int[] bounds = new int[(int) (2 * elements)];
        at = cr + 2;
        for (int i = 0; i < elements; i++) {
            // The frame came whole out of a frame decoder: its elements may nest to any depth.
            int length = new RespReplyScanner(RespLimits.TRUSTED_RELAY).scan(frame.slice(at, end - at));
            if (length == RespReplyScanner.INCOMPLETE) {
                throw new RespCodecException("ERR Protocol error: element " + i + " of " + elements + " is incomplete");
            }
            bounds[2 * i] = at;
            bounds[2 * i + 1] = length;
            at += length;
        }
        return bounds;
    }
}
