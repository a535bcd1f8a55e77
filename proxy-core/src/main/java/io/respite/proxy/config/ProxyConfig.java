package io.respite.proxy.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Every option of the proxy, immutable and valid: the constructor (and so {@link Builder#build()})
 * rejects an out-of-range value with a {@link ConfigException} naming the option by its file
 * name, such as {@code port: 70000 (expected: an integer from 0 to 65535)}.
 * {@link ConfigLoader} builds one from flags, environment and a config file.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Name</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code bind}</td><td>{@value #DEFAULT_BIND}</td>
 *       <td>Address the proxy listens on.</td></tr>
 *   <tr><td>{@code port}</td><td>{@value #DEFAULT_PORT}</td>
 *       <td>TCP port the proxy listens on, 0 to 65535; 0 picks a free port.</td></tr>
 *   <tr><td>{@code upstream}</td><td>{@value #DEFAULT_UPSTREAM}</td>
 *       <td>The Redis behind the proxy, as an {@link UpstreamUri}.</td></tr>
 *   <tr><td>{@code capacity}</td><td>{@value #DEFAULT_CAPACITY_ENTRIES}</td>
 *       <td>Most keys the cache holds, at least 1.</td></tr>
 *   <tr><td>{@code max-memory}</td><td>{@value #DEFAULT_MAX_MEMORY_BYTES} bytes (256mb)</td>
 *       <td>Most bytes the cache may use, at least 1.</td></tr>
 *   <tr><td>{@code max-entry-size}</td><td>{@value #DEFAULT_MAX_ENTRY_SIZE_BYTES} bytes (1mb)</td>
 *       <td>Largest value cached, 1 byte to {@code max-memory}; larger values are relayed, not
 *       cached.</td></tr>
 *   <tr><td>{@code ttl}</td><td>{@value #DEFAULT_TTL_MILLIS} ms (60s)</td>
 *       <td>How long a cache entry lives, more than 0.</td></tr>
 *   <tr><td>{@code requirepass}</td><td>none</td>
 *       <td>Password clients must give with AUTH; none lets every client in.</td></tr>
 *   <tr><td>{@code max-clients}</td><td>{@value #DEFAULT_MAX_CLIENTS}</td>
 *       <td>Most client connections at once, at least 1 (as Redis's maxclients setting).</td></tr>
 *   <tr><td>{@code timeout}</td><td>{@value #DEFAULT_TIMEOUT_MILLIS} ms (5s)</td>
 *       <td>How long one upstream command may take, more than 0.</td></tr>
 *   <tr><td>{@code io-threads}</td><td>available processors</td>
 *       <td>Event loop threads, at least 1.</td></tr>
 *   <tr><td>{@code drain-timeout}</td><td>{@value #DEFAULT_DRAIN_TIMEOUT_MILLIS} ms (5s)</td>
 *       <td>How long shutdown waits for in-flight commands, 0 or more.</td></tr>
 *   <tr><td>{@code max-pinned}</td><td>{@value #DEFAULT_MAX_PINNED}</td>
 *       <td>Most dedicated upstream connections at once (MULTI, WATCH, blocking commands, pub/sub,
 *       MONITOR each pin one to their client), at least 1.</td></tr>
 *   <tr><td>{@code pinned-idle}</td><td>{@value #DEFAULT_PINNED_IDLE}</td>
 *       <td>Dedicated connections kept connected and idle per event loop and protocol, for the
 *       next MULTI, WATCH or blocking command, 0 or more.</td></tr>
 *   <tr><td>{@code pinned-idle-timeout}</td><td>{@value #DEFAULT_PINNED_IDLE_TIMEOUT_MILLIS} ms (60s)</td>
 *       <td>How long an idle dedicated connection is kept, beyond the one per loop and protocol
 *       kept warm; more than 0.</td></tr>
 *   <tr><td>{@code client-output-limit}</td><td>{@value #DEFAULT_CLIENT_OUTPUT_LIMIT}</td>
 *       <td>Reply output waiting in respite for one client: hard limit, soft limit and how long
 *       the soft one may be exceeded, as Redis's {@code client-output-buffer-limit}.</td></tr>
 *   <tr><td>{@code coherence}</td><td>tracking</td>
 *       <td>How the cache follows Redis: {@code tracking} (CLIENT TRACKING; ttl when the upstream
 *       cannot track) or {@code ttl}.</td></tr>
 *   <tr><td>{@code tracking-prefix}</td><td>none</td>
 *       <td>Key prefixes for BCAST tracking, for very large key spaces; none: default tracking.</td></tr>
 *   <tr><td>{@code cache-nil}</td><td>yes in tracking mode, no in ttl mode</td>
 *       <td>Whether a nil GET is cached (until the key appears).</td></tr>
 *   <tr><td>{@code deny-command}</td><td>none</td>
 *       <td>Commands ({@code CONFIG}) and subcommands ({@code CONFIG|SET}) clients may not run,
 *       as Redis's {@code rename-command NAME ""}.</td></tr>
 *   <tr><td>{@code requirepass-file}, {@code upstream-password-file}</td><td>none</td>
 *       <td>Files whose first line is {@code requirepass}, or the upstream's password: secrets
 *       kept out of {@code ps} and the environment. Not components: the builder folds them into
 *       {@code requirepass} and {@code upstream}.</td></tr>
 *   <tr><td>{@code http-port}, {@code http-bind}, {@code http-max-body}, {@code http-header-timeout}</td>
 *       <td>off, {@code bind}, 512mb, 10s</td><td>The HTTP API ({@link HttpOptions}).</td></tr>
 *   <tr><td>{@code log-level}, {@code log-format}, {@code slowlog-threshold}</td><td>info, text,
 *       {@value LogOptions#DEFAULT_SLOWLOG_MILLIS} ms</td><td>Logging ({@link LogOptions}).</td></tr>
 *   <tr><td>{@code admin-port}, {@code admin-bind}</td><td>{@value AdminOptions#DEFAULT_PORT},
 *       {@value AdminOptions#DEFAULT_BIND}</td><td>The admin listener ({@link AdminOptions}).</td></tr>
 *   <tr><td>{@code sentinel-user}, {@code sentinel-password-file}</td><td>none</td>
 *       <td>How respite authenticates to the sentinels ({@link SentinelAuth}).</td></tr>
 *   <tr><td>{@code read-from}</td><td>primary</td>
 *       <td>Where a Redis Cluster's forwarded read-only commands go ({@link ReadFrom}).</td></tr>
 *   <tr><td>{@code auth}, {@code max-users}</td><td>local, {@value AuthOptions#DEFAULT_MAX_USERS}</td>
 *       <td>Who clients are upstream ({@link AuthOptions}); passthrough excludes {@code requirepass}
 *       and the HTTP API.</td></tr>
 *   <tr><td>{@code upstream-ops-limit}, {@code upstream-queue}, {@code rate-limit},
 *       {@code global-rate-limit}</td><td>none, {@value AdmissionOptions#DEFAULT_UPSTREAM_QUEUE}, none, none</td>
 *       <td>Admission control ({@link AdmissionOptions}).</td></tr>
 *   <tr><td>{@code tls-port}, {@code tls-cert}, {@code tls-key}, {@code tls-ca}, {@code http-tls},
 *       {@code admin-tls}, {@code tls-provider}, {@code upstream-tls-ca}, {@code upstream-tls-cert},
 *       {@code upstream-tls-key}, {@code upstream-tls-insecure}</td><td>none, no, auto</td>
 *       <td>TLS for clients and to an upstream over TLS: {@code rediss://}, {@code rediss-cluster://},
 *       {@code rediss-sentinel://} ({@link TlsOptions}).</td></tr>
 *   <tr><td>{@code warm-file}, {@code warm-keys}, {@code warm-deadline}, {@code warm-rate}</td><td>none,
 *       {@value WarmOptions#DEFAULT_KEYS}, {@value WarmOptions#DEFAULT_DEADLINE_SECONDS} s,
 *       {@value WarmOptions#DEFAULT_OPS_PER_SECOND} keys/s</td>
 *       <td>The warm restart ({@link WarmOptions}).</td></tr>
 * </table>
 *
 * @param bind              address to listen on: an IP address or host name
 * @param port              TCP port to listen on; 0 picks a free port
 * @param upstream          the Redis behind the proxy
 * @param capacityEntries   most keys the cache holds
 * @param maxMemoryBytes    most bytes the cache may use
 * @param maxEntrySizeBytes largest value cached, at most {@code maxMemoryBytes}
 * @param ttl               how long a cache entry lives
 * @param requirepass       password clients must give, or null for none
 * @param maxClients        most client connections at once
 * @param timeout           how long one upstream command may take
 * @param ioThreads         event loop threads
 * @param drainTimeout      how long shutdown waits for in-flight commands
 * @param maxPinned         most dedicated upstream connections busy at once
 * @param pinnedIdle        dedicated connections kept idle per event loop and protocol
 * @param pinnedIdleTimeout how long an idle dedicated connection is kept beyond the warm one
 * @param clientOutputLimit reply output that may wait in respite for one client
 * @param deniedCommands    lower-case names of commands and subcommands clients may not run
 * @param coherence         how the cache follows Redis
 * @param trackingPrefixes  key prefixes for BCAST tracking; empty for default tracking
 * @param cacheNil          whether nil GETs are cached; null for "in tracking mode"
 * @param http              the HTTP API's options
 * @param admission         the ops limit and the rate limits
 * @param admin             the admin listener's options
 * @param log               how respite logs
 * @param tls               TLS for clients and to the upstream
 * @param warm              the warm restart's options
 * @param auth              who clients are upstream
 * @param readFrom          where a Redis Cluster's forwarded read-only commands go
 * @param sentinelAuth      how respite authenticates to the sentinels
 */
public record ProxyConfig(
        String bind,
        int port,
        UpstreamUri upstream,
        int capacityEntries,
        long maxMemoryBytes,
        long maxEntrySizeBytes,
        Duration ttl,
        @Nullable String requirepass,
        int maxClients,
        Duration timeout,
        int ioThreads,
        Duration drainTimeout,
        int maxPinned,
        int pinnedIdle,
        Duration pinnedIdleTimeout,
        ClientOutputLimit clientOutputLimit,
        Set<String> deniedCommands,
        CoherenceOption coherence,
        List<String> trackingPrefixes,
        @Nullable Boolean cacheNil,
        HttpOptions http,
        AdmissionOptions admission,
        AdminOptions admin,
        LogOptions log,
        TlsOptions tls,
        WarmOptions warm,
        AuthOptions auth,
        ReadFrom readFrom,
        SentinelAuth sentinelAuth) {

    /** Address the proxy listens on by default: loopback only. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    /** TCP port the proxy listens on by default (Redis's 6379 plus one). */
    public static final int DEFAULT_PORT = 6380;

    /** The upstream Redis by default: a local one on its default port. */
    public static final String DEFAULT_UPSTREAM = "redis://127.0.0.1:6379";

    /** Most keys the cache holds by default, in entries. */
    public static final int DEFAULT_CAPACITY_ENTRIES = 1_000_000;

    /** Most memory the cache may use by default, in bytes (256mb). */
    public static final long DEFAULT_MAX_MEMORY_BYTES = 256L * 1024 * 1024;

    /** Largest value cached by default, in bytes (1mb). */
    public static final long DEFAULT_MAX_ENTRY_SIZE_BYTES = 1024L * 1024;

    /** How long a cache entry lives by default, in milliseconds (60s). */
    public static final long DEFAULT_TTL_MILLIS = 60_000L;

    /** Most client connections at once by default, in connections (as Redis's maxclients). */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;

    /** How long one upstream command may take by default, in milliseconds (5s). */
    public static final long DEFAULT_TIMEOUT_MILLIS = 5_000L;

    /** Most dedicated (pinned) upstream connections at once by default, in connections. */
    public static final int DEFAULT_MAX_PINNED = 1_000;

    /** Idle dedicated connections kept per event loop and protocol by default. */
    public static final int DEFAULT_PINNED_IDLE = 32;

    /** How long an idle dedicated connection is kept by default, in milliseconds (60s). */
    public static final long DEFAULT_PINNED_IDLE_TIMEOUT_MILLIS = 60_000L;

    /** How long shutdown waits for in-flight commands by default, in milliseconds (5s). */
    public static final long DEFAULT_DRAIN_TIMEOUT_MILLIS = 5_000L;

    /**
     * Output limits per client by default: hard, soft and soft duration. Above the largest value a
     * client is expected to read (the hard limit drops a client at once, even one that reads), and
     * low enough that a few slow clients cannot exhaust respite's memory.
     */
    public static final String DEFAULT_CLIENT_OUTPUT_LIMIT = "256mb 64mb 60s";

    private static final String MASK = "***";

    /** What {@code bind} may be: the characters of host names and IPv4 or IPv6 addresses. */
    private static final Pattern BIND = Pattern.compile("[A-Za-z0-9._:%-]+");

    /** Validates every option and the one constraint between two. */
    public ProxyConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(pinnedIdleTimeout, "pinnedIdleTimeout");
        Objects.requireNonNull(clientOutputLimit, "clientOutputLimit");
        deniedCommands = Set.copyOf(Objects.requireNonNull(deniedCommands, "deniedCommands"));
        Objects.requireNonNull(coherence, "coherence");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(tls, "tls");
        check(!tls.http() || http.enabled(), "http-tls", "yes", "with http-port");
        check(!tls.admin() || admin.enabled(), "admin-tls", "yes", "with admin-port");
        if (tls.upstreamConfigured()) {
            check(
                    upstream.tls(),
                    tls.firstUpstreamOption(),
                    "set",
                    "with a rediss://, rediss-cluster:// or rediss-sentinel:// upstream");
        }
        Objects.requireNonNull(warm, "warm");
        Objects.requireNonNull(auth, "auth");
        check(
                !auth.passthrough() || requirepass == null,
                "requirepass",
                MASK,
                "none with auth passthrough, where Redis checks each client's password");
        check(
                !auth.passthrough() || !http.enabled(),
                "http-port",
                http.port(),
                "none with auth passthrough, which the HTTP API does not support yet");
        Objects.requireNonNull(readFrom, "readFrom");
        check(
                readFrom == ReadFrom.PRIMARY || upstream.cluster(),
                "read-from",
                readFrom.text(),
                "primary without a redis-cluster:// or rediss-cluster:// upstream "
                        + "(only a cluster's replicas are known to respite)");
        Objects.requireNonNull(sentinelAuth, "sentinelAuth");
        check(
                !sentinelAuth.configured() || upstream.sentinel(),
                "sentinel-password-file",
                "a file",
                "a redis-sentinel:// or rediss-sentinel:// upstream");
        check(BIND.matcher(admin.bind()).matches(), "admin-bind", admin.bind(), "an IP address or host name");
        String httpBind = http.bind();
        check(
                httpBind == null || BIND.matcher(httpBind).matches(),
                "http-bind",
                String.valueOf(httpBind),
                "an IP address or host name");
        trackingPrefixes = List.copyOf(Objects.requireNonNull(trackingPrefixes, "trackingPrefixes"));
        check(
                trackingPrefixes.isEmpty() || coherence == CoherenceOption.TRACKING,
                "tracking-prefix",
                trackingPrefixes,
                "no prefixes in ttl coherence");
        // BCAST mode would need each new primary's stream set up anew: cluster mode tracks reads per node.
        check(
                trackingPrefixes.isEmpty() || !upstream.cluster(),
                "tracking-prefix",
                trackingPrefixes,
                "no prefixes with a redis-cluster:// upstream (its reads are tracked per node)");
        check(BIND.matcher(bind).matches(), "bind", bind, "an IP address or host name");
        check(port >= 0 && port <= 65535, "port", port, "an integer from 0 to 65535");
        check(capacityEntries >= 1, "capacity", capacityEntries, "an integer of at least 1");
        check(maxMemoryBytes >= 1, "max-memory", maxMemoryBytes, "a size of at least 1 byte");
        check(maxEntrySizeBytes >= 1, "max-entry-size", maxEntrySizeBytes, "a size of at least 1 byte");
        check(positive(ttl), "ttl", Values.formatDuration(ttl), "a duration of more than 0");
        check(
                requirepass == null || !requirepass.isEmpty(),
                "requirepass",
                "\"\"",
                "a password of at least one character");
        check(maxClients >= 1, "max-clients", maxClients, "an integer of at least 1");
        check(positive(timeout), "timeout", Values.formatDuration(timeout), "a duration of more than 0");
        check(ioThreads >= 1, "io-threads", ioThreads, "an integer of at least 1");
        check(
                !drainTimeout.isNegative(),
                "drain-timeout",
                Values.formatDuration(drainTimeout),
                "a duration of 0 or more");
        check(maxPinned >= 1, "max-pinned", maxPinned, "an integer of at least 1");
        check(pinnedIdle >= 0, "pinned-idle", pinnedIdle, "an integer of 0 or more");
        check(
                positive(pinnedIdleTimeout),
                "pinned-idle-timeout",
                Values.formatDuration(pinnedIdleTimeout),
                "a duration of more than 0");
        check(
                maxEntrySizeBytes <= maxMemoryBytes,
                "max-entry-size",
                maxEntrySizeBytes,
                "at most max-memory, " + maxMemoryBytes + " bytes");
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every option, with {@code requirepass}, the upstream's and the sentinels' passwords masked. */
    @Override
    public String toString() {
        return "ProxyConfig[bind=" + bind + ", port=" + port + ", upstream=" + upstream
                + ", capacityEntries=" + capacityEntries + ", maxMemoryBytes=" + maxMemoryBytes
                + ", maxEntrySizeBytes=" + maxEntrySizeBytes + ", ttl=" + ttl
                + ", requirepass=" + (requirepass == null ? "none" : MASK) + ", maxClients=" + maxClients
                + ", timeout=" + timeout + ", ioThreads=" + ioThreads + ", drainTimeout=" + drainTimeout
                + ", maxPinned=" + maxPinned + ", pinnedIdle=" + pinnedIdle + ", pinnedIdleTimeout=" + pinnedIdleTimeout
                + ", clientOutputLimit=" + clientOutputLimit
                + ", deniedCommands=" + deniedCommands + ", coherence=" + coherence + ", trackingPrefixes="
                + trackingPrefixes + ", cacheNil=" + (cacheNil == null ? "auto" : cacheNil) + ", http=" + http
                + ", admission=" + admission + ", admin=" + admin + ", log=" + log + ", tls=" + tls + ", warm=" + warm
                + ", auth=" + auth + ", readFrom=" + readFrom.text() + ", sentinelAuth=" + sentinelAuth + "]";
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static void check(boolean valid, String option, Object actual, String expected) {
        if (!valid) {
            throw ConfigException.invalid(option, actual, expected);
        }
    }

    /**
     * Collects options, starting from the defaults; {@link #build()} validates them. Not
     * thread-safe.
     */
    public static final class Builder {

        private String bind = DEFAULT_BIND;
        private int port = DEFAULT_PORT;
        private UpstreamUri upstream = UpstreamUri.parse(DEFAULT_UPSTREAM);
        private int capacityEntries = DEFAULT_CAPACITY_ENTRIES;
        private long maxMemoryBytes = DEFAULT_MAX_MEMORY_BYTES;
        private long maxEntrySizeBytes = DEFAULT_MAX_ENTRY_SIZE_BYTES;
        private Duration ttl = Duration.ofMillis(DEFAULT_TTL_MILLIS);
        private @Nullable String requirepass;
        private int maxClients = DEFAULT_MAX_CLIENTS;
        private Duration timeout = Duration.ofMillis(DEFAULT_TIMEOUT_MILLIS);
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private Duration drainTimeout = Duration.ofMillis(DEFAULT_DRAIN_TIMEOUT_MILLIS);
        private int maxPinned = DEFAULT_MAX_PINNED;
        private int pinnedIdle = DEFAULT_PINNED_IDLE;
        private Duration pinnedIdleTimeout = Duration.ofMillis(DEFAULT_PINNED_IDLE_TIMEOUT_MILLIS);
        private ClientOutputLimit clientOutputLimit = ClientOutputLimit.parse(DEFAULT_CLIENT_OUTPUT_LIMIT);
        private Set<String> deniedCommands = Set.of();
        private CoherenceOption coherence = CoherenceOption.TRACKING;
        private List<String> trackingPrefixes = List.of();
        private @Nullable Boolean cacheNil;
        private HttpOptions http = HttpOptions.OFF;
        private AdmissionOptions admission = AdmissionOptions.NONE;
        private AdminOptions admin = AdminOptions.DEFAULT;
        private LogOptions log = LogOptions.DEFAULT;
        private WarmOptions warm = WarmOptions.OFF;
        private AuthOptions auth = AuthOptions.DEFAULT;
        private ReadFrom readFrom = ReadFrom.PRIMARY;
        private @Nullable String sentinelUser;
        private @Nullable String sentinelPasswordFromFile;
        private @Nullable String requirepassFromFile;
        private @Nullable String upstreamPasswordFromFile;
        private int tlsPort = -1;
        private @Nullable Path tlsCert;
        private @Nullable Path tlsKey;
        private @Nullable Path tlsCa;
        private boolean httpTls;
        private boolean adminTls;
        private TlsOptions.Provider tlsProvider = TlsOptions.Provider.AUTO;
        private @Nullable Path upstreamTlsCa;
        private @Nullable Path upstreamTlsCert;
        private @Nullable Path upstreamTlsKey;
        private boolean upstreamTlsInsecure;

        private Builder() {}

        /** Sets {@link ProxyConfig#bind()}. */
        public Builder bind(String bind) {
            this.bind = bind;
            return this;
        }

        /** Sets {@link ProxyConfig#port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Sets {@link ProxyConfig#upstream()}. */
        public Builder upstream(UpstreamUri upstream) {
            this.upstream = upstream;
            return this;
        }

        /** Sets {@link ProxyConfig#capacityEntries()}. */
        public Builder capacityEntries(int capacityEntries) {
            this.capacityEntries = capacityEntries;
            return this;
        }

        /** Sets {@link ProxyConfig#maxMemoryBytes()}. */
        public Builder maxMemoryBytes(long maxMemoryBytes) {
            this.maxMemoryBytes = maxMemoryBytes;
            return this;
        }

        /** Sets {@link ProxyConfig#maxEntrySizeBytes()}. */
        public Builder maxEntrySizeBytes(long maxEntrySizeBytes) {
            this.maxEntrySizeBytes = maxEntrySizeBytes;
            return this;
        }

        /** Sets {@link ProxyConfig#ttl()}. */
        public Builder ttl(Duration ttl) {
            this.ttl = ttl;
            return this;
        }

        /** Sets {@link ProxyConfig#requirepass()}; null for none. */
        public Builder requirepass(@Nullable String requirepass) {
            this.requirepass = requirepass;
            return this;
        }

        /** Sets {@link ProxyConfig#maxClients()}. */
        public Builder maxClients(int maxClients) {
            this.maxClients = maxClients;
            return this;
        }

        /** Sets {@link ProxyConfig#timeout()}. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Sets {@link ProxyConfig#ioThreads()}. */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /** Sets {@link ProxyConfig#drainTimeout()}. */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** Sets {@link ProxyConfig#maxPinned()}. */
        public Builder maxPinned(int maxPinned) {
            this.maxPinned = maxPinned;
            return this;
        }

        /** Sets {@link ProxyConfig#pinnedIdle()}. */
        public Builder pinnedIdle(int pinnedIdle) {
            this.pinnedIdle = pinnedIdle;
            return this;
        }

        /** Sets {@link ProxyConfig#pinnedIdleTimeout()}. */
        public Builder pinnedIdleTimeout(Duration pinnedIdleTimeout) {
            this.pinnedIdleTimeout = pinnedIdleTimeout;
            return this;
        }

        /** Sets {@link ProxyConfig#clientOutputLimit()}. */
        public Builder clientOutputLimit(ClientOutputLimit clientOutputLimit) {
            this.clientOutputLimit = clientOutputLimit;
            return this;
        }

        /** Sets {@link ProxyConfig#deniedCommands()}: names such as {@code config} or {@code config|set}. */
        public Builder deniedCommands(Set<String> deniedCommands) {
            this.deniedCommands = deniedCommands;
            return this;
        }

        /** Sets {@link ProxyConfig#coherence()}. */
        public Builder coherence(CoherenceOption coherence) {
            this.coherence = coherence;
            return this;
        }

        /** Sets {@link ProxyConfig#trackingPrefixes()}. */
        public Builder trackingPrefixes(List<String> trackingPrefixes) {
            this.trackingPrefixes = trackingPrefixes;
            return this;
        }

        /** Sets {@link ProxyConfig#cacheNil()}; null for "in tracking mode". */
        public Builder cacheNil(@Nullable Boolean cacheNil) {
            this.cacheNil = cacheNil;
            return this;
        }

        /** Sets {@link HttpOptions#port()}: the HTTP API on that port (0: a free one). */
        public Builder httpPort(int port) {
            this.http = http.withPort(port);
            return this;
        }

        /** Sets {@link HttpOptions#bind()}. */
        public Builder httpBind(String bind) {
            this.http = http.withBind(bind);
            return this;
        }

        /** Sets {@link HttpOptions#maxBodyBytes()}. */
        public Builder httpMaxBodyBytes(long bytes) {
            this.http = http.withMaxBodyBytes(bytes);
            return this;
        }

        /** Sets {@link HttpOptions#headerTimeout()}. */
        public Builder httpHeaderTimeout(Duration timeout) {
            this.http = http.withHeaderTimeout(timeout);
            return this;
        }

        /** Sets {@link LogOptions#level()}. */
        public Builder logLevel(String level) {
            this.log = log.withLevel(level);
            return this;
        }

        /** Sets {@link LogOptions#json()}. */
        public Builder logJson(boolean json) {
            this.log = log.withJson(json);
            return this;
        }

        /** Sets {@link LogOptions#slowlogThreshold()}; null for no slow-command log. */
        public Builder slowlogThreshold(@Nullable Duration threshold) {
            this.log = log.withSlowlogThreshold(threshold);
            return this;
        }

        /** Sets {@link WarmOptions#file()}; null for no warm restart. */
        public Builder warmFile(@Nullable String file) {
            this.warm = warm.withFile(file);
            return this;
        }

        /** Sets {@link WarmOptions#keys()}. */
        public Builder warmKeys(int keys) {
            this.warm = warm.withKeys(keys);
            return this;
        }

        /** Sets {@link WarmOptions#deadline()}. */
        public Builder warmDeadline(Duration deadline) {
            this.warm = warm.withDeadline(deadline);
            return this;
        }

        /** Sets {@link WarmOptions#opsPerSecond()}. */
        public Builder warmRate(int opsPerSecond) {
            this.warm = warm.withOpsPerSecond(opsPerSecond);
            return this;
        }

        /** Sets {@link AdminOptions#port()}: 0 for a free one, -1 for no admin listener. */
        public Builder adminPort(int port) {
            this.admin = admin.withPort(port);
            return this;
        }

        /** Sets {@link AdminOptions#bind()}. */
        public Builder adminBind(String bind) {
            this.admin = admin.withBind(bind);
            return this;
        }

        /** Sets {@link AdmissionOptions#upstreamOpsLimit()}; 0 for none. */
        public Builder upstreamOpsLimit(int limit) {
            this.admission = admission.withUpstreamOpsLimit(limit);
            return this;
        }

        /** Sets {@link AdmissionOptions#upstreamQueue()}. */
        public Builder upstreamQueue(int queue) {
            this.admission = admission.withUpstreamQueue(queue);
            return this;
        }

        /** Sets {@link AdmissionOptions#rateLimit()}; null for none. */
        public Builder rateLimit(@Nullable RateLimit limit) {
            this.admission = admission.withRateLimit(limit);
            return this;
        }

        /** Sets {@link AdmissionOptions#globalRateLimit()}; null for none. */
        public Builder globalRateLimit(@Nullable RateLimit limit) {
            this.admission = admission.withGlobalRateLimit(limit);
            return this;
        }

        /** Sets {@link TlsOptions#port()}: 0 for a free one, -1 for no TLS port. */
        public Builder tlsPort(int port) {
            this.tlsPort = port;
            return this;
        }

        /** Sets {@link TlsOptions#certFile()} and {@link TlsOptions#keyFile()}. */
        public Builder tlsCertificate(@Nullable Path cert, @Nullable Path key) {
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        /** Sets {@link TlsOptions#certFile()}. */
        Builder tlsCert(Path cert) {
            this.tlsCert = cert;
            return this;
        }

        /** Sets {@link TlsOptions#keyFile()}. */
        Builder tlsKey(Path key) {
            this.tlsKey = key;
            return this;
        }

        /** Sets {@link TlsOptions#caFile()}: client certificates required, signed by it. */
        public Builder tlsCa(@Nullable Path ca) {
            this.tlsCa = ca;
            return this;
        }

        /** Sets {@link TlsOptions#http()}. */
        public Builder httpTls(boolean tls) {
            this.httpTls = tls;
            return this;
        }

        /** Sets {@link TlsOptions#admin()}. */
        public Builder adminTls(boolean tls) {
            this.adminTls = tls;
            return this;
        }

        /** Sets {@link TlsOptions#provider()}. */
        public Builder tlsProvider(TlsOptions.Provider provider) {
            this.tlsProvider = provider;
            return this;
        }

        /** Sets {@link TlsOptions#upstreamCaFile()}. */
        public Builder upstreamTlsCa(@Nullable Path ca) {
            this.upstreamTlsCa = ca;
            return this;
        }

        /** Sets {@link TlsOptions#upstreamCertFile()} and {@link TlsOptions#upstreamKeyFile()}. */
        public Builder upstreamTlsCertificate(@Nullable Path cert, @Nullable Path key) {
            this.upstreamTlsCert = cert;
            this.upstreamTlsKey = key;
            return this;
        }

        /** Sets {@link TlsOptions#upstreamCertFile()}. */
        Builder upstreamTlsCert(Path cert) {
            this.upstreamTlsCert = cert;
            return this;
        }

        /** Sets {@link TlsOptions#upstreamKeyFile()}. */
        Builder upstreamTlsKey(Path key) {
            this.upstreamTlsKey = key;
            return this;
        }

        /** Sets {@link TlsOptions#upstreamInsecure()}: for tests only. */
        public Builder upstreamTlsInsecure(boolean insecure) {
            this.upstreamTlsInsecure = insecure;
            return this;
        }

        /** Sets {@link AuthOptions#passthrough()}. */
        public Builder passthrough(boolean passthrough) {
            this.auth = auth.withPassthrough(passthrough);
            return this;
        }

        /** Sets {@link AuthOptions#maxUsers()}. */
        public Builder maxUsers(int maxUsers) {
            this.auth = auth.withMaxUsers(maxUsers);
            return this;
        }

        /** {@code requirepass}, read from {@code requirepass-file}; giving both is an error. */
        public Builder requirepassFromFile(String requirepass) {
            this.requirepassFromFile = requirepass;
            return this;
        }

        /** The ACL user respite authenticates to the sentinels as ({@code sentinel-user}). */
        public Builder sentinelUser(String user) {
            this.sentinelUser = user;
            return this;
        }

        /** The sentinels' password, read from {@code sentinel-password-file}. */
        public Builder sentinelPasswordFromFile(String password) {
            this.sentinelPasswordFromFile = password;
            return this;
        }

        /** Sets {@link ProxyConfig#readFrom()}. */
        public Builder readFrom(ReadFrom readFrom) {
            this.readFrom = readFrom;
            return this;
        }

        /** The upstream's password, read from {@code upstream-password-file}; a URI with a password too is an error. */
        public Builder upstreamPasswordFromFile(String password) {
            this.upstreamPasswordFromFile = password;
            return this;
        }

        /**
         * A config of the options set so far.
         *
         * @throws ConfigException if an option is out of range, naming it by its file name
         */
        public ProxyConfig build() {
            String pass = requirepass;
            if (requirepassFromFile != null) {
                check(requirepass == null, "requirepass-file", "a file", "requirepass or requirepass-file, not both");
                pass = requirepassFromFile;
            }
            UpstreamUri uri = upstream;
            if (upstreamPasswordFromFile != null) {
                check(
                        uri.password() == null,
                        "upstream-password-file",
                        "a file",
                        "the password in upstream-password-file or in the upstream URI, not both");
                uri = uri.withPassword(upstreamPasswordFromFile);
            }
            TlsOptions tls = new TlsOptions(
                    tlsPort,
                    tlsCert,
                    tlsKey,
                    tlsCa,
                    httpTls,
                    adminTls,
                    tlsProvider,
                    upstreamTlsCa,
                    upstreamTlsCert,
                    upstreamTlsKey,
                    upstreamTlsInsecure);
            return new ProxyConfig(
                    bind,
                    port,
                    uri,
                    capacityEntries,
                    maxMemoryBytes,
                    maxEntrySizeBytes,
                    ttl,
                    pass,
                    maxClients,
                    timeout,
                    ioThreads,
                    drainTimeout,
                    maxPinned,
                    pinnedIdle,
                    pinnedIdleTimeout,
                    clientOutputLimit,
                    deniedCommands,
                    coherence,
                    trackingPrefixes,
                    cacheNil,
                    http,
                    admission,
                    admin,
                    log,
                    tls,
                    warm,
                    auth,
                    readFrom,
                    new SentinelAuth(sentinelUser, sentinelPasswordFromFile));
        }
    }
}
