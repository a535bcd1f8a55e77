package io.respite.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.respite.proxy.admin.AdminApi;
import io.respite.proxy.admission.Admission;
import io.respite.proxy.admission.ClientAdmission;
import io.respite.proxy.cache.CacheStats;
import io.respite.proxy.cache.CacheSweeper;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.cluster.ClusterUpstream;
import io.respite.proxy.cluster.Slots;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.coherence.CoherenceMode;
import io.respite.proxy.command.Catalog;
import io.respite.proxy.command.CatalogLoader;
import io.respite.proxy.config.AdminOptions;
import io.respite.proxy.config.AuthOptions;
import io.respite.proxy.config.ClientOutputLimit;
import io.respite.proxy.config.CoherenceOption;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.RateLimit;
import io.respite.proxy.config.TlsOptions;
import io.respite.proxy.config.UpstreamUri.Seed;
import io.respite.proxy.dispatch.CommandRouter;
import io.respite.proxy.dispatch.DispatchPolicy;
import io.respite.proxy.dispatch.Passthrough;
import io.respite.proxy.http.HttpApi;
import io.respite.proxy.logging.LogSetup;
import io.respite.proxy.sentinel.SentinelWatcher;
import io.respite.proxy.session.ClientSession;
import io.respite.proxy.session.OutputLimits;
import io.respite.proxy.tls.LettuceTls;
import io.respite.proxy.tls.ServerTls;
import io.respite.proxy.tls.TlsProviders;
import io.respite.proxy.tls.UpstreamTls;
import io.respite.proxy.upstream.TrackedUpstream;
import io.respite.proxy.upstream.Upstream;
import io.respite.proxy.upstream.UpstreamLane;
import io.respite.proxy.upstream.UpstreamObserver;
import io.respite.proxy.upstream.UpstreamPool;
import io.respite.proxy.upstream.UpstreamSettings;
import io.respite.proxy.upstream.UserLanes;
import io.respite.proxy.warm.Warmup;
import io.respite.resp.RespLimits;
import io.respite.resp.RespVersion;
import io.respite.resp.codec.RespRequestDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy server: listens for clients, gives each a {@link ClientSession} on a worker loop, and
 * owns the cache, the upstream and the loops.
 *
 * <p>Over 400 lines: it is the one place where every piece is made, wired to the others, changed
 * by a reload ({@link ConfigReload.Target}) and stopped in order; each piece's logic lives in its
 * own package.
 *
 * <p>{@link #start()} binds or fails with {@code IllegalStateException}; it does not wait for the
 * upstream, which is connected in the background (commands fail promptly until it answers).
 * {@link #stop()} is idempotent and runs in a fixed order: stop accepting → stop reading from
 * clients → wait for their in-flight replies (each session's future, up to the drain timeout in
 * all) → close client connections → close the upstream and the sweeper → shut down the event
 * loops.
 *
 * <p>Listeners: the RESP port, and as configured the TLS RESP port (the same sessions behind an
 * SSL handler), the HTTP API and the admin listener (either over TLS too).
 *
 * <p>Over 400 lines because it is the one place where every part is wired, in start order, and
 * taken down, in stop order; each part's logic lives in its own package.
 */
public final class ProxyServer {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    /** Redis's reply to a connection beyond maxclients. */
    private static final byte[] MAX_CLIENTS_REACHED =
            "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Longest key, in bytes, for which a value of the full --max-entry-size still fits the cache's
     * per-entry limit (which charges key, reply and overhead); longer keys cache smaller values.
     */
    private static final int MAX_CACHED_KEY_BYTES = 16 * 1024;
    /** How often a Redis Cluster's topology is read when nothing (a MOVED, a lost node) prompts it. */
    private static final Duration CLUSTER_REFRESH = Duration.ofSeconds(5);
    /** How often the sentinels are asked for the primary when no failover message prompts it. */
    private static final Duration SENTINEL_POLL = Duration.ofSeconds(2);
    /** Most bytes a bulk reply adds around its value: {@code $<length>\r\n} and the final CRLF. */
    private static final int REPLY_FRAMING_BYTES = 32;

    /** How often the hot-key report is taken, in seconds. */
    private static final int REPORT_SECONDS = 2;
    /** The largest values are found once every this many reports: a scan of the whole cache. */
    private static final int SCANS_EVERY = 5;

    private final ProxyConfig config;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>();
    private final CatalogLoader catalogLoader;
    private final AtomicInteger clientCount = new AtomicInteger();
    /** Connections refused at --max-clients, since start. */
    private final LongAdder rejectedClients = new LongAdder();
    /** Shared upstream connections that came back after a failure, since start. */
    private final LongAdder upstreamReconnects = new LongAdder();
    /** Whether the upstream answers: set as shared connections come up and go down. */
    private final AtomicBoolean upstreamAvailable = new AtomicBoolean();

    private final Observability observability;

    private final ChannelGroup clients = new DefaultChannelGroup("respite-clients", GlobalEventExecutor.INSTANCE);
    private final StripedLruCache cache;
    /** Output limits of RESP clients; a reload changes them, for new and connected clients. */
    private volatile OutputLimits outputLimits;
    /** Most client connections; a reload may change it. */
    private volatile int maxClients;
    /** Applies a configuration reload to the running proxy. */
    private final ConfigReload reload;

    private final Coherence coherence;
    /** Whether nil GETs are cached: as configured, else in tracking mode. */
    private final boolean cacheNil;
    /** Rate limits and the upstream ops limit, shared by every client. */
    private final Admission admission;

    private @Nullable ProxyResources resources;
    private @Nullable Upstream upstream;
    private @Nullable HttpApi httpApi;
    /** Follows the primary a Sentinel group names, for a redis-sentinel:// upstream. */
    private @Nullable SentinelWatcher sentinel;

    private @Nullable CacheSweeper sweeper;
    private @Nullable Channel serverChannel;
    /** The HTTP API's listening channel, when --http-port is set. */
    private @Nullable Channel httpChannel;
    /** The thread that takes the hot-key and largest-value reports, with the admin listener. */
    private @Nullable EventExecutor reports;
    /** The admin listener's channel, unless --admin-port none (or its default port was taken). */
    private @Nullable Channel adminChannel;
    /** The TLS RESP listener's channel, when --tls-port is set. */
    private @Nullable Channel tlsChannel;
    /** The TLS listeners' certificate, when one of them is on; watched for changes. */
    private @Nullable ServerTls serverTls;
    /** TLS for the connections Lettuce opens (cluster topology, sentinels): set by {@link #startTls}. */
    private LettuceTls lettuceTls = LettuceTls.PLAIN;

    public ProxyServer(ProxyConfig config) {
        this.config = config;
        this.admission = new Admission(config.admission());
        this.cache = StripedLruCache.builder()
                .maxEntries(config.capacityEntries())
                .maxBytes(config.maxMemoryBytes())
                .maxEntryBytes(Math.min(
                        config.maxMemoryBytes(),
                        config.maxEntrySizeBytes()
                                + MAX_CACHED_KEY_BYTES
                                + REPLY_FRAMING_BYTES
                                + StripedLruCache.ENTRY_OVERHEAD_BYTES))
                .defaultTtlNanos(config.ttl().toNanos())
                .build();
        ClientOutputLimit limit = config.clientOutputLimit();
        this.outputLimits = outputLimits(limit);
        this.maxClients = config.maxClients();
        this.reload = new ConfigReload(config, new LiveTarget());
        CoherenceMode mode = config.coherence() == CoherenceOption.TTL ? CoherenceMode.TTL : CoherenceMode.TRACKING;
        this.coherence = new Coherence(mode, cache, config.trackingPrefixes());
        this.catalogLoader = new CatalogLoader(catalog, config.upstream().cluster());
        Boolean nil = config.cacheNil();
        this.cacheNil = nil != null ? nil : mode == CoherenceMode.TRACKING;
        this.observability = new Observability(
                cache,
                coherence,
                admission,
                clientCount,
                rejectedClients,
                upstreamReconnects,
                upstreamAvailable::get,
                this::dedicatedBusy);
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
        SslContext upstreamTls = startTls();
        Seed primary = new Seed(config.upstream().host(), config.upstream().port());
        AtomicReference<@Nullable UpstreamPool> movable = new AtomicReference<>();
        if (config.upstream().sentinel()) {
            // Asked before anything opens: its answer is where the connections go.
            SentinelWatcher watcher = new SentinelWatcher(
                    config.upstream(),
                    config.sentinelAuth(),
                    lettuceTls,
                    config.timeout(),
                    SENTINEL_POLL,
                    new Failovers(movable));
            primary = watcher.start();
            sentinel = watcher;
        }
        resources = new ProxyResources(config.ioThreads());
        UpstreamSettings settings = new UpstreamSettings(
                primary.host(),
                primary.port(),
                config.upstream().username(),
                config.upstream().password(),
                config.upstream().database(),
                config.timeout(),
                // Redis is trusted: its replies are relayed whatever their depth (clients' stay limited).
                RespLimits.TRUSTED_RELAY,
                resources.channelType,
                config.maxPinned(),
                config.pinnedIdle(),
                config.pinnedIdleTimeout(),
                upstreamTls);
        BiConsumer<UpstreamLane, Boolean> onReady = this::upstreamReady;
        Consumer<String> onDown = cause -> {
            upstreamAvailable.set(false);
            if (!config.upstream().cluster()) {
                // A cluster drops only the entries of the node that went down (see ClusterUpstream).
                coherence.sharedConnectionDown();
            }
        };
        // Without the admin listener nobody reads the figures: none are taken.
        UpstreamObserver observer = config.admin().enabled() ? observability.upstream() : UpstreamObserver.NONE;
        Upstream pool;
        TrackedUpstream tracked;
        UserLanes users;
        if (config.upstream().cluster()) {
            ClusterUpstream cluster = new ClusterUpstream(
                    config.upstream(),
                    resources.workers,
                    resources.flushers,
                    settings,
                    lettuceTls,
                    onReady,
                    onDown,
                    observer,
                    slowlogNanos(config),
                    this::slotsMoved,
                    catalog,
                    CLUSTER_REFRESH,
                    config.readFrom());
            pool = cluster;
            tracked = cluster;
            users = cluster.users();
        } else {
            UpstreamPool single = new UpstreamPool(
                    resources.workers, resources.flushers, settings, onReady, onDown, observer, slowlogNanos(config));
            pool = single;
            tracked = single;
            movable.set(single);
            users = single.users(cause -> coherence.sharedConnectionDown());
        }
        upstream = pool;
        ProxyResources loops = resources;
        sweeper = CacheSweeper.start(cache, resources.workers.next());
        coherence.start(tracked, resources.workers.next());
        if (sentinel != null) {
            // After the stream's control connection exists, so that a move takes it along.
            sentinel.follow();
        }
        AuthOptions auth = config.auth();
        CommandRouter router = new CommandRouter(
                cache,
                catalog,
                new DispatchPolicy(
                        config.requirepass(),
                        config.maxEntrySizeBytes(),
                        config.upstream().database(),
                        config.deniedCommands(),
                        // With passthrough respite holds every user's password: no CONFIG GET shows a secret.
                        config.upstream().password() != null || auth.passthrough(),
                        cacheNil,
                        config.upstream().cluster()),
                coherence,
                auth.passthrough()
                        ? new Passthrough(users, admission::limit, admission::unlimit, auth.maxUsers())
                        : null);
        observability.router(router);
        if (config.admin().enabled()) {
            router.recordHotKeys();
            reports = startReports(router);
        }
        // The warm-up's loop: one loop's lane carries the prefetch, as it would one client's.
        EventLoop warmLoop = resources.workers.next();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(resources.acceptor, resources.workers)
                .channel(resources.serverChannelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch, router, pool, loops);
                    }
                });
        try {
            serverChannel = bootstrap
                    .bind(config.bind(), config.port())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            // Netty rethrows the bind error (a checked IOException) undeclared: catch everything.
            closeEverything();
            throw new IllegalStateException(
                    String.format("Failed to bind port %d on %s: %s", config.port(), config.bind(), e.getMessage()), e);
        }
        if (config.tls().port() >= 0) {
            startTlsPort(bootstrap, router, pool, loops);
        }
        if (config.http().enabled()) {
            startHttp(bootstrap, router, pool, loops);
        }
        if (config.admin().enabled()) {
            startAdmin(bootstrap);
        }
        Warmup warmup = WarmRestart.prefetch(
                config,
                cache,
                sink -> router.newClient(sink, admission.limit(pool.lane(warmLoop)), admission.unlimitedClient()),
                warmLoop,
                () -> catalog.get() != null && observability.notServing() == null);
        if (warmup != null) {
            observability.warming(warmup::notReady);
        }
        LOG.info(
                "respite listening on {} ({}, {} io threads), upstream {}",
                address(),
                resources.transport,
                config.ioThreads(),
                config.upstream());
        reportMemory();
        if (serverTls != null) {
            serverTls.watch(ServerTls.DEFAULT_WATCH_PERIOD_MILLIS);
        }
    }

    /**
     * Picks the TLS provider and loads the listeners' certificate, when TLS is used at all (so that
     * a plain respite never loads OpenSSL's native library); returns the upstream's context, or
     * null for a plain upstream, and sets {@link #lettuceTls} alike. Runs before anything is
     * started: a bad file fails the start bare.
     */
    private @Nullable SslContext startTls() {
        TlsOptions tls = config.tls();
        if (!tls.listening() && !config.upstream().tls()) {
            return null;
        }
        SslProvider provider = TlsProviders.choose(tls.provider());
        LOG.info("TLS provider: {}", TlsProviders.describe(provider, tls.provider()));
        if (tls.listening()) {
            serverTls = ServerTls.load(tls, provider);
        }
        if (!config.upstream().tls()) {
            return null;
        }
        UpstreamTls upstream = UpstreamTls.load(tls, provider);
        lettuceTls = upstream.lettuce(config.timeout());
        return upstream.context();
    }

    /** Binds the TLS RESP port: the same sessions as the plain port, behind an SSL handler. */
    private void startTlsPort(ServerBootstrap resp, CommandRouter router, Upstream pool, ProxyResources loops) {
        ServerTls tls = Objects.requireNonNull(serverTls, "serverTls");
        ServerBootstrap bootstrap = resp.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                tls.initChannel(ch, "the TLS port");
                accept(ch, router, pool, loops);
            }
        });
        try {
            tlsChannel = bootstrap
                    .bind(config.bind(), config.tls().port())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            // As for the RESP port: Netty rethrows the bind error undeclared.
            abandonStart();
            throw new IllegalStateException(
                    String.format(
                            "Failed to bind the TLS port %d on %s: %s",
                            config.tls().port(), config.bind(), e.getMessage()),
                    e);
        }
        LOG.info("TLS listening on {}", tlsAddress());
    }

    /** The TLS RESP listener's bound address (useful with --tls-port 0). */
    public InetSocketAddress tlsAddress() {
        Channel bound = tlsChannel;
        if (bound == null) {
            throw new IllegalStateException("no TLS port");
        }
        return (InetSocketAddress) bound.localAddress();
    }

    /**
     * Binds the HTTP API's port on the same loops as the RESP port: its connections are clients of
     * the same router, cache and lanes.
     */
    private void startHttp(ServerBootstrap resp, CommandRouter router, Upstream pool, ProxyResources loops) {
        HttpApi api = new HttpApi(
                config.http(),
                config.requirepass(),
                config.upstream().database(),
                config.clientOutputLimit().hardBytes());
        httpApi = api;
        observability.httpRequests(api.requestCounts());
        String bind = Objects.requireNonNullElse(config.http().bind(), config.bind());
        ServerBootstrap http = resp.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (serverTls != null && config.tls().http()) {
                    serverTls.initChannel(ch, "the HTTP API");
                }
                acceptHttp(ch, api, router, pool, loops);
            }
        });
        try {
            httpChannel =
                    http.bind(bind, config.http().port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // As for the RESP port: Netty rethrows the bind error undeclared.
            abandonStart();
            throw new IllegalStateException(
                    String.format(
                            "Failed to bind the HTTP port %d on %s: %s",
                            config.http().port(), bind, e.getMessage()),
                    e);
        }
        LOG.info("HTTP API on {}{}", httpAddress(), config.tls().http() ? " (HTTPS)" : "");
    }

    private void acceptHttp(SocketChannel ch, HttpApi api, CommandRouter router, Upstream pool, ProxyResources loops) {
        if (clientCount.incrementAndGet() > maxClients) {
            clientCount.decrementAndGet();
            rejectedClients.increment();
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> clientCount.decrementAndGet());
        EventLoop loop = ch.eventLoop();
        UpstreamLane lane = admission.limit(pool.lane(loop));
        // An HTTP request is one admission, however many commands serve it: the router's client
        // for the connection is unlimited, and the connection asks its own before each request.
        ClientAdmission rate = admission.newClient();
        api.initChannel(
                ch,
                sink -> router.newClient(sink, lane, admission.unlimitedClient()),
                rate::tryAdmit,
                Objects.requireNonNull(loops.flushers.get(loop), "flusher"));
        clients.add(ch);
    }

    /**
     * Binds the admin listener: on by default, so a default port already taken (a second respite
     * on the host) costs a warning, not the start; a port asked for explicitly must bind.
     */
    private void startAdmin(ServerBootstrap resp) {
        AdminApi api = new AdminApi(observability.sources());
        ServerBootstrap admin = resp.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (serverTls != null && config.tls().admin()) {
                    serverTls.initChannel(ch, "the admin listener");
                }
                api.initChannel(ch);
            }
        });
        AdminOptions options = config.admin();
        try {
            adminChannel = admin.bind(options.bind(), options.port())
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            if (options.port() == AdminOptions.DEFAULT_PORT) {
                LOG.warn(
                        "no admin listener: the default port {} on {} is taken ({}); set --admin-port",
                        options.port(),
                        options.bind(),
                        e.getMessage());
                return;
            }
            abandonStart();
            throw new IllegalStateException(
                    String.format(
                            "Failed to bind the admin port %d on %s: %s",
                            options.port(), options.bind(), e.getMessage()),
                    e);
        }
        LOG.info(
                "admin listener on {}://{}:{}/ (/health /ready /metrics /stats)",
                config.tls().admin() ? "https" : "http",
                adminAddress().getHostString(),
                adminAddress().getPort());
    }

    /**
     * Takes the reports every {@value #REPORT_SECONDS} s on a thread of its own (the cache scan
     * for the largest values every {@value #SCANS_EVERY} reports): off the event loops, whose
     * clients the scan would stall.
     */
    private static EventExecutor startReports(CommandRouter router) {
        EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("respite-reports", true));
        AtomicInteger taken = new AtomicInteger();
        executor.scheduleAtFixedRate(
                () -> router.refreshReports(taken.getAndIncrement() % SCANS_EVERY == 0),
                REPORT_SECONDS,
                REPORT_SECONDS,
                TimeUnit.SECONDS);
        return executor;
    }

    /** The admin listener's bound address (useful with --admin-port 0). */
    public InetSocketAddress adminAddress() {
        Channel bound = adminChannel;
        if (bound == null) {
            throw new IllegalStateException("no admin listener");
        }
        return (InetSocketAddress) bound.localAddress();
    }

    /** {@code --slowlog-threshold} in nanoseconds, 0 for none. */
    private static long slowlogNanos(ProxyConfig config) {
        Duration threshold = config.log().slowlogThreshold();
        return threshold == null ? 0 : threshold.toNanos();
    }

    private int dedicatedBusy() {
        Upstream current = upstream;
        return current == null ? 0 : current.dedicatedBusy();
    }

    /** The HTTP API's bound address (useful with --http-port 0). */
    public InetSocketAddress httpAddress() {
        Channel bound = httpChannel;
        if (bound == null) {
            throw new IllegalStateException("no HTTP API");
        }
        return (InetSocketAddress) bound.localAddress();
    }

    /** Says how much memory the JVM has, and warns when the heap is too small for --max-memory. */
    private void reportMemory() {
        long mb = 1024 * 1024;
        long heapMb = Runtime.getRuntime().maxMemory() / mb;
        long neededMb = JvmSizing.heapMegabytes(config.maxMemoryBytes());
        LOG.info(
                "memory: heap up to {} MB, direct (network buffers) up to {} MB, cache up to {} MB " + "(--max-memory)",
                heapMb,
                PlatformDependent.maxDirectMemory() / mb,
                config.maxMemoryBytes() / mb);
        if (heapMb < neededMb * 9 / 10) {
            LOG.warn(
                    "the heap ({} MB) is smaller than --max-memory needs ({} MB): start respite with "
                            + "scripts/respite, or give the JVM -Xmx{}m",
                    heapMb,
                    neededMb);
        }
    }

    private void accept(SocketChannel ch, CommandRouter router, Upstream pool, ProxyResources loops) {
        if (clientCount.incrementAndGet() > maxClients) {
            clientCount.decrementAndGet();
            rejectedClients.increment();
            ch.writeAndFlush(Unpooled.wrappedBuffer(MAX_CLIENTS_REACHED)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ch.closeFuture().addListener(f -> clientCount.decrementAndGet());
        EventLoop loop = ch.eventLoop();
        UpstreamLane lane = admission.limit(pool.lane(loop));
        RespRequestDecoder decoder = new RespRequestDecoder(RespLimits.DEFAULT);
        ch.pipeline()
                .addLast(
                        decoder,
                        new ClientSession(
                                sink -> router.newClient(sink, lane, admission.newClient()),
                                Objects.requireNonNull(loops.flushers.get(loop), "flusher"),
                                decoder,
                                outputLimits));
        clients.add(ch);
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress address() {
        Channel bound = serverChannel;
        if (bound == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) bound.localAddress();
    }

    /** Counters of the local cache. */
    public CacheStats cacheStats() {
        return cache.stats();
    }

    /** Rate limits and the upstream ops limit, with their counters; shared by every client. */
    public Admission admission() {
        return admission;
    }

    /** How the cache follows Redis: the mode in force, whether it caches now, its counters. */
    public Coherence coherence() {
        return coherence;
    }

    /**
     * Slots of the cluster changed owner: the new owner never saw our reads of their keys, so
     * their entries go (fills in flight for them included).
     */
    private void slotsMoved(BitSet slots) {
        int dropped = cache.invalidateIf(cacheKey -> {
            int prefix = DatabaseKeys.prefixLength(cacheKey);
            return slots.get(Slots.of(Unpooled.wrappedBuffer(cacheKey), prefix, cacheKey.length - prefix));
        });
        LOG.debug("cluster: {} entries of {} moved slots dropped", dropped, slots.cardinality());
    }

    /**
     * What the Sentinel group does to the upstream, told on the watcher's thread; the connections
     * follow on their loops. The pool is there before the first word: the watcher tells nothing
     * until it follows, after the pool is built.
     */
    private final class Failovers implements SentinelWatcher.Listener {
        private final AtomicReference<@Nullable UpstreamPool> pool;

        Failovers(AtomicReference<@Nullable UpstreamPool> pool) {
            this.pool = pool;
        }

        @Override
        public void failoverStarted() {
            UpstreamPool current = pool.get();
            if (current != null) {
                current.hold(true);
            }
        }

        @Override
        public void failoverEnded() {
            UpstreamPool current = pool.get();
            if (current != null) {
                current.hold(false);
            }
        }

        /**
         * Another Redis was promoted: nothing read from the old primary may stay cached or fill
         * the cache from now, then every connection goes to the new one.
         */
        @Override
        public void moved(Seed to) {
            UpstreamPool current = pool.get();
            if (current != null) {
                coherence.upstreamMoved(to.toString());
                current.moveTo(to.host(), to.port());
            }
        }
    }

    /**
     * An upstream connection became ready. After a failure, whatever changed upstream meanwhile was
     * not seen, so the cache starts over; and the catalog is (re)loaded, since the upstream may
     * have been replaced by another version.
     */
    private void upstreamReady(UpstreamLane lane, boolean recovered) {
        upstreamAvailable.set(true);
        if (recovered) {
            upstreamReconnects.increment();
        }
        if (recovered && !config.upstream().cluster()) {
            // A cluster dropped the entries of the node that went down, when it did (ClusterUpstream).
            cache.invalidateAll();
        }
        catalogLoader.load((frame, callback) -> lane.send(0, RespVersion.RESP2, frame, callback));
    }

    /**
     * Reads the configuration again with {@code loader} and applies what can change while running
     * (SIGHUP): see {@link ConfigReload}. A configuration that does not load is rejected whole.
     */
    ConfigReload.Outcome reload(Supplier<ProxyConfig> loader) {
        synchronized (reload) {
            return reload.reload(loader);
        }
    }

    private static OutputLimits outputLimits(ClientOutputLimit limit) {
        return new OutputLimits(
                limit.hardBytes(), limit.softBytes(), limit.softDuration().toNanos());
    }

    /** What a reload changes: each setting where it is kept, connected clients' on their own loops. */
    private final class LiveTarget implements ConfigReload.Target {

        @Override
        public void cacheBounds(int capacityEntries, long maxMemoryBytes, Duration ttl) {
            cache.resize(capacityEntries, maxMemoryBytes, ttl.toNanos());
        }

        @Override
        public void clientLimits(int newMaxClients, ClientOutputLimit outputLimit) {
            maxClients = newMaxClients;
            OutputLimits limits = outputLimits(outputLimit);
            outputLimits = limits;
            HttpApi http = httpApi;
            if (http != null) {
                http.outputLimit(outputLimit.hardBytes()); // connections accepted from now on
            }
            for (Channel client : clients) {
                ClientSession session = client.pipeline().get(ClientSession.class);
                if (session != null) {
                    client.eventLoop().execute(() -> session.outputLimits(limits));
                }
            }
        }

        @Override
        public boolean opsLimit(int limit, int queue) {
            return admission.opsLimit(limit, queue);
        }

        @Override
        public void rateLimits(@Nullable RateLimit perClient, @Nullable RateLimit global) {
            admission.rates(perClient, global);
        }

        @Override
        public void logLevel(String level) {
            LogSetup.level(level);
        }

        @Override
        public void slowlogThreshold(@Nullable Duration threshold) {
            Upstream pool = upstream;
            if (pool != null) {
                pool.slowlogThreshold(threshold == null ? 0 : threshold.toNanos());
            }
        }
    }

    /** True once {@link #stop()} has been called. */
    public boolean isStopping() {
        return stopped.get();
    }

    /** Stops the proxy in the documented order; safe to call more than once and from any thread. */
    public void stop() {
        if (!started.get() || !stopped.compareAndSet(false, true) || serverChannel == null) {
            // Not started, already stopped, or a failed start (which cleaned up after itself).
            return;
        }
        serverChannel.close().syncUninterruptibly();
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        if (httpChannel != null) {
            httpChannel.close().syncUninterruptibly();
        }
        if (adminChannel != null) {
            adminChannel.close().syncUninterruptibly();
        }
        List<Future<Void>> drained = new ArrayList<>();
        for (Channel client : clients) {
            ClientSession session = client.pipeline().get(ClientSession.class);
            if (session != null) {
                drained.add(session.quiesce());
            } else if (HttpApi.serves(client)) {
                drained.add(HttpApi.quiesce(client));
            }
        }
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        for (Future<Void> future : drained) {
            if (!future.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        WarmRestart.write(config, cache);
        closeEverything();
        LOG.info("respite stopped");
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
                sum += client.eventLoop()
                        .submit(() -> client.isActive() ? metric.applyAsLong(session) : 0L)
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

    /**
     * A start that bound the RESP port but failed after: closes what it opened, and leaves the
     * server as a failed start does, which {@link #stop()} does not stop again.
     */
    private void abandonStart() {
        Channel bound = serverChannel;
        serverChannel = null;
        if (bound != null) {
            bound.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
            tlsChannel = null;
        }
        if (httpChannel != null) {
            httpChannel.close().syncUninterruptibly();
            httpChannel = null;
        }
        closeEverything();
    }

    private void closeEverything() {
        if (serverTls != null) {
            serverTls.close();
        }
        if (reports != null) {
            reports.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (sentinel != null) {
            sentinel.close();
        }
        coherence.close();
        if (sweeper != null) {
            sweeper.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (resources != null) {
            resources.shutdown(1000);
        }
    }
}
