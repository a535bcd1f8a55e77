package io.respite.proxy.coherence;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.buffer.Unpooled;

/**
 * Drives a {@link Coherence} as its invalidation stream would, for tests of other packages (the
 * fill path in dispatch): tracking comes up, invalidations arrive, the stream is lost. A test
 * seam only; production code reaches these transitions through the stream's listener.
 */
public final class CoherenceDriver {

    private CoherenceDriver() {}

    /** Redis tracks reads from now on; returns the epoch a lane's reads are tracked in. */
    public static int trackingOn(Coherence coherence) {
        return coherence.trackingOn();
    }

    /** Redis's push {@code >2 invalidate [keys...]} arrives on the stream. */
    public static void invalidate(Coherence coherence, String... keys) {
        StringBuilder push = new StringBuilder(">2\r\n$10\r\ninvalidate\r\n*" + keys.length + "\r\n");
        for (String key : keys) {
            push.append('$').append(key.length()).append("\r\n").append(key).append("\r\n");
        }
        coherence.invalidation(Unpooled.copiedBuffer(push, UTF_8));
    }

    /** The stream is lost. */
    public static void streamDown(Coherence coherence, String cause) {
        coherence.streamDown(cause);
    }
}
