package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.respite.resp.internal.RespBytes;

/** Splits an array reply of bulk strings and nulls, such as MGET's, into its elements in place. */
final class FlatArrays {

    private FlatArrays() {
    }

    /**
     * Returns the absolute index and length of each of the {@code expected} elements of the array
     * reply in {@code frame}, or null when the frame is anything else (an error, a different
     * count, or elements other than bulk strings and nulls). Borrows {@code frame}.
     */
    static int[] elements(ByteBuf frame, int expected) {
        int at = frame.readerIndex();
        int end = frame.writerIndex();
        if (frame.getByte(at) != '*') {
            return null;
        }
        int cr = frame.forEachByte(at, end - at, ByteProcessor.FIND_CR);
        if (cr < 0 || RespBytes.parseLong(frame, at + 1, cr - at - 1) != expected) {
            return null;
        }
        at = cr + 2;
        int[] bounds = new int[2 * expected];
        for (int i = 0; i < expected; i++) {
            if (at >= end) {
                return null;
            }
            byte type = frame.getByte(at);
            int lineEnd = frame.forEachByte(at, end - at, ByteProcessor.FIND_CR);
            if (lineEnd < 0) {
                return null;
            }
            int next;
            if (type == '_') {
                next = lineEnd + 2;
            } else if (type == '$') {
                long length = RespBytes.parseLong(frame, at + 1, lineEnd - at - 1);
                if (length == RespBytes.NOT_A_NUMBER || length < -1) {
                    return null;
                }
                next = length < 0 ? lineEnd + 2 : lineEnd + 2 + (int) length + 2;
            } else {
                return null;
            }
            bounds[2 * i] = at;
            bounds[2 * i + 1] = next - at;
            at = next;
        }
        return at == end ? bounds : null;
    }
}
