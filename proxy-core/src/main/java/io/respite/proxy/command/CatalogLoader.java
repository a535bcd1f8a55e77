package io.respite.proxy.command;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespAggregate;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespCommand;
import io.respite.resp.RespMessage;
import io.respite.resp.codec.RespReplyDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the {@link Catalog} from the upstream each time a connection to it becomes ready (it may
 * have been replaced by another version meanwhile): {@code COMMAND}, {@code INFO server},
 * {@code CONFIG GET databases} and {@code INFO cluster}, sent together, and the catalog published
 * once all four are answered; an upstream in cluster mode, which respite does not route for, is
 * said so in the log. One load at a time; a failed load keeps the previous catalog (or none:
 * caching stays off). Thread-safe: loads are started from any event loop, and the replies arrive
 * on the loop of the connection that carried them.
 */
public final class CatalogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogLoader.class);

    /** Redis's default where CONFIG is not allowed. */
    private static final int DEFAULT_DATABASES = 16;

    private static final Pattern LINES = Pattern.compile("\r\n");

    private final AtomicReference<Catalog> catalog;
    private final AtomicBoolean loading = new AtomicBoolean();

    private final boolean clusterExpected;

    /** @param catalog where the catalog is published; null inside until the first load succeeds */
    public CatalogLoader(AtomicReference<Catalog> catalog) {
        this(catalog, false);
    }

    /**
     * @param catalog where the catalog is published; null inside until the first load succeeds
     * @param clusterExpected whether respite was pointed at a Redis Cluster, and routes by slot
     */
    public CatalogLoader(AtomicReference<Catalog> catalog, boolean clusterExpected) {
        this.catalog = catalog;
        this.clusterExpected = clusterExpected;
    }

    /**
     * Starts a load, unless one is running, sending its commands with {@code send} (which takes
     * ownership of each frame and calls the callback once, with the reply or a failure).
     */
    public void load(BiConsumer<ByteBuf, ReplyCallback> send) {
        if (!loading.compareAndSet(false, true)) {
            return;
        }
        Load load = new Load();
        send.accept(frame("COMMAND"), load.part(0));
        send.accept(frame("INFO", "server"), load.part(1));
        send.accept(frame("CONFIG", "GET", "databases"), load.part(2));
        send.accept(frame("INFO", "cluster"), load.part(3));
    }

    /** Collects the replies the catalog is built from; all arrive on one loop. */
    private final class Load {

        private final RespMessage[] replies = new RespMessage[4];
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
                    LOG.warn("cannot load the upstream command table: {}", error);
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
                    boolean cluster = clusterEnabled(replies[3]);
                    Catalog loaded = new Catalog(
                            CommandTable.parse(replies[0]), redisVersion(replies[1]), databases(replies[2]), cluster);
                    catalog.set(loaded);
                    if (cluster && !clusterExpected) {
                        LOG.error("the upstream is a Redis Cluster node (cluster_enabled:1): respite routes by "
                                + "slot only for --upstream redis-cluster://host:port[,host:port...], so clients "
                                + "will get MOVED errors; point --upstream at the cluster that way");
                    }
                    LOG.info(
                            "upstream is Redis {}: {} commands, {} databases; caching enabled",
                            loaded.version(),
                            loaded.commands().size(),
                            loaded.databases());
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot read the upstream command table; caching stays off", e);
            } finally {
                for (RespMessage reply : replies) {
                    ReferenceCountUtil.release(reply);
                }
                loading.set(false);
            }
        }
    }

    private static String redisVersion(RespMessage info) {
        if (info instanceof RespBulkString bulk) {
            for (String line : LINES.split(bulk.content().toString(StandardCharsets.UTF_8), -1)) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length());
                }
            }
        }
        return "unknown";
    }

    /** Whether INFO cluster says the upstream runs in cluster mode. */
    private static boolean clusterEnabled(RespMessage info) {
        return info instanceof RespBulkString bulk
                && bulk.content().toString(StandardCharsets.UTF_8).contains("cluster_enabled:1");
    }

    /** CONFIG GET databases, or Redis's default of 16 where CONFIG is not allowed. */
    private static int databases(RespMessage reply) {
        if (reply instanceof RespAggregate aggregate
                && aggregate.elements().size() == 2
                && aggregate.elements().get(1) instanceof RespBulkString value) {
            try {
                return Integer.parseInt(value.content().toString(StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return DEFAULT_DATABASES;
            }
        }
        return DEFAULT_DATABASES;
    }

    /** A command of respite's own, as a frame; returns a new reference the caller must release (or send). */
    private static ByteBuf frame(String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame().retain();
        command.release();
        return frame;
    }
}
