package io.respite.proxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.reply.ReplyCallback;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CatalogLoaderTest {

    private static final String COMMAND_REPLY = "*1\r\n*6\r\n$3\r\nget\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n";

    private final AtomicReference<Catalog> catalog = new AtomicReference<>();
    private final CatalogLoader loader = new CatalogLoader(catalog);
    private final List<ReplyCallback> sent = new ArrayList<>();

    private void load() {
        loader.load((frame, callback) -> {
            frame.release();
            sent.add(callback);
        });
    }

    @Test
    void theCatalogIsPublishedWhenAllFourRepliesArrived() {
        load();
        assertEquals(4, sent.size(), "COMMAND, INFO server, CONFIG GET databases, INFO cluster");
        sent.get(0).onReply(buf(COMMAND_REPLY));
        sent.get(1).onReply(buf("$29\r\n# Server\r\nredis_version:7.2.4\r\n"));
        sent.get(2).onReply(buf("*2\r\n$9\r\ndatabases\r\n$2\r\n32\r\n"));
        assertNull(catalog.get(), "not before the last reply");
        sent.get(3).onReply(buf("$28\r\n# Cluster\r\ncluster_enabled:0\r\n"));
        Catalog loaded = catalog.get();
        assertNotNull(loaded);
        assertEquals("7.2.4", loaded.version());
        assertEquals(32, loaded.databases());
        assertNotNull(loaded.commands().get("GET"));
    }

    @Test
    void oneLoadAtATimeAndAFailureKeepsWhatWasThere() {
        load();
        load();
        assertEquals(4, sent.size(), "the second load waits for the first to end");
        for (ReplyCallback callback : List.copyOf(sent)) {
            callback.onFailure("ERR upstream unavailable (down)");
        }
        assertNull(catalog.get());
        load();
        assertEquals(8, sent.size(), "a new load after the failed one");
    }

    @Test
    void aClusterNodeStillGivesItsCatalog() {
        load();
        sent.get(0).onReply(buf(COMMAND_REPLY));
        sent.get(1).onReply(buf("$0\r\n\r\n"));
        sent.get(2).onReply(buf("*2\r\n$9\r\ndatabases\r\n$1\r\n1\r\n"));
        sent.get(3).onReply(buf("$28\r\n# Cluster\r\ncluster_enabled:1\r\n"));
        assertNotNull(catalog.get(), "said in the log, not fatal: the cluster may be what the operator wants next");
        assertEquals(1, catalog.get().databases());
    }

    @Test
    void whereConfigIsDeniedRedissDefaultOfSixteenDatabases() {
        load();
        sent.get(0).onReply(buf(COMMAND_REPLY));
        sent.get(1).onReply(buf("$0\r\n\r\n"));
        sent.get(2).onReply(buf("-ERR unknown command 'CONFIG'\r\n"));
        sent.get(3).onReply(buf("$0\r\n\r\n"));
        assertEquals(16, catalog.get().databases());
        assertEquals("unknown", catalog.get().version());
    }

    private static ByteBuf buf(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
