package io.respite.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.respite.proxy.cache.CacheStats;
import io.respite.proxy.cache.CacheSweeper;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.command.CommandTable;
import io.respite.proxy.config.ClientOutputLimit;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.dispatch.Catalog;
import io.respite.proxy.dispatch.CommandDispatcher;
import io.respite.proxy.dispatch.DispatchPolicy;
import io.respite.proxy.session.ClientSession;
import io.respite.proxy.session.OutputLimits;
import io.respite.proxy.upstream.ReplyCallback;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UpstreamSettings;
import io.respite.resp.RespCommand;
import io.respite.resp.RespLimits;
import io.respite.resp.RespMessage;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespReplyDecoder;
import io.respite.resp.codec.RespRequestDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The proxy server: listens for clients, gives each a {@link ClientSession} on a worker loop, and
 * owns the cache, the upstream and the loops.
 *
 * <p>{@link #start()} binds or fails with {@code IllegalStateException}; it does not wait for the
 * upstream, which is connected in the background (commands fail promptly until it answers).
 * {@link #stop()} is idempotent and runs in a fixed order: stop accepting → stop reading from
 * clients → wait for in-flight replies, up to the drain timeout → close client connections →
 * close the upstream and the sweeper → shut down the event loops.
 */
public final class ProxyServer {

    private static final Logger LOG = Logger.getLogger(ProxyServer.class.getName());

    /** Redis's reply to a connection beyond maxclients. */
    private static final byte[] MAX_CLIENTS_REACHED =
            "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Longest key, in bytes, for which a value of the full --max-entry-size still fits the cache's
     * per-entry limit (which charges key, reply and overhead); longer keys cache smaller values.
     */
    private static final int MAX_CACHED_KEY_BYTES = 16 * 1024;
    /** Most bytes a bulk reply adds around its value: {@code $<length>\r\n} and the final CRLF. */
    private static final int REPLY_FRAMING_BYTES = 32;

    private final ProxyConfig config;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>();
    private final AtomicBoolean catalogLoading = new AtomicBoolean();
    private final AtomicInteger clientCount = new AtomicInteger();
    private final ChannelGroup clients = new DefaultChannelGroup("respite-clients", GlobalEventExecutor.INSTANCE);
    private final StripedLruCache cache;
    private final OutputLimits outputLimits;

    private ProxyResources resources;
    private UpstreamPool upstream;
    private CacheSweeper sweeper;
    private Channel serverChannel;

    public ProxyServer(ProxyConfig config) {
        this.config = config;
        this.cache = StripedLruCache.builder()
                .maxEntries(config.capacityEntries())
                .maxBytes(config.maxMemoryBytes())
                .maxEntryBytes(Math.min(config.maxMemoryBytes(), config.maxEntrySizeBytes()
                        + MAX_CACHED_KEY_BYTES + REPLY_FRAMING_BYTES + StripedLruCache.ENTRY_OVERHEAD_BYTES))
                .defaultTtlNanos(config.ttl().toNanos())
                .build();
        ClientOutputLimit limit = config.clientOutputLimit();
        this.outputLimits = new OutputLimits(limit.hardBytes(), limit.softBytes(), limit.softDuration().toNanos());
    }

    /**
     * Binds the listening socket and starts connecting upstream.
     *
     * @throws IllegalStateException when already started, or when the port cannot be bound
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("already started");
        }
        resources = new ProxyResources(config.ioThreads());
        UpstreamSettings settings = new UpstreamSettings(config.upstream().host(), config.upstream().port(),
                config.upstream().username(), config.upstream().password(), config.upstream().database(),
                config.timeout(), RespLimits.DEFAULT, resources.channelType, config.maxPinned());
        upstream = new UpstreamPool(resources.workers, resources.flushers, settings, this::upstreamReady);
        sweeper = CacheSweeper.start(cache, resources.workers.next());
        CommandDispatcher dispatcher = new CommandDispatcher(cache, catalog, new DispatchPolicy(config.requirepass(),
                config.maxEntrySizeBytes(), config.upstream().database(), config.deniedCommands(),
                config.upstream().password() != null));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(resources.acceptor, resources.workers)
                .channel(resources.serverChannelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch, dispatcher);
                    }
                });
        try {
            serverChannel = bootstrap.bind(config.bind(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the bind error (a checked IOException) undeclared: catch everything.
            closeEverything();
            throw new IllegalStateException(String.format("Failed to bind port %d on %s: %s", config.port(),
                    config.bind(), e.getMessage()), e);
        }
        LOG.log(Level.INFO, "respite listening on {0} ({1}, {2} io threads), upstream {3}",
                new Object[] {address(), resources.transport, config.ioThreads(), config.upstream()});
        reportMemory();
    }

    /** Says how much memory the JVM has, and warns when the heap is too small for --max-memory. */
    private void reportMemory() {
        long mb = 1024 * 1024;
        long heapMb = Runtime.getRuntime().maxMemory() / mb;
        long neededMb = JvmSizing.heapMegabytes(config.maxMemoryBytes());
        LOG.log(Level.INFO, "memory: heap up to {0} MB, direct (network buffers) up to {1} MB, cache up to {2} MB "
                + "(--max-memory)", new Object[] {heapMb, PlatformDependent.maxDirectMemory() / mb,
                    config.maxMemoryBytes() / mb});
        if (heapMb < neededMb * 9 / 10) {
            LOG.log(Level.WARNING, "the heap ({0} MB) is smaller than --max-memory needs ({1} MB): start respite with "
                    + "scripts/respite, or give the JVM -Xmx{1}m", new Object[] {heapMb, neededMb});
        }
    }

    private void accept(SocketChannel ch, CommandDispatcher dispatcher) {
        if (clientCount.incrementAndGet() > config.maxClients()) {
            clientCount.decrementAndGet();
            ch.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS_REACHED)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ch.closeFuture().addListener(f -> clientCount.decrementAndGet());
        EventLoop loop = ch.eventLoop();
        ch.pipeline().addLast(new RespRequestDecoder(RespLimits.DEFAULT).requireAuthentication(config.requirepass() != null),
                new ClientSession(dispatcher, upstream.lane(loop), resources.flushers.get(loop),
                        config.requirepass() == null, config.upstream().database(), outputLimits));
        clients.add(ch);
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Counters of the local cache. */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /**
     * An upstream connection became ready. After a failure, whatever changed upstream meanwhile was
     * not seen, so the cache starts over; and the catalog is (re)loaded, since the upstream may
     * have been replaced by another version.
     */
    private void upstreamReady(UpstreamLane lane, boolean recovered) {
        if (recovered) {
            cache.invalidateAll();
        }
        if (!catalogLoading.compareAndSet(false, true)) {
            return;
        }
        CatalogLoad load = new CatalogLoad();
        lane.send(0, RespVersion.RESP2, frame("COMMAND"), load.part(0));
        lane.send(0, RespVersion.RESP2, frame("INFO", "server"), load.part(1));
        lane.send(0, RespVersion.RESP2, frame("CONFIG", "GET", "databases"), load.part(2));
    }

    /** Collects the three replies the catalog is built from; all arrive on one loop. */
    private final class CatalogLoad {

        private final RespMessage[] replies = new RespMessage[3];
        private int outstanding = replies.length;
        private boolean failed;

        ReplyCallback part(int index) {
            return new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    try {
                        replies[index] = RespReplyDecoder.parseFrame(frame);
                    } finally {
                        frame.release();
                    }
                    arrived();
                }

                @Override
                public void onFailure(String error) {
                    failed = true;
                    LOG.log(Level.WARNING, "cannot load the upstream command table: {0}", error);
                    arrived();
                }
            };
        }

        private void arrived() {
            if (--outstanding > 0) {
                return;
            }
            try {
                if (!failed) {
                    Catalog loaded = new Catalog(CommandTable.parse(replies[0]), redisVersion(replies[1]),
                            databases(replies[2]));
                    catalog.set(loaded);
                    LOG.log(Level.INFO, "upstream is Redis {0}: {1} commands, {2} databases; caching enabled",
                            new Object[] {loaded.version(), loaded.commands().size(), loaded.databases()});
                }
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "cannot read the upstream command table; caching stays off", e);
            } finally {
                for (RespMessage reply : replies) {
                    io.netty.util.ReferenceCountUtil.release(reply);
                }
                catalogLoading.set(false);
            }
        }
    }

    private static String redisVersion(RespMessage info) {
        if (info instanceof io.respite.resp.RespBulkString bulk) {
            for (String line : bulk.content().toString(StandardCharsets.UTF_8).split("\r\n")) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length());
                }
            }
        }
        return "unknown";
    }

    /** CONFIG GET databases, or Redis's default of 16 where CONFIG is not allowed. */
    private static int databases(RespMessage reply) {
        if (reply instanceof io.respite.resp.RespAggregate aggregate && aggregate.elements().size() == 2
                && aggregate.elements().get(1) instanceof io.respite.resp.RespBulkString value) {
            try {
                return Integer.parseInt(value.content().toString(StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return 16;
            }
        }
        return 16;
    }

    private static ByteBuf frame(String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }

    /** Stops the proxy in the documented order; safe to call more than once and from any thread. */
    public void stop() {
        if (!started.get() || !stopped.compareAndSet(false, true) || serverChannel == null) {
            // Not started, already stopped, or a failed start (which cleaned up after itself).
            return;
        }
        long drainMillis = config.drainTimeout().toMillis();
        serverChannel.close().syncUninterruptibly();
        for (Channel client : clients) {
            client.config().setAutoRead(false);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        while (System.nanoTime() < deadline && anyRepliesPending()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        closeEverything();
        LOG.log(Level.INFO, "respite stopped");
    }

    private boolean anyRepliesPending() {
        for (Channel client : List.copyOf(clients)) {
            ClientSession session = client.pipeline().get(ClientSession.class);
            if (session == null) {
                continue;
            }
            try {
                if (client.eventLoop().submit(session::hasPendingReplies).get(1, TimeUnit.SECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return true;
            }
        }
        return false;
    }

    /**
     * The sum of {@code metric} over every client session, each read on its own event loop: for
     * tests that watch what clients hold (replies pending, output waiting).
     */
    long sumOverClients(ToLongFunction<ClientSession> metric) {
        long sum = 0;
        for (Channel client : List.copyOf(clients)) {
            ClientSession session = client.pipeline().get(ClientSession.class);
            if (session == null) {
                continue;
            }
            try {
                sum += client.eventLoop().submit(() -> client.isActive() ? metric.applyAsLong(session) : 0L)
                        .get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot read a client's state", e);
            }
        }
        return sum;
    }

    private void closeEverything() {
        if (sweeper != null) {
            sweeper.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        resources.shutdown(1000);
    }
}
