package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.respite.resp.RespCodecException;
import io.respite.resp.RespLimits;
import io.respite.resp.RespType;
import io.respite.resp.internal.RespBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds where one complete RESP2/RESP3 reply ends, without materialising it, across as many reads
 * as it takes. Used by both reply decoders: {@link RespFrameDecoder} relays the bytes it delimits,
 * {@link RespReplyDecoder} parses them.
 *
 * <p>A reply is scanned in place from the buffer's reader index; the scanner remembers how far it
 * got (an offset from the reader index, which the caller must not move until the reply is
 * complete), so each byte is examined once however the reply is split. Nesting is tracked with a
 * preallocated stack of "elements still expected" per open aggregate. An attribute counts as an
 * aggregate of its pairs plus the one value it annotates, so attribute and value end together as
 * one element of their parent.
 */
final class RespReplyScanner {

    private enum State {
        /** Waiting for a type marker byte. */
        TYPE,
        /** {@code <marker><text>\r\n}: waiting for CR, then LF. */
        LINE,
        /** {@code <bytes>\r\n}: waiting for a blob's payload and CRLF. */
        BLOB
    }

    /** Returned by {@link #scan} when the reply is not complete yet. */
    static final int INCOMPLETE = -1;

    private final RespLimits limits;
    /** Levels of nesting room to start with; more are added as a reply needs them, up to the limit. */
    private static final int INITIAL_DEPTH = 16;

    /** Elements still expected by each open aggregate, innermost at {@code depth - 1}. */
    private long[] remaining;

    private State state = State.TYPE;
    private int depth;
    // Set from each reply's first byte before anything reads it.
    @SuppressWarnings("NullAway.Init")
    private RespType type;
    /** Offset from the reader index of the next byte to examine. */
    private int scanned;
    /** Offset from the reader index of the current line's first byte after the marker. */
    private int lineStart;

    private int blobLength;

    RespReplyScanner(RespLimits limits) {
        this.limits = limits;
        this.remaining = new long[Math.min(limits.maxNestingDepth(), INITIAL_DEPTH)];
    }

    /**
     * Scans on from where the last call stopped. Borrows {@code in} (caller keeps ownership); does
     * not move its indices.
     *
     * @return the length of the complete reply that starts at the reader index, or
     *     {@link #INCOMPLETE}; after a complete reply the scanner is ready for the next one
     * @throws RespCodecException on malformed or over-limit input (the stream cannot be resumed)
     */
    int scan(ByteBuf in) {
        int base = in.readerIndex();
        int end = in.writerIndex();
        for (; ; ) {
            switch (state) {
                case TYPE -> {
                    if (base + scanned >= end) {
                        return INCOMPLETE;
                    }
                    byte marker = in.getByte(base + scanned);
                    RespType found = RespType.of(marker);
                    if (found == null) {
                        throw new RespCodecException("ERR Protocol error: unknown reply type byte '"
                                + (char) (marker & 0xff) + "' (0x" + Integer.toHexString(marker & 0xff) + ")");
                    }
                    type = found;
                    scanned++;
                    lineStart = scanned;
                    state = State.LINE;
                }
                case LINE -> {
                    int from = base + scanned;
                    int cr = from < end ? in.forEachByte(from, end - from, ByteProcessor.FIND_CR) : -1;
                    if (cr < 0 || cr + 1 >= end) {
                        scanned = cr < 0 ? end - base : cr - base;
                        if (scanned - lineStart > lineLimit()) {
                            throw new RespCodecException("ERR Protocol error: too long " + type + " line");
                        }
                        return INCOMPLETE;
                    }
                    if (in.getByte(cr + 1) != RespBytes.LF) {
                        throw new RespCodecException("ERR Protocol error: expected LF after CR in " + type + " line");
                    }
                    scanned = cr + 2 - base;
                    if (line(in, base + lineStart, cr - base - lineStart)) {
                        return complete();
                    }
                }
                case BLOB -> {
                    if (end - (base + scanned) < blobLength + 2) {
                        return INCOMPLETE;
                    }
                    if (in.getShort(base + scanned + blobLength) != RespBytes.CRLF_SHORT) {
                        throw new RespCodecException("ERR Protocol error: " + type + " not followed by CRLF");
                    }
                    scanned += blobLength + 2;
                    if (elementDone()) {
                        return complete();
                    }
                }
                default -> throw new IllegalStateException("unknown state " + state);
            }
        }
    }

