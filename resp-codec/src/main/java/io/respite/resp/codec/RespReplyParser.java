package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.respite.resp.RespArray;
import io.respite.resp.RespAttribute;
import io.respite.resp.RespBigNumber;
import io.respite.resp.RespBlobError;
import io.respite.resp.RespBoolean;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespDouble;
import io.respite.resp.RespError;
import io.respite.resp.RespInteger;
import io.respite.resp.RespMap;
import io.respite.resp.RespMessage;
import io.respite.resp.RespNull;
import io.respite.resp.RespNullArray;
import io.respite.resp.RespNullBulkString;
import io.respite.resp.RespPush;
import io.respite.resp.RespSet;
import io.respite.resp.RespSimpleString;
import io.respite.resp.RespType;
import io.respite.resp.RespVerbatimString;
import io.respite.resp.internal.RespBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a message tree from one complete reply that {@link RespReplyScanner} has already
 * delimited and validated, so it never waits and never meets malformed input. Recursion depth is
 * bounded by the scanner's nesting limit.
 */
final class RespReplyParser {

    /** Largest list presized from a declared count; longer lists grow as elements arrive. */
    private static final int MAX_PRESIZE = 1024;

    private final ByteBuf frame;

    private RespReplyParser(ByteBuf frame) {
        this.frame = frame;
    }

    /**
     * Parses the reply in {@code frame} (from its reader index, which it advances). Borrows
     * {@code frame}; blob contents are retained slices of it, so the returned message is a new
     * reference the caller must release.
     */
    static RespMessage parse(ByteBuf frame) {
        return new RespReplyParser(frame).value();
    }

    private RespMessage value() {
        // The scanner checked every marker before the frame got here.
        RespType type = Objects.requireNonNull(RespType.of(frame.readByte()), "reply type");
        String line = null;
        int cr = frame.forEachByte(ByteProcessor.FIND_CR);
        int lineLength = cr - frame.readerIndex();
        switch (type.kind()) {
            case LINE -> {
                line = frame.toString(frame.readerIndex(), lineLength, StandardCharsets.ISO_8859_1);
                frame.skipBytes(lineLength + 2);
                return scalar(type, line);
            }
            case BLOB -> {
                long length = RespBytes.parseLong(frame, frame.readerIndex(), lineLength);
                frame.skipBytes(lineLength + 2);
                if (length < 0) {
                    return RespNullBulkString.INSTANCE;
                }
                return blob(type, (int) length);
            }
            default -> {
                long count = RespBytes.parseLong(frame, frame.readerIndex(), lineLength);
                frame.skipBytes(lineLength + 2);
                if (count < 0) {
                    return RespNullArray.INSTANCE;
                }
                return aggregate(type, count);
            }
        }
    }

    private static RespMessage scalar(RespType type, String line) {
        return switch (type) {
            case SIMPLE_STRING -> new RespSimpleString(line);
            case ERROR -> new RespError(line);
            case INTEGER -> new RespInteger(Long.parseLong(line));
            case NULL -> RespNull.INSTANCE;
            case BOOLEAN -> line.equals("t") ? RespBoolean.TRUE : RespBoolean.FALSE;
            case DOUBLE -> new RespDouble(line);
            case BIG_NUMBER -> new RespBigNumber(line);
            default -> throw new IllegalStateException("not a line type: " + type);
        };
    }

    private RespMessage blob(RespType type, int length) {
        RespMessage message = switch (type) {
            case BULK_STRING -> new RespBulkString(frame.retainedSlice(frame.readerIndex(), length));
            case BLOB_ERROR -> new RespBlobError(frame.retainedSlice(frame.readerIndex(), length));
            case VERBATIM_STRING ->
                new RespVerbatimString(
                        frame.toString(
                                frame.readerIndex(), RespVerbatimString.FORMAT_LENGTH, StandardCharsets.ISO_8859_1),
                        frame.retainedSlice(
                                frame.readerIndex() + RespVerbatimString.FORMAT_LENGTH + 1,
                                length - RespVerbatimString.FORMAT_LENGTH - 1));
            default -> throw new IllegalStateException("not a blob type: " + type);
        };
        frame.skipBytes(length + 2);
        return message;
    }

    private RespMessage aggregate(RespType type, long count) {
        long elements = type == RespType.MAP || type == RespType.ATTRIBUTE ? 2 * count : count;
        List<RespMessage> children = new ArrayList<>((int) Math.min(elements, MAX_PRESIZE));
        try {
            for (long i = 0; i < elements; i++) {
                children.add(value());
            }
            return switch (type) {
                case ARRAY -> new RespArray(children);
                case SET -> new RespSet(children);
                case PUSH -> new RespPush(children);
                case MAP -> new RespMap(children);
                case ATTRIBUTE -> new RespAttribute(children, value());
                default -> throw new IllegalStateException("not an aggregate type: " + type);
            };
        } catch (RuntimeException e) {
            children.forEach(ReferenceCountUtil::release);
            throw e;
        }
    }
}
