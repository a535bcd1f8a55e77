package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.respite.resp.RespAggregate;
import io.respite.resp.RespAttribute;
import io.respite.resp.RespBigNumber;
import io.respite.resp.RespBoolean;
import io.respite.resp.RespDouble;
import io.respite.resp.RespError;
import io.respite.resp.RespInteger;
import io.respite.resp.RespMessage;
import io.respite.resp.RespSimpleString;
import io.respite.resp.RespType;
import io.respite.resp.RespVerbatimString;
import io.respite.resp.internal.RespBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes {@link RespMessage}s in wire form. {@link #write(RespMessage, ByteBuf)} copies
 * everything into one buffer; {@link RespEncoder} uses the same traversal but hands large blob
 * contents on as retained slices instead of copying them.
 */
public final class RespWriter {

    private final @Nullable ByteBufAllocator alloc;
    /** Where finished parts go in zero-copy mode; null in copy mode. */
    private final @Nullable List<Object> parts;

    private final int zeroCopyThresholdBytes;
    private ByteBuf current;

    private RespWriter(
            ByteBuf current,
            @Nullable ByteBufAllocator alloc,
            @Nullable List<Object> parts,
            int zeroCopyThresholdBytes) {
        this.current = current;
        this.alloc = alloc;
        this.parts = parts;
        this.zeroCopyThresholdBytes = zeroCopyThresholdBytes;
    }

    /**
     * Writes {@code <marker><value>\r\n}: the header of a bulk string or an aggregate of
     * {@code type}, or a whole integer reply. Borrows {@code out} (caller keeps ownership).
     */
    public static void writeHeader(ByteBuf out, RespType type, long value) {
        RespBytes.writeHeader(out, type.marker(), value);
    }

    /** Writes {@code value} as a bulk string. Borrows {@code out} (caller keeps ownership). */
    public static void writeBulk(ByteBuf out, byte[] value) {
        RespBytes.writeHeader(out, RespType.BULK_STRING.marker(), value.length);
        out.writeBytes(value).writeShort(RespBytes.CRLF_SHORT);
    }

    /** Writes {@code message} into {@code out}. Borrows both (callers keep ownership). */
    public static void write(RespMessage message, ByteBuf out) {
        new RespWriter(out, null, null, Integer.MAX_VALUE).value(message);
    }

    /**
     * Writes {@code message} as buffers appended to {@code parts}: header bytes in buffers from
     * {@code alloc}, blob contents of at least {@code zeroCopyThresholdBytes} as retained slices.
     * Borrows {@code message}; every buffer added to {@code parts} is a new reference the caller
     * must release (or write).
     */
    static void writeParts(
            RespMessage message, ByteBufAllocator alloc, List<Object> parts, int zeroCopyThresholdBytes) {
        RespWriter writer = new RespWriter(alloc.ioBuffer(64), alloc, parts, zeroCopyThresholdBytes);
        try {
            writer.value(message);
        } catch (RuntimeException e) {
            writer.current.release();
            throw e;
        }
        parts.add(writer.current);
    }

    private void value(RespMessage message) {
        switch (message.type()) {
            case SIMPLE_STRING -> line(RespType.SIMPLE_STRING, ((RespSimpleString) message).value());
            case ERROR -> line(RespType.ERROR, ((RespError) message).message());
            case INTEGER -> RespBytes.writeHeader(current, RespType.INTEGER.marker(), ((RespInteger) message).value());
            case NULL -> line(RespType.NULL, "");
            case BOOLEAN -> line(RespType.BOOLEAN, ((RespBoolean) message).value() ? "t" : "f");
            case DOUBLE -> line(RespType.DOUBLE, ((RespDouble) message).text());
            case BIG_NUMBER -> line(RespType.BIG_NUMBER, ((RespBigNumber) message).digits());
            case BULK_STRING, BLOB_ERROR, VERBATIM_STRING -> blob(message);
            case ARRAY, SET, PUSH, MAP, ATTRIBUTE -> aggregate(message);
            default -> throw new IllegalArgumentException("unknown type " + message.type());
        }
    }

    private void line(RespType type, String text) {
        current.writeByte(type.marker());
        current.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        current.writeShort(RespBytes.CRLF_SHORT);
    }

    private void blob(RespMessage message) {
        if (!(message instanceof ByteBufHolder holder)) {
            // The RESP2 null bulk string: its type is BULK_STRING but it holds nothing.
            RespBytes.writeHeader(current, RespType.BULK_STRING.marker(), -1);
            return;
        }
        ByteBuf content = holder.content();
        int length = content.readableBytes();
        if (message instanceof RespVerbatimString verbatim) {
            RespBytes.writeHeader(
                    current, RespType.VERBATIM_STRING.marker(), length + RespVerbatimString.FORMAT_LENGTH + 1);
            current.writeCharSequence(verbatim.format(), StandardCharsets.ISO_8859_1);
            current.writeByte(':');
        } else {
            RespBytes.writeHeader(current, message.type().marker(), length);
        }
        if (parts != null && alloc != null && length >= zeroCopyThresholdBytes) {
            parts.add(current);
            parts.add(content.retainedSlice());
            current = alloc.ioBuffer(64);
        } else {
            current.writeBytes(content, content.readerIndex(), length);
        }
        current.writeShort(RespBytes.CRLF_SHORT);
    }

    private void aggregate(RespMessage message) {
        if (!(message instanceof RespAggregate aggregate)) {
            // The RESP2 null array.
            RespBytes.writeHeader(current, RespType.ARRAY.marker(), -1);
            return;
        }
        List<RespMessage> elements = aggregate.elements();
        boolean pairs = message.type() == RespType.MAP || message.type() == RespType.ATTRIBUTE;
        RespBytes.writeHeader(current, message.type().marker(), pairs ? elements.size() / 2 : elements.size());
        for (RespMessage element : elements) {
            value(element);
        }
        if (message instanceof RespAttribute attribute) {
            value(attribute.value());
        }
    }
}
