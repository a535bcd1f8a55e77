package io.respite.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.respite.proxy.admin.AdminSources;
import io.respite.proxy.admission.Admission;
import io.respite.proxy.admission.AdmissionStats;
import io.respite.proxy.cache.CacheStats;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.coherence.CoherenceMode;
import io.respite.proxy.coherence.CoherenceStats;
import io.respite.proxy.dispatch.CommandRouter;
import io.respite.proxy.hotkeys.HotKey;
import io.respite.proxy.http.RequestCounts;
import io.respite.proxy.metrics.Metrics;
import io.respite.proxy.upstream.UpstreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Every figure respite exports, wired from where it is kept to the three places that show it:
 * {@code /metrics} (Prometheus), {@code /stats} (JSON, which the dashboard polls) and
 * {@code /ready}. Each figure is read when asked for, never copied on the request path.
 * Thread-safe: the sources it reads are.
 */
final class Observability {

    private static final JsonFactory JSON = new JsonFactory();

    private final StripedLruCache cache;
    private final Coherence coherence;
    private final Admission admission;
    private final AtomicInteger clients;
    private final LongAdder rejectedClients;
    private final LongAdder upstreamReconnects;
    private final BooleanSupplier upstreamAvailable;
    private final IntSupplier pinned;
    private final String version;
    private final long startNanos = System.nanoTime();
    private final Metrics metrics = new Metrics();
    private final UpstreamFigures upstream = new UpstreamFigures(metrics);
    /** The HTTP API's request counts, when it runs. */
    private volatile @Nullable RequestCounts httpRequests;

    /** The router (its command counts and reports), once it exists: it is made at start. */
    private volatile @Nullable CommandRouter router;
    /** Why the warm-up keeps {@code /ready} red, or null; none without a warm file. */
    private volatile Supplier<@Nullable String> notWarm = () -> null;

    /**
     * @param clients client connections now (RESP and HTTP)
     * @param rejectedClients connections refused at {@code --max-clients}, since start
     * @param upstreamReconnects shared upstream connections back after a failure, since start
     * @param upstreamAvailable whether the upstream answers now
     * @param pinned dedicated upstream connections leased now
     */
    Observability(
            StripedLruCache cache,
            Coherence coherence,
            Admission admission,
            AtomicInteger clients,
            LongAdder rejectedClients,
            LongAdder upstreamReconnects,
            BooleanSupplier upstreamAvailable,
            IntSupplier pinned) {
        this.cache = cache;
        this.coherence = coherence;
        this.admission = admission;
        this.clients = clients;
        this.rejectedClients = rejectedClients;
        this.upstreamReconnects = upstreamReconnects;
        this.upstreamAvailable = upstreamAvailable;
        this.pinned = pinned;
        String implementation = Observability.class.getPackage().getImplementationVersion();
        this.version = implementation == null ? "dev" : implementation;
        register();
    }

    /** What the shared upstream lanes tell of their commands. */
    UpstreamObserver upstream() {
        return upstream;
    }

    /** Reads commands by name and outcome, and the hot-key and largest-value reports, from {@code router}. */
    void router(CommandRouter router) {
        this.router = router;
    }

    /** Reads the HTTP API's requests by route and status from {@code counts}. */
    void httpRequests(RequestCounts counts) {
        this.httpRequests = counts;
    }

    /** What the admin listener answers from. */
    AdminSources sources() {
        return new AdminSources(this::notReady, metrics::scrape, Metrics.CONTENT_TYPE, this::stats);
    }

    /** Has {@code /ready} also wait for the warm-up: it says why it is not done, or null. */
    void warming(Supplier<@Nullable String> notWarm) {
        this.notWarm = notWarm;
    }

    /**
     * Why respite should take no traffic, or null: it can serve coherently only with the upstream
     * reachable and, in tracking mode, with Redis tracking its reads (caching on); and with a warm
     * file, once its keys are prefetched or {@code --warm-deadline} has passed.
     */
    @Nullable
    String notReady() {
        String notServing = notServing();
        return notServing != null ? notServing : notWarm.get();
    }

    /** Why respite cannot serve coherently now (no upstream, or no tracking yet), or null. */
    @Nullable
    String notServing() {
        if (!upstreamAvailable.getAsBoolean()) {
            return "the upstream is unavailable";
        }
        if (coherence.mode() == CoherenceMode.TRACKING && !coherence.caching()) {
            return "Redis does not track respite's reads yet: caching is off";
        }
        return null;
    }

