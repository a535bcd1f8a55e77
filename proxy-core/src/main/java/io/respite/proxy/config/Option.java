package io.respite.proxy.config;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Every option of {@link ProxyConfig} as the outside world names it: the file name
 * ({@code max-memory}), from which the flag ({@code --max-memory}) and the environment variable
 * ({@code RESPITE_MAX_MEMORY}) follow, with its help text and how to apply a value to a builder.
 * The one list that the command line, the environment, the config file and the help text share.
 * A default that {@link ProxyConfig} keeps in bytes or milliseconds is written here as an operator
 * would write it ({@code 256mb}); a test checks that the two agree.
 */
enum Option {
    BIND("bind", "ADDR", ProxyConfig.DEFAULT_BIND, "Address to listen on.", (b, o, v) -> b.bind(v)),
    PORT(
            "port",
            "PORT",
            String.valueOf(ProxyConfig.DEFAULT_PORT),
            "TCP port to listen on, 0 to 65535; 0 picks a free port.",
            (b, o, v) -> b.port(Values.parseInt(o, v))),
    UPSTREAM(
            "upstream",
            "URI",
            ProxyConfig.DEFAULT_UPSTREAM,
            "The Redis behind the proxy: redis://[user:pass@]host:port[/db], a Redis Cluster: "
                    + "redis-cluster://[user:pass@]host:port[,host:port...], or the primary a Sentinel group names: "
                    + "redis-sentinel://[user:pass@]host:port[,host:port...]/master-name[/db]; rediss://, "
                    + "rediss-cluster://, rediss-sentinel:// for the same over TLS (every node and sentinel).",
            (b, o, v) -> b.upstream(UpstreamUri.parse(v))),
    READ_FROM(
            "read-from",
            "primary|replica|replica-preferred",
            "primary",
            "With a redis-cluster:// or rediss-cluster:// upstream, where forwarded read-only commands go: the slot's primary, a "
                    + "replica of it (READONLY), or a replica when one answers, else the primary. GET and MGET, "
                    + "which fill the cache, always read primaries, which track them.",
            (b, o, v) -> b.readFrom(ReadFrom.parse(o, v))),
    CAPACITY(
            "capacity",
            "KEYS",
            String.valueOf(ProxyConfig.DEFAULT_CAPACITY_ENTRIES),
            "Most keys the cache holds.",
            (b, o, v) -> b.capacityEntries(Values.parseInt(o, v))),
    MAX_MEMORY(
            "max-memory",
            "SIZE",
            "256mb",
            "Most memory the cache may use.",
            (b, o, v) -> b.maxMemoryBytes(Values.parseSize(o, v))),
    MAX_ENTRY_SIZE(
            "max-entry-size",
            "SIZE",
            "1mb",
            "Largest value cached, at most --max-memory; larger values are relayed but not cached.",
            (b, o, v) -> b.maxEntrySizeBytes(Values.parseSize(o, v))),
    TTL("ttl", "DURATION", "60s", "How long a cache entry lives.", (b, o, v) -> b.ttl(Values.parseDuration(o, v))),
    REQUIREPASS(
            "requirepass",
            "PASSWORD",
            "none",
            "Password clients must give with AUTH. A flag shows in ps; prefer --requirepass-file.",
            (b, o, v) -> b.requirepass(v)),
    REQUIREPASS_FILE(
            "requirepass-file",
            "FILE",
            "none",
            "File whose first line is the password clients must give (instead of --requirepass).",
            (b, o, v) -> b.requirepassFromFile(Values.readSecretFile(o, v))),
    AUTH(
            "auth",
            "local|passthrough",
            "local",
            "Who clients are upstream: local (all share respite's identity; --requirepass is checked here) or "
                    + "passthrough (AUTH user pass is checked by Redis, and the client's commands run as that user).",
            (b, o, v) -> b.passthrough(AuthOptions.parseMode(o, v))),
    MAX_USERS(
            "max-users",
            "N",
            String.valueOf(AuthOptions.DEFAULT_MAX_USERS),
            "With --auth passthrough, most users with upstream connections of their own on each event loop; "
                    + "idle ones are closed, least recently used first, to make room.",
            (b, o, v) -> b.maxUsers(Values.parseInt(o, v))),
    UPSTREAM_PASSWORD_FILE(
            "upstream-password-file",
            "FILE",
            "none",
            "File whose first line is the upstream's password (instead of one in --upstream, which shows in ps).",
            (b, o, v) -> b.upstreamPasswordFromFile(Values.readSecretFile(o, v))),
    SENTINEL_USER(
            "sentinel-user",
            "NAME",
            "none",
            "With a redis-sentinel:// upstream, the ACL user respite authenticates to the sentinels as "
                    + "(with --sentinel-password-file); none: their default user.",
            (b, o, v) -> b.sentinelUser(v)),
    SENTINEL_PASSWORD_FILE(
            "sentinel-password-file",
            "FILE",
            "none",
            "With a redis-sentinel:// upstream, file whose first line is the password the sentinels require "
                    + "(their requirepass, or --sentinel-user's); the URI's credentials are the primary's.",
            (b, o, v) -> b.sentinelPasswordFromFile(Values.readSecretFile(o, v))),
    MAX_CLIENTS(
            "max-clients",
            "N",
            String.valueOf(ProxyConfig.DEFAULT_MAX_CLIENTS),
            "Most client connections at once.",
            (b, o, v) -> b.maxClients(Values.parseInt(o, v))),
    MAX_PINNED(
            "max-pinned",
            "N",
            String.valueOf(ProxyConfig.DEFAULT_MAX_PINNED),
            "Most dedicated upstream connections busy at once: MULTI, WATCH and blocking commands lease one "
                    + "until they end, pub/sub and MONITOR for the client's life; a lease waits up to --timeout.",
            (b, o, v) -> b.maxPinned(Values.parseInt(o, v))),
    PINNED_IDLE(
            "pinned-idle",
            "N",
            String.valueOf(ProxyConfig.DEFAULT_PINNED_IDLE),
            "Dedicated connections kept connected and idle per event loop and protocol, so that a lease costs no "
                    + "connect; 0 closes each when its lease ends.",
            (b, o, v) -> b.pinnedIdle(Values.parseInt(o, v))),
    PINNED_IDLE_TIMEOUT(
            "pinned-idle-timeout",
            "DURATION",
            "60s",
            "How long an idle dedicated connection is kept, beyond the one per event loop and protocol kept warm.",
            (b, o, v) -> b.pinnedIdleTimeout(Values.parseDuration(o, v))),
    TIMEOUT(
            "timeout",
            "DURATION",
            "5s",
            "How long the upstream may go without answering a command; blocking commands keep their own timeouts.",
            (b, o, v) -> b.timeout(Values.parseDuration(o, v))),
    IO_THREADS(
            "io-threads",
            "N",
            "the number of available processors",
            "Event loop threads.",
            (b, o, v) -> b.ioThreads(Values.parseInt(o, v))),
    DRAIN_TIMEOUT(
            "drain-timeout",
            "DURATION",
            "5s",
            "How long shutdown (SIGTERM) waits for in-flight commands; 0 does not wait.",
            (b, o, v) -> b.drainTimeout(Values.parseDuration(o, v))),
    CLIENT_OUTPUT_LIMIT(
            "client-output-limit",
            "'HARD SOFT DURATION'",
            ProxyConfig.DEFAULT_CLIENT_OUTPUT_LIMIT,
            "Reply output that may wait in respite for one client, as Redis's client-output-buffer-limit: a client "
                    + "over HARD, or over SOFT for DURATION, is disconnected; 0 for no limit.",
            (b, o, v) -> b.clientOutputLimit(ClientOutputLimit.parse(v)),
            Form.WORDS),
    COHERENCE(
            "coherence",
            "MODE",
            "tracking",
            "How the cache follows Redis: tracking (Redis says which keys changed, through CLIENT TRACKING; ttl when "
                    + "the upstream cannot track) or ttl (entries end at the key's own expiry and at --ttl).",
            (b, o, v) -> b.coherence(CoherenceOption.parse(v))),
    TRACKING_PREFIX(
            "tracking-prefix",
            "PREFIX",
            "none",
            "Key prefix for BCAST tracking, for key spaces too large for Redis's tracking table; repeatable. None: "
                    + "default tracking.",
            (b, o, v) -> b.trackingPrefixes(List.of(Values.COMMA.split(v, -1))),
            Form.REPEATABLE_WORDS),
    CACHE_NIL(
            "cache-nil",
            "yes|no",
            "yes in tracking mode, no in ttl mode",
            "Whether a nil GET is cached (until the key appears).",
            (b, o, v) -> b.cacheNil(Values.parseYesNo(o, v))),
    DENY_COMMAND(
            "deny-command",
            "NAME",
            "none",
            "Command (CONFIG) or subcommand (CONFIG|SET) clients may not run, as Redis's rename-command NAME \"\"; "
                    + "repeatable, or a comma-separated list.",
            (b, o, v) -> b.deniedCommands(Values.parseCommandNames(o, v)),
            Form.REPEATABLE_WORDS),
    HTTP_PORT(
            "http-port",
            "PORT",
            "none",
            "TCP port of the HTTP API (GET/PUT/DELETE /keys/KEY, /lookup?key=KEY, /KEY); 0 picks a free port. "
                    + "None: no HTTP API.",
            (b, o, v) -> b.httpPort(Values.parseInt(o, v))),
    HTTP_BIND("http-bind", "ADDR", "--bind", "Address the HTTP API listens on.", (b, o, v) -> b.httpBind(v)),
    HTTP_MAX_BODY(
            "http-max-body",
            "SIZE",
            "512mb",
            "Largest HTTP request body (a PUT's value), Redis's own limit by default; larger ones get 413 unread.",
            (b, o, v) -> b.httpMaxBodyBytes(Values.parseSize(o, v))),
    HTTP_HEADER_TIMEOUT(
            "http-header-timeout",
            "DURATION",
            "10s",
            "How long an HTTP client may take to send a request's headers, or pause within a body, before it is "
                    + "cut off with 408 (slow-loris); also how long an idle keep-alive connection stays open.",
            (b, o, v) -> b.httpHeaderTimeout(Values.parseDuration(o, v))),
    LOG_LEVEL(
            "log-level",
            "LEVEL",
            "info",
            "The least severe log lines written: error, warn, info, debug or trace.",
            (b, o, v) -> b.logLevel(v)),
    LOG_FORMAT(
            "log-format",
            "text|json",
            "text",
            "One line per event on standard error: text (time level logger: message) or json (one object).",
            (b, o, v) -> b.logJson(LogOptions.parseFormat(o, v))),
    SLOWLOG_THRESHOLD(
            "slowlog-threshold",
            "DURATION",
            LogOptions.DEFAULT_SLOWLOG_MILLIS + "ms",
            "Upstream commands slower than this are logged (at most one line a second, with a count of the rest), "
                    + "as Redis's slowlog; none: no slow-command log.",
            (b, o, v) -> b.slowlogThreshold(Values.isNone(v) ? null : Values.parseDuration(o, v))),
    ADMIN_PORT(
            "admin-port",
            "PORT",
            String.valueOf(AdminOptions.DEFAULT_PORT),
            "TCP port of the admin listener: /health, /ready, /metrics (Prometheus), /stats (JSON) and the "
                    + "dashboard at /; 0 picks a free port, none turns it off. A default port already taken is "
                    + "a warning, not an error.",
            (b, o, v) -> b.adminPort(Values.isNone(v) ? -1 : Values.parseInt(o, v))),
    ADMIN_BIND(
            "admin-bind",
            "ADDR",
            AdminOptions.DEFAULT_BIND,
            "Address the admin listener listens on: loopback unless the network should see it.",
            (b, o, v) -> b.adminBind(v)),
    UPSTREAM_OPS_LIMIT(
            "upstream-ops-limit",
            "N",
            "none",
            "Most commands in flight to Redis at once, from every client of this respite; beyond it commands wait "
                    + "in --upstream-queue. Cache hits never wait. 0 or none: no limit.",
            (b, o, v) -> b.upstreamOpsLimit(Values.parseIntOrNone(o, v))),
    UPSTREAM_QUEUE(
            "upstream-queue",
            "N",
            String.valueOf(AdmissionOptions.DEFAULT_UPSTREAM_QUEUE),
            "Commands that may wait for --upstream-ops-limit; beyond them a command fails at once "
                    + "(-ERR respite busy, HTTP 503).",
            (b, o, v) -> b.upstreamQueue(Values.parseInt(o, v))),
    RATE_LIMIT(
            "rate-limit",
            "'RATE [BURST]'",
            "none",
            "Requests a second each client connection may make (RESP commands, HTTP requests; hits count), "
                    + "with bursts up to BURST (RATE by default); the excess is refused, never reaching Redis.",
            (b, o, v) -> b.rateLimit(Values.isNone(v) ? null : RateLimit.parse(o, v)),
            Form.WORDS),
    GLOBAL_RATE_LIMIT(
            "global-rate-limit",
            "'RATE [BURST]'",
            "none",
            "Requests a second of every client of this respite together, as --rate-limit.",
            (b, o, v) -> b.globalRateLimit(Values.isNone(v) ? null : RateLimit.parse(o, v)),
            Form.WORDS),
    TLS_PORT(
            "tls-port",
            "PORT",
            "none",
            "TCP port of the TLS listener: the same RESP protocol and sessions as --port, over TLS with "
                    + "--tls-cert; 0 picks a free port. None: no TLS port.",
            (b, o, v) -> b.tlsPort(Values.isNone(v) ? -1 : Values.parseInt(o, v))),
    TLS_CERT(
            "tls-cert",
            "FILE",
            "none",
            "PEM certificate chain the TLS listeners present; re-read when the file changes.",
            (b, o, v) -> b.tlsCert(Values.parseReadableFile(o, v))),
    TLS_KEY(
            "tls-key",
            "FILE",
            "none",
            "PEM private key (PKCS#8) of --tls-cert; re-read when the file changes.",
            (b, o, v) -> b.tlsKey(Values.parseReadableFile(o, v))),
    TLS_CA(
            "tls-ca",
            "FILE",
            "none",
            "PEM CA certificates: TLS clients must present a certificate signed by one (mutual TLS). None: no "
                    + "client certificates.",
            (b, o, v) -> b.tlsCa(Values.parseReadableFile(o, v))),
    HTTP_TLS(
            "http-tls",
            "yes|no",
            "no",
            "Whether the HTTP API speaks HTTPS, with --tls-cert and --tls-key (and --tls-ca).",
            (b, o, v) -> b.httpTls(Values.parseYesNo(o, v))),
    ADMIN_TLS(
            "admin-tls",
            "yes|no",
            "no",
            "Whether the admin listener speaks HTTPS, with --tls-cert and --tls-key (and --tls-ca).",
            (b, o, v) -> b.adminTls(Values.parseYesNo(o, v))),
    TLS_PROVIDER(
            "tls-provider",
            "auto|openssl|jdk",
            "auto",
            "TLS implementation: openssl (BoringSSL, netty-tcnative), jdk, or auto (openssl where it loads).",
            (b, o, v) -> b.tlsProvider(TlsOptions.Provider.parse(o, v))),
    UPSTREAM_TLS_CA(
            "upstream-tls-ca",
            "FILE",
            "the JVM's trusted CAs",
            "PEM CA certificates the certificates of a TLS upstream (rediss://, rediss-cluster://, "
                    + "rediss-sentinel://: every node and sentinel) must be signed by.",
            (b, o, v) -> b.upstreamTlsCa(Values.parseReadableFile(o, v))),
    UPSTREAM_TLS_CERT(
            "upstream-tls-cert",
            "FILE",
            "none",
            "PEM certificate chain respite presents to a TLS upstream (Redis's tls-auth-clients).",
            (b, o, v) -> b.upstreamTlsCert(Values.parseReadableFile(o, v))),
    UPSTREAM_TLS_KEY(
            "upstream-tls-key",
            "FILE",
            "none",
            "PEM private key (PKCS#8) of --upstream-tls-cert.",
            (b, o, v) -> b.upstreamTlsKey(Values.parseReadableFile(o, v))),
    UPSTREAM_TLS_INSECURE(
            "upstream-tls-insecure",
            "yes|no",
            "no",
            "For tests only: accept any certificate from a TLS upstream, for any host name.",
            (b, o, v) -> b.upstreamTlsInsecure(Values.parseYesNo(o, v))),
    WARM_FILE(
            "warm-file",
            "PATH",
            "none",
            "File the keys of the hottest cache entries are written to at a graceful stop (SIGTERM), and "
                    + "prefetched from at start; a missing or damaged file is logged and ignored. None: no warm restart.",
            (b, o, v) -> b.warmFile(Values.isNone(v) ? null : v)),
    WARM_KEYS(
            "warm-keys",
            "N",
            String.valueOf(WarmOptions.DEFAULT_KEYS),
            "Most keys written to --warm-file, the most recently read first.",
            (b, o, v) -> b.warmKeys(Values.parseInt(o, v))),
    WARM_DEADLINE(
            "warm-deadline",
            "DURATION",
            WarmOptions.DEFAULT_DEADLINE_SECONDS + "s",
            "How long the prefetch of --warm-file may keep /ready red; it goes on in the background after.",
            (b, o, v) -> b.warmDeadline(Values.parseDuration(o, v))),
    WARM_RATE(
            "warm-rate",
            "N",
            String.valueOf(WarmOptions.DEFAULT_OPS_PER_SECOND),
            "Most keys prefetched a second from --warm-file (each a GET and a PTTL to Redis).",
            (b, o, v) -> b.warmRate(Values.parseInt(o, v)));

