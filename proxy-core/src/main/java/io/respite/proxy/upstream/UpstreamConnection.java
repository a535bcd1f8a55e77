package io.respite.proxy.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.respite.proxy.eventloop.LoopFlusher;
import io.respite.resp.RespCommand;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespFrameDecoder;
import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One pipelined connection to the upstream Redis, shared by every session of one event loop and
 * one protocol version. Commands are written as they come and flushed once per loop iteration;
 * replies are matched to callbacks in FIFO order, which is how Redis answers a pipeline.
 *
 * <p>Life cycle: {@code CONNECTING} (commands wait, up to {@link UpstreamSettings#MAX_WAITING_COMMANDS},
 * while TCP connects and the handshake, AUTH or HELLO and SELECT, is answered) → {@code READY}
 * once every handshake reply was a success → on any failure {@code DOWN}: every pending command fails with the
 * reason, new commands fail at once, and a reconnection is scheduled with exponential backoff
 * ({@value UpstreamSettings#MIN_BACKOFF_MILLIS} ms doubling to {@value UpstreamSettings#MAX_BACKOFF_MILLIS}
 * ms). {@code CLOSED} is final.
 *
 * <p>Timeouts (shared connections only): a command whose reply has not arrived within the timeout breaks the connection
 * (a FIFO cannot skip a reply), failing it and everything behind it; a timer checks the oldest
 * pending command four times per timeout period.
 *
 * <p>The database: the connection tracks which database its next command runs in and writes a
 * {@code SELECT} before a command for another one, whose reply it consumes itself.
 *
 * <p>Dedicated use ({@link DedicatedConnection}): with a loss callback the connection belongs to
 * one session. It does not reconnect (the callback is told instead), and frames no callback is
 * waiting for go to the frame consumer rather than breaking the connection.
 *
 * <p>Threading: every method runs on {@link #loop}; nothing here is thread-safe.
 */
final class UpstreamConnection implements DedicatedConnection {

    private static final Logger LOG = Logger.getLogger(UpstreamConnection.class.getName());

    private enum State {
        CONNECTING,
        READY,
        DOWN,
        CLOSED
    }

    /** A command that arrived while connecting. */
    private record Waiting(int database, ByteBuf frame, ReplyCallback callback) {
    }

    private final EventLoop loop;
    private final UpstreamSettings settings;
    private final RespVersion version;
    private final LoopFlusher flusher;
    private final Consumer<ByteBuf> unsolicited;
    private final Consumer<Boolean> onReady;
    /** Whether this connection has been ready before: the next ready is then a recovery. */
    private boolean everReady;
    /** For a dedicated connection, told once when it breaks; null for a shared, reconnecting one. */
    private Consumer<String> onLost;
    private final ArrayDeque<ReplyCallback> callbacks = new ArrayDeque<>();
    /** Send time of each callback's command, in System.nanoTime() units, in the same order. */
    private final LongArrayFIFOQueue sentNanos = new LongArrayFIFOQueue();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    private State state = State.DOWN;
    private Channel channel;
    private LoopFlusher.Target flushTarget;
    private int selectedDatabase;
    private long backoffMillis = UpstreamSettings.MIN_BACKOFF_MILLIS;
    /** Why the connection is down: what commands fail with meanwhile. */
    private String failure = "not connected yet";
    /** Why the current channel is being closed, set before closing it; null while all is well. */
    private String breakReason;
    private ScheduledFuture<?> timeoutCheck;
    /** Handshake commands not answered yet; the connection is ready when none remain. */
    private int handshakePending;

    /**
     * @param unsolicited receives frames that answer no command (taking ownership): RESP3 pushes,
     *     and on a dedicated connection anything no callback waits for
     * @param onReady runs each time the connection becomes ready, told whether it is a recovery
     *     (the connection had been ready before and failed in between)
     * @param onLost for a dedicated connection, told once (with the reason) when it breaks; null
     *     for a shared connection, which reconnects instead
     */
    UpstreamConnection(EventLoop loop, LoopFlusher flusher, UpstreamSettings settings, RespVersion version,
            Consumer<ByteBuf> unsolicited, Consumer<Boolean> onReady, Consumer<String> onLost) {
        this.loop = loop;
        this.flusher = flusher;
        this.settings = settings;
        this.version = version;
        this.unsolicited = unsolicited;
        this.onReady = onReady;
        this.onLost = onLost;
    }

    /** Starts connecting; must be called on the loop. */
    void connect() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CONNECTING;
        breakReason = null;
        ChannelFuture future = new Bootstrap().group(loop).channel(settings.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new RespFrameDecoder(settings.limits()), new Events(ch));
                    }
                })
                .connect(settings.host(), settings.port());
        channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                down(describe(f.cause()));
            }
        });
    }

    /** Sends a command; see {@link UpstreamLane#send}. Takes ownership of {@code frame}. */
    @Override
    public void send(int database, ByteBuf frame, ReplyCallback callback) {
        switch (state) {
            case READY -> write(database, frame, callback);
            case CONNECTING -> {
                if (waiting.size() >= UpstreamSettings.MAX_WAITING_COMMANDS) {
                    frame.release();
                    if (callback != null) {
                        callback.onFailure(error("too many commands waiting for the connection"));
                    }
                } else {
                    waiting.add(new Waiting(database, frame, callback));
                }
            }
            default -> {
                frame.release();
                if (callback != null) {
                    callback.onFailure(error(failure));
                }
            }
        }
    }

    @Override
    public void sendWithoutReply(int database, ByteBuf frame) {
        send(database, frame, null);
    }

    /** Writes a command; a null callback means its replies go to the frame consumer. */
    private void write(int database, ByteBuf frame, ReplyCallback callback) {
        if (database != selectedDatabase) {
            writeInternal(RespCommand.of("SELECT", Integer.toString(database)), "SELECT " + database, null);
            selectedDatabase = database;
        }
        if (callback != null) {
            callbacks.add(callback);
            sentNanos.enqueue(System.nanoTime());
        }
        channel.write(frame, channel.voidPromise());
        flushTarget.flushLater();
    }

    /**
     * Writes a command of the connection's own whose reply must not be an error (an error breaks
     * the connection); {@code onSuccess}, if any, runs when it succeeded.
     */
    private void writeInternal(RespCommand command, String what, Runnable onSuccess) {
        ByteBuf frame = command.frame().retain();
        command.release();
        callbacks.add(new ReplyCallback() {
            @Override
            public void onReply(ByteBuf reply) {
                boolean error = reply.isReadable() && (reply.getByte(reply.readerIndex()) == '-'
                        || reply.getByte(reply.readerIndex()) == '!');
                String text = error ? reply.toString(reply.readerIndex() + 1, reply.readableBytes() - 3,
                        StandardCharsets.UTF_8) : null;
                reply.release();
                if (error) {
                    breakConnection(what + " failed: " + text);
                } else if (onSuccess != null) {
                    onSuccess.run();
                }
            }

            @Override
            public void onFailure(String error) {
                // The connection is already failing; the clients' commands report it.
            }
        });
        sentNanos.enqueue(System.nanoTime());
        channel.write(frame, channel.voidPromise());
    }

    /** TCP is up: write the handshake; the connection is ready when it has been answered. */
    private void connected(Channel ch) {
        flushTarget = flusher.target(ch);
        selectedDatabase = 0;
        handshakePending = 0;
        if (onLost == null) {
            // Shared connections only: a dedicated one may rightly wait forever (BLPOP key 0).
            long periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), settings.timeout().toNanos() / 4);
            timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeout, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
        if (version == RespVersion.RESP3) {
            List<String> hello = new ArrayList<>(List.of("HELLO", "3"));
            if (settings.password() != null) {
                hello.addAll(List.of("AUTH", settings.username() == null ? "default" : settings.username(),
                        settings.password()));
            }
            handshake(RespCommand.of(hello.toArray(String[]::new)), "HELLO 3");
        } else if (settings.password() != null) {
            handshake(settings.username() == null ? RespCommand.of("AUTH", settings.password())
                    : RespCommand.of("AUTH", settings.username(), settings.password()), "AUTH");
        }
        if (settings.database() != 0) {
            handshake(RespCommand.of("SELECT", Integer.toString(settings.database())), "SELECT " + settings.database());
            selectedDatabase = settings.database();
        }
        if (handshakePending == 0) {
            ready();
        } else {
            flushTarget.flushLater();
        }
    }

    private void handshake(RespCommand command, String what) {
        handshakePending++;
        writeInternal(command, what, () -> {
            if (--handshakePending == 0) {
                ready();
            }
        });
    }

    /** The handshake succeeded: the commands that waited go out, in order. */
    private void ready() {
        state = State.READY;
        for (Waiting w; (w = waiting.poll()) != null;) {
            write(w.database(), w.frame(), w.callback());
        }
        boolean recovered = everReady;
        everReady = true;
        onReady.accept(recovered);
    }

    private void checkTimeout() {
        if (!sentNanos.isEmpty() && System.nanoTime() - sentNanos.firstLong() > settings.timeout().toNanos()) {
            breakConnection("timeout after " + settings.timeout().toMillis() + " ms");
        }
    }

    private void breakConnection(String reason) {
        if (breakReason == null) {
            breakReason = reason;
        }
        channel.close();
    }

    private void reply(ByteBuf frame) {
        boolean push = version == RespVersion.RESP3 && frame.getByte(frame.readerIndex()) == '>';
        if (push || (onLost != null && callbacks.isEmpty())) {
            unsolicited.accept(frame);
            return;
        }
        ReplyCallback callback = callbacks.poll();
        if (callback == null) {
            frame.release();
            breakConnection("a reply arrived that no command was waiting for");
            return;
        }
        sentNanos.dequeueLong();
        callback.onReply(frame);
    }

    /** The connection is gone: fail everything pending and try again later. */
    private void down(String reason) {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
        boolean wasReady = state == State.READY;
        if (state != State.CLOSED) {
            state = State.DOWN;
        }
        failure = breakReason != null ? breakReason : reason;
        breakReason = null;
        String error = error(failure);
        sentNanos.clear();
        for (ReplyCallback callback; (callback = callbacks.poll()) != null;) {
            callback.onFailure(error);
        }
        for (Waiting w; (w = waiting.poll()) != null;) {
            w.frame().release();
            if (w.callback() != null) {
                w.callback().onFailure(error);
            }
        }
        if (onLost != null) {
            boolean asked = state == State.CLOSED;
            state = State.CLOSED;
            Consumer<String> lost = onLost;
            onLost = null;
            if (!asked) {
                lost.accept(error);
            }
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        if (wasReady) {
            LOG.log(Level.WARNING, "upstream {0} ({1}): connection lost ({2}); reconnecting",
                    new Object[] {settings.address(), version, failure});
        } else if (backoffMillis == UpstreamSettings.MIN_BACKOFF_MILLIS) {
            LOG.log(Level.WARNING, "upstream {0} ({1}) unavailable: {2}; retrying",
                    new Object[] {settings.address(), version, failure});
        }
        long delay = wasReady ? UpstreamSettings.MIN_BACKOFF_MILLIS : backoffMillis;
        backoffMillis = Math.min(UpstreamSettings.MAX_BACKOFF_MILLIS, delay * 2);
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Fails everything pending and stops for good. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        State previous = state;
        state = State.CLOSED;
        breakReason = "respite is shutting down";
        if (previous == State.READY || previous == State.CONNECTING) {
            channel.close();
        } else {
            down(breakReason);
        }
    }

    private static String error(String reason) {
        return "ERR upstream unavailable (" + reason + ")";
    }

    private String describe(Throwable cause) {
        if (cause instanceof ConnectException) {
            return "connection refused by " + settings.address();
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Events of one channel; events of a channel that is no longer current are ignored. */
    private final class Events extends ChannelInboundHandlerAdapter {

        private final Channel ch;

        Events(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ch != channel || state == State.CLOSED) {
                ctx.close();
                return;
            }
            backoffMillis = UpstreamSettings.MIN_BACKOFF_MILLIS;
            LOG.log(Level.INFO, "upstream {0} ({1}) connected from {2}",
                    new Object[] {settings.address(), version, ch.localAddress()});
            connected(ch);
        }

        /** Takes ownership of {@code msg}, a reply frame. */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ch != channel) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            reply((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ch == channel) {
                down("connection closed by " + settings.address());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ch == channel && breakReason == null) {
                breakReason = describe(cause);
            }
            ctx.close();
        }
    }
}
