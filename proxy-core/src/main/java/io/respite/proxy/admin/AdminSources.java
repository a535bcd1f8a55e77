package io.respite.proxy.admin;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where the admin routes' answers come from. Each is called on the asking connection's event
 * loop, once per request, and must be quick (a scrape of counters, not a round trip).
 *
 * @param notReady why respite should take no traffic now (for {@code /ready}: 503 with it), or
 *     null when it is ready
 * @param metrics the Prometheus text exposition
 * @param stats the JSON snapshot the dashboard polls
 */
public record AdminSources(
        Supplier<@Nullable String> notReady, Supplier<byte[]> metrics, String metricsType, Supplier<byte[]> stats) {}