    /** Prefix of every environment variable the loader reads. */
    static final String ENV_PREFIX = "RESPITE_";

    /** The name in the config file and in error messages, such as {@code max-memory}. */
    final String fileName;

    /** What the help text calls the value, such as {@code SIZE}. */
    final String paramLabel;

    /** The default as the help text shows it, such as {@code 256mb}. */
    final String defaultText;

    /** One or two sentences for the help text. */
    final String description;

    /** How a value is written. */
    enum Form {
        /** One word, or a quoted string in the file. */
        WORD,
        /** Words separated by spaces; a file line takes them unquoted, as redis.conf does. */
        WORDS,
        /** As {@link #WORDS}, and the option may be given more than once: the values are joined with commas. */
        REPEATABLE_WORDS
    }

    /** Whether the option may be given more than once (flag or file line); its values are joined with commas. */
    final boolean repeatable;

    /** Whether a file line may give the value as several unquoted words. */
    final boolean words;

    // Appliers are stateless lambdas: the enum stays immutable.
    @SuppressWarnings("ImmutableEnumChecker")
    private final Applier applier;

    Option(String fileName, String paramLabel, String defaultText, String description, Applier applier) {
        this(fileName, paramLabel, defaultText, description, applier, Form.WORD);
    }

    Option(String fileName, String paramLabel, String defaultText, String description, Applier applier, Form form) {
        this.fileName = fileName;
        this.paramLabel = paramLabel;
        this.defaultText = defaultText;
        this.description = description;
        this.applier = applier;
        this.repeatable = form == Form.REPEATABLE_WORDS;
        this.words = form != Form.WORD;
    }

    /** The command-line flag, such as {@code --max-memory}. */
    String flag() {
        return flag(fileName);
    }

    /** The environment variable, such as {@code RESPITE_MAX_MEMORY}. */
    String envName() {
        return envName(fileName);
    }

    /**
     * Parses {@code text} and sets it on {@code builder}.
     *
     * @throws ConfigException naming this option by its file name, if {@code text} is malformed
     */
    void apply(ProxyConfig.Builder builder, String text) {
        applier.apply(builder, fileName, text);
    }

    /** The option whose file name is {@code fileName}, or null if there is none. */
    static @Nullable Option named(String fileName) {
        for (Option option : values()) {
            if (option.fileName.equals(fileName)) {
                return option;
            }
        }
        return null;
    }

    /** The command-line flag for a file name: {@code --} before it. */
    static String flag(String fileName) {
        return "--" + fileName;
    }

    /** The environment variable for a file name: {@code RESPITE_}, upper case, {@code -} as {@code _}. */
    static String envName(String fileName) {
        return ENV_PREFIX + fileName.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** Parses a value and sets it on a builder, naming the option in any error. */
    @FunctionalInterface
    private interface Applier {
        void apply(ProxyConfig.Builder builder, String option, String text);
    }
}
