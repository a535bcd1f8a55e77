package io.respite.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.logging.RateLimitedLog;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One HTTP/1.1 connection: takes Netty's decoded requests in order, starts each through
 * {@link Routes}, and writes the answers in request order however they complete (pipelining),
 * keeping the connection open unless the client or an unread body says otherwise.
 *
 * <p>States: between requests (awaiting headers), reading a PUT's body into its
 * {@link Routes.Body}, skipping a body no route wants, or closing (no request is read any more;
 * the connection closes once every answer owed is written). A request whose headers are broken or
 * too long is answered (400, 414, 431) and closes the connection, as does a body over the limit
 * (413, before the body is read when its length is declared).
 *
 * <p>Slow clients: while no request is under way and no answer is owed, a timer of
 * {@code --http-header-timeout} runs until the next request's headers are complete; a client that
 * sent part of them by then gets 408, an idle one is closed quietly. While a body arrives, the same
 * timeout bounds each pause between its parts (408 too). Backpressure: with
 * {@value #MAX_PENDING} answers owed, or while the client does not read its answers, reading
 * stops.
 *
 * <p>On the channel's event loop; not thread-safe.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
    /** Disconnections at the output limit: a client can cause them at will. */
    private static final RateLimitedLog OUTPUT_LIMIT_LOG = new RateLimitedLog(LOG, Level.WARN, 10, TimeUnit.SECONDS);

    /** Answers owed at which reading stops. */
    static final int MAX_PENDING = 64;

    private final Routes routes;
    private final Function<ReplySink, CommandHandler> handlers;
    private final int initialDatabase;
    private final LongSupplier admission;
    private final long headerTimeoutNanos;
    /** Answers waiting unsent beyond which the client is cut off; 0 for no limit. */
    private final long outputLimitBytes;

    private final LoopFlusher flusher;
    private final RequestCounts counts;
    private final ArrayDeque<Exchange> exchanges = new ArrayDeque<>();

    /** Where the body of the request being read goes, or null. */
    private Routes.@Nullable Body body;
    /** The body of the request being read is not wanted: skipped to its end. */
    private boolean discarding;
    /** No request is read any more; the connection closes once every answer owed is written. */
    private boolean closing;
    /** The request being read asked to close the connection after its answer. */
    private boolean lastRequest;
    /** A route is starting a request: answers wait until it has, and the connection's fate is known. */
    private boolean starting;

    private @Nullable ScheduledFuture<?> headerTimer;
    /** Bytes arrived since the header timer was armed: a request had begun when it fired. */
    private boolean bytesSinceArmed;

    // Set in handlerAdded, before any other event.
    @SuppressWarnings("NullAway.Init")
    private ChannelHandlerContext ctx;

    @SuppressWarnings("NullAway.Init")
    private CommandBridge bridge;

    @SuppressWarnings("NullAway.Init")
    private LoopFlusher.Target flush;

    /**
     * @param handlers makes the connection's client context in the router
     * @param admission 0 when the client's rate admits one more request, else how long until it would
     */
    HttpConnection(
            Routes routes,
            Function<ReplySink, CommandHandler> handlers,
            int initialDatabase,
            LongSupplier admission,
            long headerTimeoutNanos,
            long outputLimitBytes,
            LoopFlusher flusher,
            RequestCounts counts) {
        this.routes = routes;
        this.handlers = handlers;
        this.initialDatabase = initialDatabase;
        this.admission = admission;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.outputLimitBytes = outputLimitBytes;
        this.flusher = flusher;
        this.counts = counts;
    }

    /** A handler to place ahead of the HTTP codec: it tells this connection when bytes arrive. */
    ChannelHandler bytesSeen() {
        return new ChannelInboundHandlerAdapter() {
            /** Passes {@code msg} on, with its ownership. */
            @Override
            public void channelRead(ChannelHandlerContext context, Object msg) {
                bytesSinceArmed = true;
                context.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flush = flusher.target(ctx.channel());
        this.bridge = new CommandBridge(ctx.channel(), handlers, initialDatabase, ctx::close);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armHeaderTimer();
        ctx.fireChannelActive();
    }

    /** Takes ownership of {@code msg}: an {@link HttpRequest} or an {@link HttpContent}, released here. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return;
            }
            if (msg instanceof HttpRequest request) {
                request(request);
            }
            if (msg instanceof HttpContent content && !closing) {
                content(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void request(HttpRequest request) {
        cancelHeaderTimer();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Exchange exchange = new Exchange(this, request.method(), keepAlive, counts);
        exchanges.add(exchange);
        if (exchanges.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
        if (request.decoderResult().isFailure()) {
            closing = true;
            exchange.respond(
                    Responses.text(malformedStatus(request.decoderResult().cause()), "malformed request"));
            return;
        }
        lastRequest = !keepAlive;
        // Answers given while the route starts wait: whether the connection stays open is known only after.
        starting = true;
        Routes.Body wanted;
        try {
            wanted = routes.begin(request, exchange, bridge, ctx.alloc(), admission);
        } finally {
            starting = false;
        }
        if (exchange.closesConnection()) {
            closing = true;
        } else if (wanted != null) {
            body = wanted;
            if (HttpUtil.is100ContinueExpected(request)) {
                // The interim answer goes out in order: after the answers still owed ahead of it.
                // The body's timer starts with it: until then the client waits, rightly.
                exchange.continueOwed();
            } else {
                armBodyTimer();
            }
        } else if (HttpUtil.is100ContinueExpected(request)) {
            // Answered without its body, which the client may or may not send now: the
            // connection cannot tell its next request from that body, so it ends here.
            closing = true;
        } else {
            discarding = true;
        }
        writeAnswered();
    }

    /** Borrows {@code content}. */
    private void content(HttpContent content) {
        Routes.Body wanted = body;
        if (content.decoderResult().isFailure()) {
            // A body Netty could not decode (a broken chunk): what arrived is not the value the
            // client meant, and the stream cannot be followed any further.
            body = null;
            discarding = false;
            closing = true;
            if (wanted != null) {
                wanted.discard();
            }
            Exchange last = exchanges.peekLast();
            if (last != null && !last.answered()) {
                last.closeConnection();
                last.respond(Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request body"));
            } else {
                closeIfDone();
            }
            return;
        }
        if (wanted != null) {
            if (!wanted.append(content.content().retain())) {
                body = null;
                closing = true;
                return;
            }
            if (content instanceof LastHttpContent) {
                body = null;
                cancelHeaderTimer();
                wanted.complete();
                requestRead();
            } else {
                armBodyTimer();
            }
        } else if (content instanceof LastHttpContent) {
            discarding = false;
            requestRead();
        }
    }

    /**
     * Stops taking requests, for a shutdown: the request being read (its body still arriving) and
     * those already read are answered, then the connection closes. On the channel's loop.
     */
    void quiesce() {
        if (body == null && !discarding) {
            closing = true;
            closeIfDone();
        } else {
            lastRequest = true;
        }
    }

    /** The current request has been read whole. */
    private void requestRead() {
        if (lastRequest) {
            closing = true;
            closeIfDone();
        } else {
            armIfIdle();
        }
    }

    /** An exchange has its answer: writes every answer now due, in order. */
    void answered(Exchange exchange) {
        if (!ctx.channel().isActive()) {
            FullHttpResponse lost = exchange.take();
            if (lost != null) {
                lost.release();
            }
            return;
        }
        if (!starting) {
            writeAnswered();
        }
    }

    /** Writes every answer now due, in order, closing the connection after the last one owed if it is closing. */
    private void writeAnswered() {
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean wrote = false;
        while (!exchanges.isEmpty() && exchanges.peek().answered()) {
            Exchange done = exchanges.poll();
            FullHttpResponse response = done.take();
            if (response == null) {
                continue;
            }
            boolean last = !done.keepAlive() || done.closesConnection() || (closing && exchanges.isEmpty());
            if (last) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                closing = true;
                return;
            }
            ctx.write(response);
            wrote = true;
            if (overOutputLimit()) {
                return;
            }
        }
        if (wrote) {
            flush.flushLater();
        }
        Exchange head = exchanges.peek();
        if (head != null && head.takeContinueOwed()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            if (body != null) {
                armBodyTimer();
            }
        }
        if (exchanges.size() < MAX_PENDING / 2 && ctx.channel().isWritable() && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
        armIfIdle();
    }

    /**
     * Whether the answers waiting unsent went over the client's output limit, as Redis's
     * {@code client-output-buffer-limit} (reading stops at {@value #MAX_PENDING} answers owed, but
     * a few large values asked for together can still pile up): the client is disconnected.
     */
    private boolean overOutputLimit() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (outputLimitBytes == 0 || out == null || out.totalPendingWriteBytes() <= outputLimitBytes) {
            return false;
        }
        OUTPUT_LIMIT_LOG.log(bridge.describe() + ": closed for its output limit (" + out.totalPendingWriteBytes()
                + " bytes of answers unread; see --client-output-limit)");
        closing = true;
        ctx.close();
        return true;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!closing) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable() && exchanges.size() < MAX_PENDING);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHeaderTimer();
        Routes.Body unread = body;
        body = null;
        if (unread != null) {
            unread.discard();
        }
        for (Exchange exchange : exchanges) {
            FullHttpResponse response = exchange.take();
            if (response != null) {
                response.release();
            }
        }
        exchanges.clear();
        bridge.handler().closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug(bridge.describe() + ": closing after an error", cause);
        ctx.close();
    }

    /** Closes once nothing is owed, after what was written is flushed (a flush may still be pending). */
    private void closeIfDone() {
        if (closing && exchanges.isEmpty()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Arms the header timer when the connection is between requests with nothing owed. */
    private void armIfIdle() {
        if (!closing && body == null && !discarding && exchanges.isEmpty() && headerTimer == null) {
            armHeaderTimer();
        }
    }

    private void armHeaderTimer() {
        bytesSinceArmed = false;
        headerTimer = ctx.executor().schedule(this::headerTimeout, headerTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * (Re)starts the timer while a body arrives: a pause longer than the header timeout between
     * two parts of it ends the request with 408, as slow headers do.
     */
    private void armBodyTimer() {
        cancelHeaderTimer();
        headerTimer = ctx.executor().schedule(this::bodyTimeout, headerTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** A body stalled: its request is answered 408 in its place in the order, and the connection ends. */
    private void bodyTimeout() {
        headerTimer = null;
        Routes.Body wanted = body;
        if (wanted == null || closing || !ctx.channel().isActive()) {
            return;
        }
        body = null;
        closing = true;
        wanted.discard();
        Exchange last = exchanges.peekLast();
        if (last != null && !last.answered()) {
            last.closeConnection();
            last.respond(Responses.text(HttpResponseStatus.REQUEST_TIMEOUT, "request body timeout"));
        } else {
            closeIfDone();
        }
    }

    private void cancelHeaderTimer() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    /** No request's headers came in time: 408 for a client that had begun one, a quiet close for an idle one. */
    private void headerTimeout() {
        headerTimer = null;
        if (!ctx.channel().isActive() || closing) {
            return;
        }
        closing = true;
        if (!bytesSinceArmed) {
            ctx.close();
            return;
        }
        FullHttpResponse timeout = Responses.text(HttpResponseStatus.REQUEST_TIMEOUT, "request header timeout");
        timeout.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // No request was decoded, so no exchange counts it: the metrics count it here.
        counts.count(RequestCounts.NONE, HttpResponseStatus.REQUEST_TIMEOUT.code());
        ctx.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
    }

    private static HttpResponseStatus malformedStatus(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }
}
