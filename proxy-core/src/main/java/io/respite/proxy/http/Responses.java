package io.respite.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/** The responses the HTTP API writes: a short text for every error, JSON for /lookup, raw values. */
final class Responses {

    static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    static final AsciiString JSON = AsciiString.cached("application/json; charset=utf-8");
    static final AsciiString OCTET_STREAM = AsciiString.cached("application/octet-stream");

    private Responses() {}

    /** {@code status} with {@code message} and a line end as a UTF-8 text body. */
    static FullHttpResponse text(HttpResponseStatus status, String message) {
        return body(status, TEXT, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
    }

    /** {@code status} with a JSON body. */
    static FullHttpResponse json(HttpResponseStatus status, byte[] json) {
        return body(status, JSON, Unpooled.wrappedBuffer(json));
    }

    /** {@code status} with {@code content} of {@code type}. Takes ownership of {@code content}. */
    static FullHttpResponse body(HttpResponseStatus status, CharSequence type, ByteBuf content) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    /** {@code status} with no body at all (201, 204, 304). */
    static FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        if (status.code() != 204 && status.code() != 304) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        }
        return response;
    }
}