    private long lineLimit() {
        return Math.max(limits.maxInlineBytes(), limits.maxBulkBytes());
    }

    /** Handles a complete header or scalar line; returns true when that completed the reply. */
    private boolean line(ByteBuf in, int index, int length) {
        switch (type.kind()) {
            case LINE -> {
                checkScalar(in, index, length);
                return elementDone();
            }
            case BLOB -> {
                long len = RespBytes.parseLong(in, index, length);
                if (len == -1 && type == RespType.BULK_STRING) {
                    return elementDone();
                }
                if (len < 0 || len > limits.maxBulkBytes() || (type == RespType.VERBATIM_STRING && len < 4)) {
                    throw new RespCodecException("ERR Protocol error: invalid bulk length");
                }
                blobLength = (int) len;
                state = State.BLOB;
                return false;
            }
            case AGGREGATE -> {
                long count = RespBytes.parseLong(in, index, length);
                if (count == -1 && type == RespType.ARRAY) {
                    return elementDone();
                }
                long elements = switch (type) {
                    case MAP -> 2 * count;
                    case ATTRIBUTE -> 2 * count + 1;
                    default -> count;
                };
                // A map's pairs are two elements each; the attributed value is not the attribute's.
                if (count < 0 || elements - (type == RespType.ATTRIBUTE ? 1 : 0) > limits.maxAggregateElements()) {
                    throw new RespCodecException("ERR Protocol error: invalid multibulk length");
                }
                if (elements == 0) {
                    return elementDone();
                }
                if (depth == remaining.length) {
                    if (depth >= limits.maxNestingDepth()) {
                        throw new RespCodecException(
                                "ERR Protocol error: reply nested deeper than " + limits.maxNestingDepth() + " levels");
                    }
                    // Grown as deep replies come, so that a trusted server's replies of any depth cost
                    // eight bytes a level, and ordinary ones none.
                    remaining = Arrays.copyOf(remaining, (int) Math.min(limits.maxNestingDepth(), 2L * depth));
                }
                remaining[depth++] = elements;
                state = State.TYPE;
                return false;
            }
            default -> throw new IllegalStateException("unknown kind " + type.kind());
        }
    }

    private void checkScalar(ByteBuf in, int index, int length) {
        boolean valid = switch (type) {
            case INTEGER ->
                RespBytes.parseLong(in, index, length) != RespBytes.NOT_A_NUMBER
                        || (length == 20
                                && in.toString(index, length, StandardCharsets.US_ASCII)
                                        .equals(Long.toString(Long.MIN_VALUE)));
            case NULL -> length == 0;
            case BOOLEAN -> length == 1 && (in.getByte(index) == 't' || in.getByte(index) == 'f');
            case DOUBLE, BIG_NUMBER -> length > 0;
            default -> true;
        };
        if (!valid) {
            throw new RespCodecException("ERR Protocol error: invalid " + type + " '"
                    + in.toString(index, Math.min(length, 64), StandardCharsets.ISO_8859_1) + "'");
        }
    }

    /** One element finished: pops every aggregate it completes; true when the whole reply is done. */
    private boolean elementDone() {
        state = State.TYPE;
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return false;
            }
            depth--;
        }
        return true;
    }

    private int complete() {
        int length = scanned;
        reset();
        return length;
    }

    /** True while waiting for the payload of a blob of at least {@code bytes} bytes. */
    boolean awaitingBlobOf(int bytes) {
        return state == State.BLOB && blobLength >= bytes;
    }

    /** Forgets any partial reply. */
    void reset() {
        state = State.TYPE;
        depth = 0;
        scanned = 0;
        lineStart = 0;
    }
}
