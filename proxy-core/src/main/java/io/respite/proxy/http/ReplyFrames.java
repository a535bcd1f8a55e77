package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads the few RESP2 replies the HTTP API asks for: a bulk string (a value) or nil, an integer,
 * a status and an error. Each method reads a whole frame as the upstream or the cache gave it;
 * none releases it.
 */
final class ReplyFrames {

    private ReplyFrames() {}

    /** Whether {@code frame} is an error reply. */
    static boolean isError(ByteBuf frame) {
        byte type = frame.getByte(frame.readerIndex());
        return type == '-' || type == '!';
    }

    /** Whether {@code frame} is a nil (RESP2 {@code $-1} or {@code *-1}, RESP3 {@code _}). */
    static boolean isNil(ByteBuf frame) {
        int at = frame.readerIndex();
        byte type = frame.getByte(at);
        return type == '_' || ((type == '$' || type == '*') && frame.getByte(at + 1) == '-');
    }

    /** An error reply's text, without the leading {@code -} and the CRLF. */
    static String errorText(ByteBuf frame) {
        int at = frame.readerIndex();
        return frame.toString(at + 1, lineEnd(frame, at) - at - 1, StandardCharsets.UTF_8);
    }

    /** A status reply's text ({@code OK}), or null for any other reply. */
    static @Nullable String status(ByteBuf frame) {
        int at = frame.readerIndex();
        if (frame.getByte(at) != '+') {
            return null;
        }
        return frame.toString(at + 1, lineEnd(frame, at) - at - 1, StandardCharsets.US_ASCII);
    }

    /** An integer reply's value, or {@code otherwise} for any other reply. */
    static long integer(ByteBuf frame, long otherwise) {
        int at = frame.readerIndex();
        if (frame.getByte(at) != ':') {
            return otherwise;
        }
        return parseLong(frame, at + 1, lineEnd(frame, at), otherwise);
    }

    /**
     * Where a bulk string's value lies in {@code frame}: its index, or -1 when the frame is not a
     * bulk string with a value. The value's length is {@link #bulkLength}.
     */
    static int bulkOffset(ByteBuf frame) {
        int at = frame.readerIndex();
        if (frame.getByte(at) != '$' || frame.getByte(at + 1) == '-') {
            return -1;
        }
        return lineEnd(frame, at) + 2;
    }

    /** A bulk string's length, or -1 when {@code frame} is not one with a value. */
    static int bulkLength(ByteBuf frame) {
        int at = frame.readerIndex();
        if (frame.getByte(at) != '$') {
            return -1;
        }
        return (int) parseLong(frame, at + 1, lineEnd(frame, at), -1);
    }

    /** The index of the CR ending the line that starts at {@code from}. */
    private static int lineEnd(ByteBuf frame, int from) {
        int cr = frame.indexOf(from, frame.writerIndex(), (byte) '\r');
        if (cr < 0) {
            throw new IllegalArgumentException("not a whole RESP frame");
        }
        return cr;
    }

    private static long parseLong(ByteBuf frame, int from, int to, long otherwise) {
        if (from >= to) {
            return otherwise;
        }
        boolean negative = frame.getByte(from) == '-';
        long value = 0;
        for (int i = negative ? from + 1 : from; i < to; i++) {
            int digit = frame.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return otherwise;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }
}
