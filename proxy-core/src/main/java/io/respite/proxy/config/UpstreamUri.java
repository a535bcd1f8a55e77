package io.respite.proxy.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Where the upstream Redis is, parsed from {@code redis://[[user]:password@]host[:port][/db]}, or
 * a Redis Cluster, from {@code redis-cluster://[[user]:password@]host[:port][,host[:port]...]}:
 * seed nodes from which the cluster's topology is learnt, the first of them in {@code host} and
 * {@code port}, and no database but 0 (a cluster has only that one); or the primary a group of
 * Redis Sentinels names, from
 * {@code redis-sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]}: the
 * sentinels in {@code seeds} (port {@value #DEFAULT_SENTINEL_PORT} by default), the first of them
 * in {@code host} and {@code port}, the credentials and database those of the primary (the
 * sentinels' own are {@link SentinelAuth}).
 *
 * <p>Each scheme with an {@code s} after {@code redis} ({@code rediss://},
 * {@code rediss-cluster://}, {@code rediss-sentinel://}, as Lettuce names the last) is the same
 * upstream over TLS: every connection to it, a cluster's topology connections and a Sentinel
 * group's sentinels included, since Redis's own TLS deployments ({@code tls-cluster},
 * {@code tls-replication}) speak TLS on every port.
 *
 * <p>An IPv6 host is written in brackets ({@code redis://[::1]:6379}) and kept without them. The
 * user and password are percent-decoded ({@code p%40ss} is {@code p@ss}); {@code redis://:pw@host}
 * gives a password without a user, as Redis URIs allow. The port defaults to
 * {@value #DEFAULT_PORT} and the database to 0. {@link #toString()} masks the password.
 *
 * @param host     host name or IP address; an IPv6 address without brackets
 * @param port     TCP port, 1 to 65535
 * @param username ACL user, or null for the default user
 * @param password password, or null for none; never null when {@code username} is set
 * @param database database index, at least 0
 * @param cluster whether this names a Redis Cluster by its seeds
 * @param seeds the cluster's seed nodes, or the sentinels, the first being {@code host:port}; just
 *     that for a single Redis
 * @param tls      whether every connection is TLS ({@code rediss://}, {@code rediss-cluster://},
 *                 {@code rediss-sentinel://})
 * @param sentinelMaster the name the sentinels know the primary by; null unless this names sentinels
 */
public record UpstreamUri(
        String host,
        int port,
        @Nullable String username,
        @Nullable String password,
        int database,
        boolean cluster,
        List<Seed> seeds,
        boolean tls,
        @Nullable String sentinelMaster) {

    /** One node to connect to: a host name or address (IPv6 without brackets) and a port. */
    public record Seed(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') < 0 ? host : "[" + host + "]") + ":" + port;
        }
    }

    /** The URI schemes: what each names, and whether over TLS. */
    private enum Scheme {
        REDIS("redis://", false, false, false),
        REDISS("rediss://", false, false, true),
        CLUSTER("redis-cluster://", true, false, false),
        CLUSTER_TLS("rediss-cluster://", true, false, true),
        SENTINEL("redis-sentinel://", false, true, false),
        SENTINEL_TLS("rediss-sentinel://", false, true, true);

        private final String prefix;
        private final boolean cluster;
        private final boolean sentinel;
        private final boolean tls;

        Scheme(String prefix, boolean cluster, boolean sentinel, boolean tls) {
            this.prefix = prefix;
            this.cluster = cluster;
            this.sentinel = sentinel;
            this.tls = tls;
        }

        /** The scheme {@code lower} (a URI in lower case) starts with, or null for none. */
        static @Nullable Scheme of(String lower) {
            for (Scheme scheme : values()) {
                if (lower.startsWith(scheme.prefix)) {
                    return scheme;
                }
            }
            return null;
        }

        static Scheme of(boolean cluster, boolean sentinel, boolean tls) {
            for (Scheme scheme : values()) {
                if (scheme.cluster == cluster && scheme.sentinel == sentinel && scheme.tls == tls) {
                    return scheme;
                }
            }
            throw new IllegalArgumentException("cluster and sentinel: both true (expected: at most one)");
        }
    }

    /** The port when the URI names none, as Redis listens by default (a TCP port number). */
    public static final int DEFAULT_PORT = 6379;

    /** A sentinel's port when the URI names none, as Redis Sentinel listens by default (a TCP port number). */
    public static final int DEFAULT_SENTINEL_PORT = 26379;

    /** The option these URIs are given for, naming it in error messages. */
    static final String OPTION = "upstream";

    private static final String SYNTAX = "a URI such as redis://[user:pass@]host:port[/db]";

    private static final String MASK = "***";

    /** A host name or IPv4 address: letters, digits, dots, hyphens and underscores. */
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** An IPv6 address as written between brackets, with an optional zone ({@code fe80::1%eth0}). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");

    /** A master name as Sentinel takes it in its configuration: one word, no slash. */
    private static final Pattern MASTER_NAME = Pattern.compile("[A-Za-z0-9._:-]+");

    /** A single Redis. */
    public UpstreamUri(String host, int port, @Nullable String username, @Nullable String password, int database) {
        this(host, port, username, password, database, false, List.of(new Seed(host, port)), false, null);
    }

    /** Validates every component; errors name the {@code upstream} option. */
    public UpstreamUri {
        Objects.requireNonNull(host, "host");
        seeds = List.copyOf(seeds);
        for (Seed seed : seeds) {
            checkHostPort(seed.host(), seed.port());
        }
        if (seeds.isEmpty() || !seeds.get(0).equals(new Seed(host, port))) {
            throw new IllegalArgumentException("seeds " + seeds + " must start with " + host + ":" + port);
        }
        if (!cluster && sentinelMaster == null && seeds.size() > 1) {
            throw ConfigException.invalid(OPTION, "several hosts", "one host, or redis-cluster://host:port,...");
        }
        if (sentinelMaster != null
                && (cluster || !MASTER_NAME.matcher(sentinelMaster).matches())) {
            throw ConfigException.invalid(OPTION, "master name " + sentinelMaster, sentinelSyntax(tls));
        }
        if (cluster && database != 0) {
            throw ConfigException.invalid(
                    OPTION, "database " + database, "no database, or 0: a Redis Cluster has only database 0");
        }
        if (database < 0) {
            throw ConfigException.invalid(OPTION, "database " + database, "an integer of at least 0");
        }
        if (username != null && password == null) {
            throw ConfigException.invalid(
                    OPTION, "user " + username + " without a password", "user:password@ or :password@");
        }
        if (password != null && password.isEmpty()) {
            throw ConfigException.invalid(OPTION, "an empty password", "a password of at least one character");
        }
    }

    private static void checkHostPort(String host, int port) {
        if (!HOST_NAME.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw ConfigException.invalid(OPTION, "host " + host, "a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            throw ConfigException.invalid(OPTION, "port " + port, "an integer from 1 to 65535");
        }
    }

    /** This URI with {@code password} instead of its own (given in a file, say). */
    public UpstreamUri withPassword(@Nullable String newPassword) {
        return new UpstreamUri(host, port, username, newPassword, database, cluster, seeds, tls, sentinelMaster);
    }

    /** Whether this names the primary of a Sentinel group rather than a Redis by its address. */
    public boolean sentinel() {
        return sentinelMaster != null;
    }

    /** How a Sentinel URI is written, in the scheme plain or over TLS, for error messages. */
    private static String sentinelSyntax(boolean tls) {
        return Scheme.of(false, true, tls).prefix + "host:port,.../master-name[/db]";
    }

    /**
     * Parses {@code redis://[[user]:password@]host[:port][/db]},
     * {@code redis-cluster://[[user]:password@]host[:port][,host[:port]...]} or
     * {@code redis-sentinel://[[user]:password@]host[:port][,host[:port]...]/master-name[/db]}, or
     * the same over TLS: {@code rediss://}, {@code rediss-cluster://}, {@code rediss-sentinel://}.
     *
     * @throws ConfigException naming {@code upstream}, with the password masked, if {@code text}
     *                         is not such a URI
     */
    public static UpstreamUri parse(String text) {
        Scheme scheme = Scheme.of(text.toLowerCase(Locale.ROOT));
        if (scheme == null) {
            throw syntaxError(text);
        }
        boolean sentinel = scheme.sentinel;
        String rest = text.substring(scheme.prefix.length());
        int at = rest.lastIndexOf('@');
        String userInfo = at < 0 ? null : rest.substring(0, at);
        String hostPortDb = rest.substring(at + 1);
        int slash = hostPortDb.indexOf('/');
        String hostPort = slash < 0 ? hostPortDb : hostPortDb.substring(0, slash);
        String db = slash < 0 ? "" : hostPortDb.substring(slash + 1);
        String master = null;
        if (sentinel) {
            // The master's name first, then the database: /mymaster or /mymaster/2.
            int next = db.indexOf('/');
            master = next < 0 ? db : db.substring(0, next);
            db = next < 0 ? "" : db.substring(next + 1);
            if (master.isEmpty()) {
                throw ConfigException.invalid(OPTION, redact(text), sentinelSyntax(scheme.tls));
            }
        }
        List<Seed> seeds = new ArrayList<>();
        for (String seed : hostPort.split(",", -1)) {
            seeds.add(seed(seed, sentinel ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT, text));
        }
        String user = null;
        String password = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw syntaxError(text);
            }
            user = colon == 0 ? null : decode(userInfo.substring(0, colon), text);
            password = decode(userInfo.substring(colon + 1), text);
        }
        Seed first = seeds.get(0);
        return new UpstreamUri(
                first.host(),
                first.port(),
                user,
                password,
                db.isEmpty() ? 0 : number(db, text),
                scheme.cluster,
                seeds,
                scheme.tls,
                master);
    }

    /** One {@code host[:port]}, the host in brackets if it is an IPv6 address. */
    private static Seed seed(String hostPort, int defaultPort, String text) {
        String host;
        String port;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            String afterClose = close < 0 ? "" : hostPort.substring(close + 1);
            if (close < 0 || !(afterClose.isEmpty() || afterClose.startsWith(":"))) {
                throw syntaxError(text);
            }
            host = hostPort.substring(1, close);
            port = afterClose.isEmpty() ? null : afterClose.substring(1);
            if (!IPV6.matcher(host).matches()) {
                throw ConfigException.invalid(OPTION, "host [" + host + "]", "an IPv6 address between brackets");
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            port = colon < 0 ? null : hostPort.substring(colon + 1);
            if (!HOST_NAME.matcher(host).matches()) {
                throw syntaxError(text); // also an IPv6 address without brackets
            }
        }
        return new Seed(host, port == null ? defaultPort : number(port, text));
    }

    /** The URI with the password masked: {@code redis://user:***@host:6379/0}. */
    @Override
    public String toString() {
        StringBuilder uri = new StringBuilder(Scheme.of(cluster, sentinel(), tls).prefix);
        if (password != null) {
            uri.append(username == null ? "" : username)
                    .append(':')
                    .append(MASK)
                    .append('@');
        }
        if (cluster) {
            return uri.append(seeds.stream().map(Seed::toString).collect(Collectors.joining(",")))
                    .toString();
        }
        if (sentinelMaster != null) {
            return uri.append(seeds.stream().map(Seed::toString).collect(Collectors.joining(",")))
                    .append('/')
                    .append(sentinelMaster)
                    .append('/')
                    .append(database)
                    .toString();
        }
        uri.append(host.indexOf(':') < 0 ? host : "[" + host + "]");
        return uri.append(':').append(port).append('/').append(database).toString();
    }

    /**
     * {@code text} with the password masked, so that an error message can show a URI that failed
     * to parse: what follows the first {@code :} of the user info, or all of a user info without
     * one (Redis clients read {@code redis://secret@host} as a password).
     */
    static String redact(String text) {
        int scheme = text.indexOf("://");
        int at = text.lastIndexOf('@');
        // Without a scheme before the '@' (a mistyped URI), whatever comes before it may still be a password.
        int userInfo = scheme < 0 || at < scheme ? 0 : scheme + "://".length();
        if (at < userInfo) {
            return text;
        }
        int colon = text.indexOf(':', userInfo);
        int maskFrom = colon >= 0 && colon < at ? colon + 1 : userInfo;
        return text.substring(0, maskFrom) + MASK + text.substring(at);
    }

    private static ConfigException syntaxError(String text) {
        return ConfigException.invalid(OPTION, redact(text), SYNTAX);
    }

    /** A non-empty, non-negative decimal; the range is the constructor's to check. */
    private static int number(String digits, String text) {
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw syntaxError(text);
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException overflow) {
            throw syntaxError(text);
        }
    }

    /** Percent-decoding as in a URI: unlike a form, {@code +} stays a plus sign. */
    private static String decode(String encoded, String text) {
        try {
            return URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            throw syntaxError(text);
        }
    }
}