    private void register() {
        metrics.gauge(
                "respite_up", "1 while the upstream answers, else 0.", () -> upstreamAvailable.getAsBoolean() ? 1 : 0);
        metrics.gauge(
                "respite_uptime_seconds",
                "Seconds since respite started.",
                () -> (System.nanoTime() - startNanos) / 1e9);
        metrics.counter(
                "respite_cache_hits",
                "GET and MGET keys answered from the cache.",
                () -> cache.stats().hits());
        metrics.counter(
                "respite_cache_misses",
                "GET and MGET keys the cache did not hold.",
                () -> cache.stats().misses());
        metrics.gauge(
                "respite_cache_entries",
                "Entries in the cache.",
                () -> cache.stats().entries());
        metrics.gauge(
                "respite_cache_bytes",
                "Bytes the cache's entries are charged: key, value and overhead.",
                () -> cache.stats().weightBytes());
        metrics.counter(
                "respite_cache_evictions",
                "Entries evicted to stay within the cache's budget, by which budget.",
                "cause",
                series -> {
                    CacheStats stats = cache.stats();
                    series.accept("entries", stats.evictedBySize());
                    series.accept("bytes", stats.evictedByBytes());
                });
        metrics.counter(
                "respite_cache_expirations",
                "Entries removed at their deadline (the key's own expiry or --ttl).",
                () -> cache.stats().expired());
        metrics.counter(
                "respite_cache_invalidated",
                "Entries removed because their key changed (a write through respite or an invalidation).",
                () -> cache.stats().invalidated());
        metrics.counter(
                "respite_cache_stale_fills_refused",
                "Fills not cached because the key changed while they were read.",
                () -> cache.stats().staleFillsDropped());
        metrics.counter(
                "respite_cache_coalesced_misses",
                "Misses that joined a read in flight instead of reading again.",
                () -> cache.stats().coalesced());
        metrics.counter(
                "respite_invalidation_messages",
                "Invalidation messages from Redis.",
                () -> coherence.stats().messages());
        metrics.counter(
                "respite_invalidated_keys",
                "Keys Redis's invalidation messages named.",
                () -> coherence.stats().keys());
        metrics.counter(
                "respite_coherence_flushes",
                "Times the whole cache was dropped for coherence.",
                () -> coherence.stats().flushes());
        metrics.counter(
                "respite_coherence_fills_refused",
                "Fills not cached because Redis might not have tracked their read.",
                () -> coherence.stats().fillsRefused());
        metrics.gauge(
                "respite_caching",
                "1 while the cache serves reads (coherence allows it), else 0.",
                () -> coherence.caching() ? 1 : 0);
        metrics.counter(
                "respite_commands",
                "Client commands by name and outcome: hit, miss (GET and MGET), forwarded, local (answered by "
                        + "respite), error (refused by respite).",
                "command",
                "outcome",
                series -> {
                    CommandRouter routing = router;
                    if (routing != null) {
                        routing.commandCounts().forEach(series::series);
                    }
                });
        metrics.counter(
                "respite_http_requests",
                "HTTP API requests answered, by route (keys, lookup, key, none) and status.",
                "route",
                "status",
                series -> {
                    RequestCounts counts = httpRequests;
                    if (counts != null) {
                        counts.forEach(series::series);
                    }
                });
        metrics.gauge("respite_clients", "Client connections, RESP and HTTP.", clients::get);
        metrics.gauge(
                "respite_clients_pinned", "Dedicated upstream connections leased to clients now.", pinned::getAsInt);
        metrics.counter("respite_clients_rejected", "Connections refused at --max-clients.", rejectedClients::sum);
        metrics.counter(
                "respite_rate_limited", "Requests refused by a rate limit, by which limit.", "limit", series -> {
                    AdmissionStats stats = admission.stats();
                    series.accept("client", stats.rateLimitedClient());
                    series.accept("global", stats.rateLimitedGlobal());
                });
        metrics.counter(
                "respite_upstream_reconnects",
                "Shared upstream connections that came back after a failure.",
                upstreamReconnects::sum);
        metrics.gauge(
                "respite_upstream_ops_in_flight",
                "Commands in flight to Redis counted by --upstream-ops-limit.",
                () -> admission.stats().opsInFlight());
        metrics.gauge(
                "respite_upstream_ops_queued",
                "Commands waiting for --upstream-ops-limit.",
                () -> admission.stats().opsQueued());
        metrics.counter(
                "respite_upstream_ops_waited",
                "Commands that waited for --upstream-ops-limit.",
                () -> admission.stats().opsWaited());
        metrics.counter(
                "respite_upstream_ops_refused",
                "Commands refused because --upstream-queue was full.",
                () -> admission.stats().opsRefused());
        metrics.jvm();
    }

