package io.respite.proxy;

import io.respite.proxy.config.AdmissionOptions;
import io.respite.proxy.config.ClientOutputLimit;
import io.respite.proxy.config.ConfigException;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration reload (SIGHUP): compares the configuration just read with the one in force,
 * applies what can change without dropping a connection through a {@link Target}, and says in the
 * log, by option name, what changed and what needs a restart. A file that does not load is
 * rejected whole and the configuration in force is kept.
 *
 * <p>Live: {@code capacity}, {@code max-memory}, {@code ttl} (the cache evicts down at once; a
 * shorter TTL caps the entries cached already), {@code max-clients}, {@code client-output-limit},
 * {@code upstream-ops-limit} (its value; turning it on or off needs a restart), {@code
 * upstream-queue}, {@code rate-limit}, {@code global-rate-limit}, {@code log-level} and {@code
 * slowlog-threshold}. Every other option is read once at start: a change is reported, not applied.
 * Restart-only options are compared with the configuration respite started with, so each reload
 * repeats what is still waiting for a restart.
 *
 * <p>Not thread-safe: one reload at a time (the signal handler's thread).
 */
final class ConfigReload {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    /** What a reload can change in a running respite. */
    interface Target {

        /**
         * New cache budgets and TTL.
         *
         * @throws IllegalArgumentException for values the running cache cannot take (fewer entries
         *     than its stripes), changing nothing
         */
        void cacheBounds(int capacityEntries, long maxMemoryBytes, Duration ttl);

        /** New limits for client connections, connected ones included. */
        void clientLimits(int maxClients, ClientOutputLimit outputLimit);

        /** A new ops limit and queue; false when it would turn the limit on or off, changing nothing. */
        boolean opsLimit(int limit, int queue);

        /** New rate limits, each null for none. */
        void rateLimits(@Nullable RateLimit perClient, @Nullable RateLimit global);

        /** A new log level: error, warn, info, debug or trace. */
        void logLevel(String level);

        /** A new slow-command threshold, null for no slow-command log. */
        void slowlogThreshold(@Nullable Duration threshold);
    }

    /** The outcome of one reload: what was applied and what waits for a restart, one line each. */
    record Outcome(
            List<String> applied,
            List<String> restart,
            @Nullable String rejected) {}

    /** An option read only at start: its name and how to read it from a config. */
    private record Fixed(String option, Function<ProxyConfig, @Nullable Object> value) {}

    /** Every option read only at start, by the name the file gives it. */
    private static final List<Fixed> FIXED = List.of(
            new Fixed("bind", ProxyConfig::bind),
            new Fixed("port", ProxyConfig::port),
            new Fixed("upstream", ProxyConfig::upstream),
            new Fixed("max-entry-size", ProxyConfig::maxEntrySizeBytes),
            new Fixed("requirepass", ProxyConfig::requirepass),
            new Fixed("timeout", ProxyConfig::timeout),
            new Fixed("io-threads", ProxyConfig::ioThreads),
            new Fixed("drain-timeout", ProxyConfig::drainTimeout),
            new Fixed("max-pinned", ProxyConfig::maxPinned),
            new Fixed("pinned-idle", ProxyConfig::pinnedIdle),
            new Fixed("pinned-idle-timeout", ProxyConfig::pinnedIdleTimeout),
            new Fixed("deny-command", ProxyConfig::deniedCommands),
            new Fixed("coherence", ProxyConfig::coherence),
            new Fixed("tracking-prefix", ProxyConfig::trackingPrefixes),
            new Fixed("cache-nil", ProxyConfig::cacheNil),
            new Fixed("http-port", c -> c.http().port()),
            new Fixed("http-bind", c -> c.http().bind()),
            new Fixed("http-max-body", c -> c.http().maxBodyBytes()),
            new Fixed("http-header-timeout", c -> c.http().headerTimeout()),
            new Fixed("admin-port", c -> c.admin().port()),
            new Fixed("admin-bind", c -> c.admin().bind()),
            new Fixed("log-format", c -> c.log().json()),
            // TLS material is re-read by its own watcher when the files change; their paths are fixed.
            new Fixed("tls-port", c -> c.tls().port()),
            new Fixed("tls-cert", c -> c.tls().certFile()),
            new Fixed("tls-key", c -> c.tls().keyFile()),
            new Fixed("tls-ca", c -> c.tls().caFile()),
            new Fixed("http-tls", c -> c.tls().http()),
            new Fixed("admin-tls", c -> c.tls().admin()),
            new Fixed("tls-provider", c -> c.tls().provider()),
            new Fixed("upstream-tls-ca", c -> c.tls().upstreamCaFile()),
            new Fixed("upstream-tls-cert", c -> c.tls().upstreamCertFile()),
            new Fixed("upstream-tls-key", c -> c.tls().upstreamKeyFile()),
            new Fixed("upstream-tls-insecure", c -> c.tls().upstreamInsecure()),
            new Fixed("auth", c -> c.auth().passthrough()),
            new Fixed("max-users", c -> c.auth().maxUsers()),
            new Fixed("read-from", ProxyConfig::readFrom),
            new Fixed("sentinel-user", c -> String.valueOf(c.sentinelAuth().user())),
            new Fixed("sentinel-password-file", c -> c.sentinelAuth().password()),
            new Fixed("warm-file", c -> c.warm().file()),
            new Fixed("warm-keys", c -> c.warm().keys()),
            new Fixed("warm-deadline", c -> c.warm().deadline()),
            new Fixed("warm-rate", c -> c.warm().opsPerSecond()));

    /** Every option a reload applies, by the name the file gives it. */
    private static final List<String> LIVE = List.of(
            "capacity",
            "max-memory",
            "ttl",
            "max-clients",
            "client-output-limit",
            "upstream-ops-limit",
            "upstream-queue",
            "rate-limit",
            "global-rate-limit",
            "log-level",
            "slowlog-threshold");

    /**
     * Options the builder folds into others: a change to one shows as a change to {@code
     * requirepass} or {@code upstream}.
     */
    private static final List<String> FOLDED = List.of("requirepass-file", "upstream-password-file");

    private final ProxyConfig started;
    private final Target target;

    // The live options' values in force, as applied: a part the target refused keeps its old values.
    private int capacityEntries;
    private long maxMemoryBytes;
    private Duration ttl;
    private int maxClients;
    private ClientOutputLimit outputLimit;
    private int opsLimit;
    private int queue;
    private @Nullable RateLimit rateLimit;
    private @Nullable RateLimit globalRateLimit;
    private String logLevel;
    private @Nullable Duration slowlog;

    /**
     * @param started the configuration respite started with
     * @param target  where live changes go
     */
    ConfigReload(ProxyConfig started, Target target) {
        this.started = started;
        this.target = target;
        this.capacityEntries = started.capacityEntries();
        this.maxMemoryBytes = started.maxMemoryBytes();
        this.ttl = started.ttl();
        this.maxClients = started.maxClients();
        this.outputLimit = started.clientOutputLimit();
        this.opsLimit = started.admission().upstreamOpsLimit();
        this.queue = started.admission().upstreamQueue();
        this.rateLimit = started.admission().rateLimit();
        this.globalRateLimit = started.admission().globalRateLimit();
        this.logLevel = started.log().level();
        this.slowlog = started.log().slowlogThreshold();
    }

    /**
     * The name of every option a reload knows, live, read at start, or folded into another: a test
     * checks that it is every option there is, so that a new option is never ignored unsaid.
     */
    static Set<String> optionsKnown() {
        Set<String> known = new TreeSet<>(LIVE);
        known.addAll(FOLDED);
        FIXED.forEach(fixed -> known.add(fixed.option()));
        return known;
    }

    /**
     * Loads the configuration again with {@code loader} and applies it; a {@link ConfigException}
     * rejects it whole, logged with its message, and the configuration in force stays.
     */
    Outcome reload(Supplier<ProxyConfig> loader) {
        LOG.info("reload: reading the configuration again");
        ProxyConfig next;
        try {
            next = loader.get();
        } catch (ConfigException e) {
            LOG.error("reload rejected, the configuration in force is kept: {}", e.getMessage());
            return new Outcome(List.of(), List.of(), e.getMessage());
        }
        return apply(next);
    }

    /** Applies {@code next}'s live options and reports the others that differ from the start. */
    Outcome apply(ProxyConfig next) {
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        for (Fixed fixed : FIXED) {
            if (!Objects.equals(fixed.value().apply(started), fixed.value().apply(next))) {
                restart.add("--" + fixed.option() + " changed in the file; restart to apply");
            }
        }
        applyCache(next, applied, restart);
        applyClients(next, applied);
        applyAdmission(next, applied, restart);
        applyLog(next, applied);
        applied.forEach(line -> LOG.info("reload: {}", line));
        restart.forEach(line -> LOG.warn("reload: {}", line));
        if (applied.isEmpty() && restart.isEmpty()) {
            LOG.info("reload: nothing changed");
        }
        return new Outcome(List.copyOf(applied), List.copyOf(restart), null);
    }

    private void applyCache(ProxyConfig next, List<String> applied, List<String> restart) {
        if (capacityEntries == next.capacityEntries()
                && maxMemoryBytes == next.maxMemoryBytes()
                && ttl.equals(next.ttl())) {
            return;
        }
        try {
            target.cacheBounds(next.capacityEntries(), next.maxMemoryBytes(), next.ttl());
        } catch (IllegalArgumentException e) {
            restart.add("--capacity " + next.capacityEntries() + " and --max-memory " + next.maxMemoryBytes()
                    + " do not fit the running cache (" + e.getMessage() + "); restart to apply");
            return;
        }
        changed(applied, "capacity", capacityEntries, next.capacityEntries());
        changed(applied, "max-memory", maxMemoryBytes, next.maxMemoryBytes());
        changed(applied, "ttl", millis(ttl), millis(next.ttl()));
        capacityEntries = next.capacityEntries();
        maxMemoryBytes = next.maxMemoryBytes();
        ttl = next.ttl();
    }

    private void applyClients(ProxyConfig next, List<String> applied) {
        if (maxClients == next.maxClients() && outputLimit.equals(next.clientOutputLimit())) {
            return;
        }
        target.clientLimits(next.maxClients(), next.clientOutputLimit());
        changed(applied, "max-clients", maxClients, next.maxClients());
        changed(applied, "client-output-limit", outputLimit, next.clientOutputLimit());
        maxClients = next.maxClients();
        outputLimit = next.clientOutputLimit();
    }

    private void applyAdmission(ProxyConfig next, List<String> applied, List<String> restart) {
        AdmissionOptions want = next.admission();
        if (opsLimit != want.upstreamOpsLimit() || queue != want.upstreamQueue()) {
            if (target.opsLimit(want.upstreamOpsLimit(), want.upstreamQueue())) {
                changed(applied, "upstream-ops-limit", opsLimit, want.upstreamOpsLimit());
                changed(applied, "upstream-queue", queue, want.upstreamQueue());
                opsLimit = want.upstreamOpsLimit();
                queue = want.upstreamQueue();
            } else {
                restart.add("--upstream-ops-limit turned " + (want.upstreamOpsLimit() == 0 ? "off" : "on")
                        + " in the file; restart to apply");
            }
        }
        if (!Objects.equals(rateLimit, want.rateLimit()) || !Objects.equals(globalRateLimit, want.globalRateLimit())) {
            target.rateLimits(want.rateLimit(), want.globalRateLimit());
            changed(applied, "rate-limit", rateLimit, want.rateLimit());
            changed(applied, "global-rate-limit", globalRateLimit, want.globalRateLimit());
            rateLimit = want.rateLimit();
            globalRateLimit = want.globalRateLimit();
        }
    }

    private void applyLog(ProxyConfig next, List<String> applied) {
        if (!logLevel.equals(next.log().level())) {
            target.logLevel(next.log().level());
            changed(applied, "log-level", logLevel, next.log().level());
            logLevel = next.log().level();
        }
        if (!Objects.equals(slowlog, next.log().slowlogThreshold())) {
            target.slowlogThreshold(next.log().slowlogThreshold());
            changed(
                    applied,
                    "slowlog-threshold",
                    duration(slowlog),
                    duration(next.log().slowlogThreshold()));
            slowlog = next.log().slowlogThreshold();
        }
    }

    private static String duration(@Nullable Duration d) {
        return d == null ? "none" : millis(d);
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }

    private static void changed(List<String> applied, String option, @Nullable Object was, @Nullable Object now) {
        if (!Objects.equals(was, now)) {
            applied.add("--" + option + " " + (was == null ? "none" : was) + " -> " + (now == null ? "none" : now));
        }
    }
}
