package io.respite.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A RESP3 verbatim string ({@code =15\r\ntxt:Some string}): a three-letter format ({@code txt},
 * {@code mkd}) and the text after the colon as content. Reference counted: it owns one reference
 * to its content.
 */
public final class RespVerbatimString extends DefaultByteBufHolder implements RespMessage {

    /** Length of the format prefix ({@code txt}) on the wire, not counting the colon. */
    public static final int FORMAT_LENGTH = 3;

    private final String format;

    /** Takes ownership of {@code content} (released when this message is). */
    public RespVerbatimString(String format, ByteBuf content) {
        super(content);
        this.format = Objects.requireNonNull(format, "format");
        if (format.length() != FORMAT_LENGTH) {
            content.release();
            throw new IllegalArgumentException("format: " + format + " (expected: exactly 3 characters)");
        }
    }

    /** A {@code txt} verbatim string over a UTF-8 copy of {@code text}. */
    public static RespVerbatimString of(String text) {
        return new RespVerbatimString("txt", Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    public String format() {
        return format;
    }

    @Override
    public RespType type() {
        return RespType.VERBATIM_STRING;
    }

    @Override
    public RespVerbatimString replace(ByteBuf content) {
        return new RespVerbatimString(format, content);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RespVerbatimString other && format.equals(other.format) && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * format.hashCode() + super.hashCode();
    }

    @Override
    public String toString() {
        return "RespVerbatimString[" + format + ":" + content().toString(StandardCharsets.UTF_8) + "]";
    }
}
