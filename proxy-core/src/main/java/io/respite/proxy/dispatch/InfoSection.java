package io.respite.proxy.dispatch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.respite.proxy.admission.AdmissionStats;
import io.respite.proxy.cache.CacheStats;
import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.cache.StripedLruCache;
import io.respite.proxy.coherence.Coherence;
import io.respite.proxy.coherence.CoherenceStats;
import io.respite.proxy.hotkeys.HotKey;
import io.respite.proxy.reply.ReplyCallback;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * INFO through respite: Redis's own sections, with a {@code # Respite} section appended (to the
 * default sections, to {@code all} and {@code everything}, and wherever {@code respite} is asked
 * for), in Redis's {@code field:value} lines, so that clients parsing INFO keep working;
 * {@code INFO respite} alone is answered here. Stateless but for its start time.
 */
final class InfoSection {

    private static final String VERSION = version();

    private final StripedLruCache cache;
    private final Coherence coherence;
    private final IntSupplier clients;
    private final CommandRouter reports;
    private final long startNanos = System.nanoTime();
    /**
     * Whether the hot keys and largest values are shown: not with {@code --auth passthrough}, where
     * they would show one user the names of keys another read, which Redis might refuse them.
     */
    private final boolean keyNames;

    /**
     * @param clients how many clients are connected
     * @param reports where the hot-key and largest-value reports are kept
     * @param keyNames whether the reports, which name keys, are shown
     */
    InfoSection(
            StripedLruCache cache, Coherence coherence, IntSupplier clients, CommandRouter reports, boolean keyNames) {
        this.cache = cache;
        this.coherence = coherence;
        this.clients = clients;
        this.reports = reports;
        this.keyNames = keyNames;
    }

    /**
     * Handles INFO when respite's section belongs in the reply, returning true; returns false for
     * an INFO of Redis's sections only, which the caller forwards as it is. Borrows {@code command}.
     */
    boolean info(ClientContext client, RespCommand command, CommandRouter router) {
        List<String> sections = new ArrayList<>();
        boolean respite = command.argCount() == 1;
        for (int i = 1; i < command.argCount(); i++) {
            String section = command.argString(i).toLowerCase(Locale.ROOT);
            if (section.equals("respite")) {
                respite = true;
            } else {
                respite |= section.equals("all") || section.equals("everything") || section.equals("default");
                sections.add(section);
            }
        }
        if (!respite) {
            return false;
        }
        if (command.argCount() > 1 && sections.isEmpty()) {
            client.sink()
                    .reply(Replies.clientText(client, section(client.admission().stats())));
            return true;
        }
        List<String> args = new ArrayList<>();
        args.add("INFO");
        args.addAll(sections);
        RespCommand upstream = RespCommand.of(args.toArray(String[]::new));
        AdmissionStats admission = client.admission().stats();
        try {
            ReplyCallback slot = client.sink().replyLater();
            router.sendShared(client, upstream, new ReplyCallback() {
                @Override
                public void onReply(ByteBuf frame) {
                    slot.onReply(append(frame, admission));
                }

                @Override
                public void onFailure(String error) {
                    slot.onFailure(error);
                }
            });
        } finally {
            upstream.release();
        }
        return true;
    }

