package io.respite.resp.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Stateless RESP byte helpers: strict integer parsing (as Redis's {@code string2ll}) and formatting. */
public final class RespBytes {

    /** Carriage return. */
    public static final byte CR = '\r';
    /** Line feed. */
    public static final byte LF = '\n';
    /** CRLF as a short, for {@link ByteBuf#writeShort}. */
    public static final short CRLF_SHORT = (CR << 8) | LF;
    /** Marker of a RESP array. */
    public static final byte ARRAY = '*';
    /** Marker of a bulk string. */
    public static final byte BULK = '$';
    /** Returned by {@link #parseLong} when the bytes are not a strict decimal integer. */
    public static final long NOT_A_NUMBER = Long.MIN_VALUE;

    /** Longest decimal long with sign: "-9223372036854775808". */
    private static final int MAX_LONG_DIGITS = 20;

    private RespBytes() {}

    /**
     * Parses {@code length} bytes at {@code index} as a decimal integer with Redis's strictness:
     * an optional '-', no '+', no leading zeros ("0" alone is fine), no spaces, no overflow.
     * Borrows {@code buf} (caller keeps ownership); does not move its indices.
     *
     * @return the value, or {@link #NOT_A_NUMBER} when the bytes are not such an integer
     *     ({@code Long.MIN_VALUE} itself is therefore not representable, which no RESP length needs)
     */
    public static long parseLong(ByteBuf buf, int index, int length) {
        if (length <= 0 || length > MAX_LONG_DIGITS) {
            return NOT_A_NUMBER;
        }
        int i = index;
        int end = index + length;
        boolean negative = buf.getByte(i) == '-';
        if (negative) {
            i++;
            if (i == end) {
                return NOT_A_NUMBER;
            }
        }
        byte first = buf.getByte(i);
        if (first == '0') {
            return (i + 1 == end && !negative) ? 0 : NOT_A_NUMBER;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return NOT_A_NUMBER;
            }
            // Accumulate negatively: the negative range is one larger than the positive one.
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return NOT_A_NUMBER;
            }
            value = value * 10 - digit;
        }
        if (negative) {
            return value == Long.MIN_VALUE ? NOT_A_NUMBER : value;
        }
        return value == Long.MIN_VALUE ? NOT_A_NUMBER : -value;
    }

    /** Number of bytes {@link #writeLong} writes for {@code value}. */
    public static int longLength(long value) {
        if (value < 0) {
            return value == Long.MIN_VALUE ? MAX_LONG_DIGITS : 1 + longLength(-value);
        }
        int digits = 1;
        long bound = 10;
        while (digits < 19 && value >= bound) {
            digits++;
            bound *= 10;
        }
        return digits;
    }

    /**
     * Writes {@code value} as ASCII decimal at the writer index without allocating.
     * Borrows {@code out} (caller keeps ownership).
     */
    public static void writeLong(ByteBuf out, long value) {
        if (value == Long.MIN_VALUE) {
            out.writeBytes(LONG_MIN);
            return;
        }
        int length = longLength(value);
        out.ensureWritable(length);
        int end = out.writerIndex() + length;
        long v = value;
        if (v < 0) {
            out.setByte(out.writerIndex(), '-');
            v = -v;
        }
        int pos = end;
        do {
            out.setByte(--pos, (int) ('0' + v % 10));
            v /= 10;
        } while (v != 0);
        out.writerIndex(end);
    }

    /**
     * Writes {@code <marker><value>\r\n}, the header of a bulk string or an aggregate, or a whole
     * integer reply. Borrows {@code out} (caller keeps ownership).
     */
    public static void writeHeader(ByteBuf out, byte marker, long value) {
        out.writeByte(marker);
        writeLong(out, value);
        out.writeShort(CRLF_SHORT);
    }

    private static final byte[] LONG_MIN = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
}
