package io.respite.proxy;

import io.netty.channel.EventLoop;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.WarmOptions;
import io.respite.proxy.session.CommandHandler;
import io.respite.proxy.session.ReplySink;
import io.respite.proxy.warm.WarmFile;
import io.respite.proxy.warm.WarmFile.WarmKey;
import io.respite.proxy.warm.Warmup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm restart as the server uses it ({@code --warm-file}): the hottest keys written at a
 * graceful stop, and prefetched at start. Stateless; the work is in {@code io.respite.proxy.warm}.
 */
final class WarmRestart {

    private static final Logger LOG = LoggerFactory.getLogger(WarmRestart.class);

    /**
     * Most warm-up GETs unanswered at once: enough to keep the pipelined lane busy on a local
     * network, few enough that a client's command never queues behind more than that many.
     */
    static final int MAX_IN_FLIGHT = 64;

    private WarmRestart() {}

    /**
     * Reads --warm-file, if any, and starts prefetching its keys through the router on {@code
     * loop} (through {@code handlers}, whose lane counts against --upstream-ops-limit like any
     * client's); returns the prefetch, or null when there is none. A missing or damaged file is
     * logged and ignored.
     */
    static @Nullable Warmup prefetch(
            ProxyConfig config,
            StripedLruCache cache,
            Function<ReplySink, CommandHandler> handlers,
            EventLoop loop,
            BooleanSupplier canCache) {
        WarmOptions options = config.warm();
        String file = options.file();
        if (file == null) {
            return null;
        }
        List<WarmKey> keys;
        try {
            keys = WarmFile.read(Path.of(file));
        } catch (NoSuchFileException e) {
            LOG.info("warm-up: no warm file {} yet: starting cold", file);
            return null;
        } catch (IOException | InvalidPathException e) {
            LOG.warn("warm-up: ignoring the warm file {}, starting cold: {}", file, e.getMessage());
            return null;
        }
        int opsLimit = config.admission().upstreamOpsLimit();
        String password = config.requirepass();
        Warmup warmup = new Warmup(
                keys,
                file,
                handlers,
                loop,
                config.upstream().database(),
                password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                options.opsPerSecond(),
                // A quarter of the ops limit at most, so that clients keep the rest of it.
                opsLimit == 0 ? MAX_IN_FLIGHT : Math.max(1, Math.min(MAX_IN_FLIGHT, opsLimit / 4)),
                System.nanoTime() + options.deadline().toNanos(),
                canCache,
                () -> cache.stats().loadsInFlight() > 0);
        warmup.start();
        return warmup;
    }

    /**
     * Writes the keys of the hottest --warm-keys entries to --warm-file, if set, the most recently
     * read first (see {@link StripedLruCache#hottestKeys}); a failure is logged, never fatal to the
     * stop.
     */
    static void write(ProxyConfig config, StripedLruCache cache) {
        String file = config.warm().file();
        if (file == null) {
            return;
        }
        long start = System.nanoTime();
        List<WarmKey> keys = new ArrayList<>();
        for (byte[] cacheKey : cache.hottestKeys(config.warm().keys())) {
            keys.add(WarmKey.ofCacheKey(cacheKey));
        }
        try {
            WarmFile.write(Path.of(file), keys);
            LOG.info(
                    "warm file {}: wrote the {} hottest keys in {} ms",
                    file,
                    keys.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (IOException | InvalidPathException e) {
            LOG.warn("warm file {}: not written: {}", file, e.toString());
        }
    }
}
