package io.respite.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Answers one admin request at a time, in order, from {@link AdminSources} and the dashboard's
 * files. GET and HEAD only; a request Netty could not decode is answered 400 and closes.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final AdminSources sources;
    private final DashboardFiles files;

    AdminHandler(AdminSources sources, DashboardFiles files) {
        this.sources = sources;
        this.files = files;
    }

    /** Borrows {@code request} (released by the superclass). */
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            response = text(HttpResponseStatus.BAD_REQUEST, "malformed request");
            keepAlive = false;
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else {
            response = route(new QueryStringDecoder(request.uri()).path());
        }
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (request.method().equals(HttpMethod.HEAD)) {
            int length = response.content().readableBytes();
            response = response.replace(Unpooled.EMPTY_BUFFER);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse route(String path) {
        return switch (path) {
            case "/health" -> text(HttpResponseStatus.OK, "ok");
            case "/ready" -> ready();
            case "/metrics" ->
                body(
                        sources.metricsType(),
                        Unpooled.wrappedBuffer(sources.metrics().get()));
            case "/stats" ->
                body(
                        "application/json; charset=utf-8",
                        Unpooled.wrappedBuffer(sources.stats().get()));
            default -> {
                DashboardFiles.File file = files.get(path);
                yield file == null
                        ? text(HttpResponseStatus.NOT_FOUND, "no such route: see /, /health, /ready, /metrics, /stats")
                        : body(file.type(), Unpooled.wrappedBuffer(file.bytes()));
            }
        };
    }

    private FullHttpResponse ready() {
        String notReady = sources.notReady().get();
        return notReady == null
                ? text(HttpResponseStatus.OK, "ready")
                : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + notReady);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }

    /** 200 with {@code content} (taking ownership) of {@code type}. */
    private static FullHttpResponse body(String type, ByteBuf content) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }
}
