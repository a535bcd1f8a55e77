package io.respite.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A RESP3 blob error ({@code !21\r\nSYNTAX invalid syntax}), binary-safe.
 * Reference counted: it owns one reference to its content.
 */
public final class RespBlobError extends DefaultByteBufHolder implements RespMessage {

    /** Takes ownership of {@code content} (released when this message is). */
    public RespBlobError(ByteBuf content) {
        super(content);
    }

    /** A message over a copy of {@code text} in UTF-8, for replies built in code and for tests. */
    public static RespBlobError of(String text) {
        return new RespBlobError(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Override
    public RespType type() {
        return RespType.BLOB_ERROR;
    }

    @Override
    public RespBlobError replace(ByteBuf content) {
        return new RespBlobError(content);
    }

    @Override
    public RespBlobError retain() {
        super.retain();
        return this;
    }

    @Override
    public RespBlobError touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "RespBlobError[" + content().toString(StandardCharsets.UTF_8) + "]";
    }
}