    /** Redis's INFO text with respite's section after it; takes ownership of {@code frame}. */
    private ByteBuf append(ByteBuf frame, AdmissionStats admission) {
        byte type = frame.isReadable() ? frame.getByte(frame.readerIndex()) : 0;
        if (type != '$' && type != '=') {
            return frame; // an error: passed on as it is
        }
        try {
            String reply = frame.toString(StandardCharsets.UTF_8);
            int start = reply.indexOf("\r\n") + 2;
            String text = reply.substring(start, reply.length() - 2);
            String prefix = type == '=' ? text.substring(0, 4) : "";
            String body = text.substring(prefix.length());
            String joined = prefix + body + (body.isEmpty() ? "" : "\r\n") + section(admission);
            byte[] bytes = joined.getBytes(StandardCharsets.UTF_8);
            ByteBuf out = Unpooled.buffer(bytes.length + 16);
            out.writeCharSequence((char) type + Integer.toString(bytes.length) + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(bytes);
            out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
            return out;
        } finally {
            frame.release();
        }
    }

    /** The {@code # Respite} section, lines ending in CRLF as Redis's; {@code admission}'s counters among them. */
    String section(AdmissionStats admission) {
        CacheStats stats = cache.stats();
        CoherenceStats coherent = coherence.stats();
        return "# Respite\r\n"
                + "respite_version:" + VERSION + "\r\n"
                + "uptime_in_seconds:" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos) + "\r\n"
                + "connected_clients:" + clients.getAsInt() + "\r\n"
                + "coherence_mode:" + coherence.mode().name().toLowerCase(Locale.ROOT) + "\r\n"
                + "caching:" + (coherence.caching() ? 1 : 0) + "\r\n"
                + "cache_entries:" + stats.entries() + "\r\n"
                + "cache_bytes:" + stats.weightBytes() + "\r\n"
                + "cache_hits:" + stats.hits() + "\r\n"
                + "cache_misses:" + stats.misses() + "\r\n"
                + "cache_coalesced:" + stats.coalesced() + "\r\n"
                + "cache_evicted_by_size:" + stats.evictedBySize() + "\r\n"
                + "cache_evicted_by_bytes:" + stats.evictedByBytes() + "\r\n"
                + "cache_expired:" + stats.expired() + "\r\n"
                + "cache_invalidated:" + stats.invalidated() + "\r\n"
                + "cache_stale_fills_dropped:" + stats.staleFillsDropped() + "\r\n"
                + "invalidation_messages:" + coherent.messages() + "\r\n"
                + "invalidation_keys:" + coherent.keys() + "\r\n"
                + "coherence_flushes:" + coherent.flushes() + "\r\n"
                + "admission_rate_limited_client:" + admission.rateLimitedClient() + "\r\n"
                + "admission_rate_limited_global:" + admission.rateLimitedGlobal() + "\r\n"
                + "admission_ops_in_flight:" + admission.opsInFlight() + "\r\n"
                + "admission_ops_queued:" + admission.opsQueued() + "\r\n"
                + "admission_ops_waited:" + admission.opsWaited() + "\r\n"
                + "admission_ops_refused:" + admission.opsRefused() + "\r\n"
                + (keyNames ? reports() : "");
    }

    /**
     * The hot keys and the largest cached values, one line each, numbered from 0:
     * {@code hot_key_0:key=user:1,reads=532,error=0} and
     * {@code largest_value_0:db=0,key=blob,bytes=1048586}, with their counts first.
     */
    private String reports() {
        StringBuilder lines = new StringBuilder();
        List<HotKey> hot = reports.hotKeys();
        lines.append("hot_keys:").append(hot.size()).append("\r\n");
        for (int i = 0; i < hot.size(); i++) {
            HotKey key = hot.get(i);
            lines.append("hot_key_").append(i).append(":key=").append(printable(key.key(), 0, key.key().length));
            lines.append(",reads=")
                    .append(key.count())
                    .append(",error=")
                    .append(key.error())
                    .append("\r\n");
        }
        List<StripedLruCache.ValueSize> largest = reports.largestValues();
        lines.append("largest_values:").append(largest.size()).append("\r\n");
        for (int i = 0; i < largest.size(); i++) {
            byte[] cacheKey = largest.get(i).cacheKey();
            int prefix = DatabaseKeys.prefixLength(cacheKey);
            lines.append("largest_value_").append(i).append(":db=").append(DatabaseKeys.database(cacheKey));
            lines.append(",key=").append(printable(cacheKey, prefix, cacheKey.length - prefix));
            lines.append(",bytes=").append(largest.get(i).bytes()).append("\r\n");
        }
        return lines.toString();
    }

    /**
     * A key as one INFO value can hold it: printable ASCII as it is, but for the separators
     * {@code ,} {@code :} {@code =} and the escape {@code \}, which like every other byte are
     * written {@code \xHH}.
     */
    static String printable(byte[] key, int from, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = from; i < from + length; i++) {
            int b = key[i] & 0xFF;
            if (b > ' ' && b < 0x7f && b != ',' && b != ':' && b != '=' && b != '\\') {
                out.append((char) b);
            } else {
                out.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        return out.toString();
    }

    private static String version() {
        String version = InfoSection.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
