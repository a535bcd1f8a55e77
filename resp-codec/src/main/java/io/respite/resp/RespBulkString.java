package io.respite.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A bulk string ({@code $5\r\nhello}), binary-safe.
 * Reference counted: it owns one reference to its content.
 */
public final class RespBulkString extends DefaultByteBufHolder implements RespMessage {

    /** Takes ownership of {@code content} (released when this message is). */
    public RespBulkString(ByteBuf content) {
        super(content);
    }

    /** A message over a copy of {@code text} in UTF-8, for replies built in code and for tests. */
    public static RespBulkString of(String text) {
        return new RespBulkString(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Override
    public RespType type() {
        return RespType.BULK_STRING;
    }

    @Override
    public RespBulkString replace(ByteBuf content) {
        return new RespBulkString(content);
    }

    @Override
    public RespBulkString retain() {
        super.retain();
        return this;
    }

    @Override
    public RespBulkString touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "RespBulkString[" + content().toString(StandardCharsets.UTF_8) + "]";
    }
}