    private static void writeNumberOrNull(JsonGenerator json, String field, @Nullable Double value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value);
        }
    }

    /** A key as JSON text: UTF-8 where it is, each other byte as U+FFFD (a report, not a round trip). */
    private static String text(byte[] key, int from, int length) {
        return new String(key, from, length, StandardCharsets.UTF_8);
    }

    /** The JSON snapshot {@code /stats} answers and the dashboard polls. */
    byte[] stats() {
        CacheStats cached = cache.stats();
        CoherenceStats coherent = coherence.stats();
        AdmissionStats admitted = admission.stats();
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("version", version);
            json.writeNumberField("uptime_seconds", (System.nanoTime() - startNanos) / 1e9);
            json.writeNumberField("now_ms", System.currentTimeMillis());
            json.writeObjectFieldStart("coherence");
            json.writeStringField("mode", coherence.mode().name().toLowerCase(Locale.ROOT));
            json.writeBooleanField("caching", coherence.caching());
            json.writeNumberField("invalidation_messages", coherent.messages());
            json.writeNumberField("invalidated_keys", coherent.keys());
            json.writeNumberField("flushes", coherent.flushes());
            json.writeNumberField("fills_refused", coherent.fillsRefused());
            json.writeEndObject();
            json.writeObjectFieldStart("cache");
            json.writeNumberField("hits", cached.hits());
            json.writeNumberField("misses", cached.misses());
            json.writeNumberField("entries", cached.entries());
            json.writeNumberField("bytes", cached.weightBytes());
            json.writeNumberField("evicted_entries", cached.evictedBySize());
            json.writeNumberField("evicted_bytes", cached.evictedByBytes());
            json.writeNumberField("expired", cached.expired());
            json.writeNumberField("invalidated", cached.invalidated());
            json.writeNumberField("stale_fills_refused", cached.staleFillsDropped());
            json.writeNumberField("coalesced", cached.coalesced());
            json.writeEndObject();
            json.writeObjectFieldStart("upstream");
            json.writeBooleanField("available", upstreamAvailable.getAsBoolean());
            json.writeNumberField("ops_in_flight", admitted.opsInFlight());
            json.writeNumberField("ops_queued", admitted.opsQueued());
            UpstreamFigures.Quantiles recent = upstream.recent();
            writeNumberOrNull(json, "latency_p50_ms", recent.p50Millis());
            writeNumberOrNull(json, "latency_p99_ms", recent.p99Millis());
            json.writeNumberField("commands_in_flight", upstream.inFlight());
            json.writeNumberField("reconnects", upstreamReconnects.sum());
            json.writeEndObject();
            json.writeObjectFieldStart("commands");
            CommandRouter routing = router;
            json.writeNumberField(
                    "forwarded", routing == null ? 0 : routing.commandCounts().forwarded());
            json.writeNumberField("upstream_sent", upstream.sentTotal());
            json.writeEndObject();
            json.writeObjectFieldStart("clients");
            json.writeNumberField("connected", clients.get());
            json.writeNumberField("pinned", pinned.getAsInt());
            json.writeNumberField("rejected", rejectedClients.sum());
            json.writeNumberField("rate_limited", admitted.rateLimitedClient() + admitted.rateLimitedGlobal());
            json.writeEndObject();
            json.writeArrayFieldStart("hot_keys");
            for (HotKey key : routing == null ? List.<HotKey>of() : routing.hotKeys()) {
                json.writeStartObject();
                json.writeStringField("key", text(key.key(), 0, key.key().length));
                json.writeNumberField("count", key.count());
                json.writeNumberField("error", key.error());
                json.writeBooleanField("truncated", key.truncated());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("largest_values");
            for (StripedLruCache.ValueSize value :
                    routing == null ? List.<StripedLruCache.ValueSize>of() : routing.largestValues()) {
                byte[] cacheKey = value.cacheKey();
                int prefix = DatabaseKeys.prefixLength(cacheKey);
                json.writeStartObject();
                json.writeNumberField("db", DatabaseKeys.database(cacheKey));
                json.writeStringField("key", text(cacheKey, prefix, cacheKey.length - prefix));
                json.writeNumberField("bytes", value.bytes());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory", e);
        }
        return out.toByteArray();
    }
}
