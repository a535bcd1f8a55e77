package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.respite.proxy.config.ClientOutputLimit;
import io.respite.proxy.config.ConfigException;
import io.respite.proxy.config.ConfigLoader;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.RateLimit;
import io.respite.proxy.config.UpstreamUri;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The reload seam on its own: a configuration in force, a new one, and a target that records what
 * it was asked to change. One test per kind of option: cache bounds, client limits, the ops limit,
 * rate limits, logging, options that need a restart, and a configuration that does not load.
 */
class ConfigReloadTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(ConfigReload.class);
    private final List<String> logged = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            synchronized (logged) {
                logged.add(event.getLevel() + " " + event.getFormattedMessage());
            }
        }
    };

    /** What the reload asked of the running proxy, one line per call. */
    private final List<String> calls = new ArrayList<>();

    private boolean opsLimitMayChange = true;
    private boolean cacheRefuses;

    private final ConfigReload.Target target = new ConfigReload.Target() {
        @Override
        public void cacheBounds(int capacityEntries, long maxMemoryBytes, Duration ttl) {
            if (cacheRefuses) {
                throw new IllegalArgumentException("maxEntries: " + capacityEntries + " (expected: >= stripes = 8)");
            }
            calls.add("cache " + capacityEntries + " " + maxMemoryBytes + " " + ttl.toMillis());
        }

        @Override
        public void clientLimits(int maxClients, ClientOutputLimit outputLimit) {
            calls.add("clients " + maxClients + " " + outputLimit);
        }

        @Override
        public boolean opsLimit(int limit, int queue) {
            calls.add("ops " + limit + " " + queue);
            return opsLimitMayChange;
        }

        @Override
        public void rateLimits(@Nullable RateLimit perClient, @Nullable RateLimit global) {
            calls.add("rates " + perClient + " / " + global);
        }

        @Override
        public void logLevel(String level) {
            calls.add("log " + level);
        }

        @Override
        public void slowlogThreshold(@Nullable Duration threshold) {
            calls.add("slowlog " + threshold);
        }
    };

    ConfigReloadTest() {
        capture.start();
        logger.addAppender(capture);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(capture);
    }

    private static ProxyConfig config(UnaryOperator<ProxyConfig.Builder> options) {
        return options.apply(ProxyConfig.builder().ioThreads(2)).build();
    }

    private ConfigReload.Outcome reload(ProxyConfig from, ProxyConfig to) {
        return new ConfigReload(from, target).apply(to);
    }

    @Test
    void cacheBoundsGoToTheCacheTogether() {
        ConfigReload.Outcome outcome = reload(
                config(b -> b),
                config(b -> b.capacityEntries(500).maxMemoryBytes(1 << 20).ttl(Duration.ofSeconds(5))));
        assertEquals(List.of("cache 500 1048576 5000"), calls);
        assertEquals(
                List.of("--capacity 1000000 -> 500", "--max-memory 268435456 -> 1048576", "--ttl 60000ms -> 5000ms"),
                outcome.applied());
        assertEquals(List.of(), outcome.restart());
        assertTrue(logged.contains("INFO reload: --ttl 60000ms -> 5000ms"), logged.toString());
    }

    @Test
    void cacheBoundsTheCacheCannotTakeWaitForARestartAndAreTriedAgainNextTime() {
        cacheRefuses = true;
        ConfigReload reload = new ConfigReload(config(b -> b), target);
        ConfigReload.Outcome outcome = reload.apply(config(b -> b.capacityEntries(4)));
        assertEquals(List.of(), outcome.applied());
        assertEquals(
                List.of("--capacity 4 and --max-memory 268435456 do not fit the running cache (maxEntries: 4 "
                        + "(expected: >= stripes = 8)); restart to apply"),
                outcome.restart());
        cacheRefuses = false;
        reload.apply(config(b -> b.capacityEntries(4)));
        assertEquals(List.of("cache 4 268435456 60000"), calls, "still differs from what is in force");
    }

    @Test
    void clientLimitsGoToTheClients() {
        ConfigReload.Outcome outcome = reload(
                config(b -> b),
                config(b -> b.maxClients(3).clientOutputLimit(new ClientOutputLimit(100, 10, Duration.ofSeconds(1)))));
        assertEquals(List.of("clients 3 100 10 1000ms"), calls);
        assertEquals(
                List.of(
                        "--max-clients 10000 -> 3",
                        "--client-output-limit 268435456 67108864 60000ms -> 100 10 1000ms"),
                outcome.applied());
    }

    @Test
    void theOpsLimitMovesButTurningItOnOrOffNeedsARestart() {
        ConfigReload reload = new ConfigReload(config(b -> b.upstreamOpsLimit(10)), target);
        ConfigReload.Outcome moved =
                reload.apply(config(b -> b.upstreamOpsLimit(20).upstreamQueue(5)));
        assertEquals(List.of("ops 20 5"), calls);
        assertEquals(List.of("--upstream-ops-limit 10 -> 20", "--upstream-queue 10000 -> 5"), moved.applied());

        opsLimitMayChange = false;
        ConfigReload.Outcome off = reload.apply(config(b -> b.upstreamOpsLimit(0)));
        assertEquals(List.of(), off.applied());
        assertEquals(List.of("--upstream-ops-limit turned off in the file; restart to apply"), off.restart());
        ConfigReload.Outcome again =
                reload.apply(config(b -> b.upstreamOpsLimit(20).upstreamQueue(5)));
        assertEquals(List.of(), again.applied(), "20 and 5 are still in force");
        assertEquals(List.of(), again.restart());
    }

    @Test
    void rateLimitsGoToAdmissionTogether() {
        ConfigReload.Outcome outcome = reload(
                config(b -> b.rateLimit(new RateLimit(10, 10))),
                config(b -> b.globalRateLimit(new RateLimit(50, 100))));
        assertEquals(List.of("rates null / 50 100"), calls);
        assertEquals(List.of("--rate-limit 10 10 -> none", "--global-rate-limit none -> 50 100"), outcome.applied());
    }

    @Test
    void logLevelAndSlowlogThresholdGoToTheLog() {
        ConfigReload.Outcome outcome = reload(
                config(b -> b.logLevel("info")), config(b -> b.logLevel("debug").slowlogThreshold(null)));
        assertEquals(List.of("log debug", "slowlog null"), calls);
        assertEquals(List.of("--log-level info -> debug", "--slowlog-threshold 10ms -> none"), outcome.applied());
    }

    @Test
    void optionsReadAtStartAreReportedByNameEveryTimeAndNotApplied() {
        ProxyConfig started = config(b -> b);
        ProxyConfig changed = config(b -> b.port(7000)
                .upstream(UpstreamUri.parse("redis://:secret@10.0.0.1:6379"))
                .ioThreads(4)
                .httpPort(8080)
                .logJson(true)
                .warmFile("/tmp/w")
                .ttl(Duration.ofSeconds(9)));
        ConfigReload reload = new ConfigReload(started, target);
        ConfigReload.Outcome first = reload.apply(changed);
        List<String> expected = List.of(
                "--port changed in the file; restart to apply",
                "--upstream changed in the file; restart to apply",
                "--io-threads changed in the file; restart to apply",
                "--http-port changed in the file; restart to apply",
                "--log-format changed in the file; restart to apply",
                "--warm-file changed in the file; restart to apply");
        assertEquals(expected, first.restart());
        assertEquals(List.of("--ttl 60000ms -> 9000ms"), first.applied(), "the live option still applies");
        assertTrue(logged.contains("WARN reload: --port changed in the file; restart to apply"), logged.toString());
        assertTrue(logged.stream().noneMatch(line -> line.contains("secret")), "no value is logged: " + logged);

        ConfigReload.Outcome second = reload.apply(changed);
        assertEquals(expected, second.restart(), "still waiting for a restart");
        assertEquals(List.of(), second.applied());
        assertEquals(List.of("cache 1000000 268435456 9000"), calls);
    }

    @Test
    void everyOptionIsEitherLiveOrReportedAsNeedingARestart() {
        Set<String> options = new TreeSet<>();
        Matcher flags = Pattern.compile("--([a-z-]+)=").matcher(ConfigLoader.usage());
        while (flags.find()) {
            options.add(flags.group(1));
        }
        options.remove("config");
        assertTrue(options.size() > 30, options.toString());
        assertEquals(options, ConfigReload.optionsKnown(), "a new option must be live in ConfigReload or in FIXED");
    }

    @Test
    void nothingChangedSaysSo() {
        ConfigReload.Outcome outcome = reload(config(b -> b), config(b -> b));
        assertEquals(List.of(), outcome.applied());
        assertEquals(List.of(), outcome.restart());
        assertEquals(List.of(), calls);
        assertTrue(logged.contains("INFO reload: nothing changed"), logged.toString());
    }

    @Test
    void aConfigurationThatDoesNotLoadIsRejectedWholeAndLogged() {
        ConfigReload reload = new ConfigReload(config(b -> b), target);
        ConfigException invalid = assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--ttl", "5s", "--port", "70000"}, Map.of()));
        ConfigReload.Outcome outcome = reload.reload(() -> {
            throw invalid;
        });
        assertEquals(invalid.getMessage(), outcome.rejected());
        assertEquals(List.of(), calls, "nothing applied, not even the valid --ttl");
        assertTrue(
                logged.contains("ERROR reload rejected, the configuration in force is kept: " + invalid.getMessage()),
                logged.toString());
        assertNull(reload.reload(() -> config(b -> b)).rejected(), "a later good one is taken");
    }
}
