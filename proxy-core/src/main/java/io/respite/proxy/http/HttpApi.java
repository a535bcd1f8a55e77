package io.respite.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.Future;
import io.respite.proxy.config.HttpOptions;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP API's entry: sets up each accepted connection's pipeline, Netty's HTTP/1.1 codec and
 * an {@link HttpConnection}. Shared by every connection; immutable.
 */
public final class HttpApi {

    /** Longest request line: keys travel in it, so well above the 4 KiB browsers stay under. */
    private static final int MAX_REQUEST_LINE = 64 * 1024;

    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Body parts are handed on at most this large: a PUT's value arrives in parts this size or less. */
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final Routes routes;
    private final int initialDatabase;
    private final long headerTimeoutNanos;
    /** For connections accepted from now on: a configuration reload may change it. */
    private volatile long outputLimitBytes;

    private final RequestCounts counts = new RequestCounts();

    /**
     * @param password what clients must give (HTTP Basic or Bearer), or null when none is required
     * @param initialDatabase the database of a request that gives no {@code ?db=}
     * @param outputLimitBytes answers waiting unsent for one client beyond which it is disconnected
     *     (the hard {@code --client-output-limit}); 0 for none
     */
    public HttpApi(HttpOptions options, @Nullable String password, int initialDatabase, long outputLimitBytes) {
        this.routes = new Routes(options.maxBodyBytes(), password, initialDatabase);
        this.initialDatabase = initialDatabase;
        this.headerTimeoutNanos = options.headerTimeout().toNanos();
        this.outputLimitBytes = outputLimitBytes;
    }

    /** The hard output limit of HTTP connections accepted from now on; 0 for none. */
    public void outputLimit(long bytes) {
        this.outputLimitBytes = bytes;
    }

    /**
     * Has an HTTP connection stop taking requests and close once it has answered those it took;
     * returns its close future. For a shutdown that drains, from any thread.
     */
    public static Future<Void> quiesce(Channel channel) {
        HttpConnection connection = channel.pipeline().get(HttpConnection.class);
        if (connection != null) {
            channel.eventLoop().execute(connection::quiesce);
        }
        return channel.closeFuture();
    }

    /** Whether {@code channel} is a connection of the HTTP API. */
    public static boolean serves(Channel channel) {
        return channel.pipeline().get(HttpConnection.class) != null;
    }

    /** Requests answered by route and status, for the metrics. */
    public RequestCounts requestCounts() {
        return counts;
    }

    /**
     * Sets up an accepted connection, on its event loop.
     *
     * @param handlers makes the connection's client context in the command router
     * @param admission 0 when the client's rate admits one more request, else how long until it
     *     would; asked once per request
     * @param flusher the connection's loop's flusher
     */
    public void initChannel(
            Channel channel,
            Function<ReplySink, CommandHandler> handlers,
            LongSupplier admission,
            LoopFlusher flusher) {
        HttpConnection connection = new HttpConnection(
                routes, handlers, initialDatabase, admission, headerTimeoutNanos, outputLimitBytes, flusher, counts);
        channel.pipeline()
                .addLast(
                        connection.bytesSeen(),
                        new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                                .setMaxHeaderSize(MAX_HEADER_BYTES)
                                .setMaxChunkSize(MAX_CHUNK_BYTES)),
                        connection);
    }
}
