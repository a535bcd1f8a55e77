package io.respite.proxy.upstream;

import io.netty.buffer.ByteBuf;
import io.respite.proxy.logging.RateLimitedLog;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The slow-command log ({@code --slowlog-threshold}), as Redis's SLOWLOG but in respite's log: an
 * upstream command whose reply took longer than the threshold, with its name, first argument and
 * database. At most one line a second (a slow Redis makes every command slow), the next line
 * counting those left out. Thread-safe.
 */
final class SlowCommands {

    private static final RateLimitedLog LOG =
            new RateLimitedLog(LoggerFactory.getLogger(SlowCommands.class), Level.WARN, 1, TimeUnit.SECONDS);

    /** Bytes of a command shown: enough for its name and the start of a key. */
    private static final int SHOWN_BYTES = 64;

    private SlowCommands() {}

    /**
     * The command in {@code frame} as the log shows it: its first two arguments, printable,
     * truncated, and its database. Borrows {@code frame}, which must be a RESP array of bulk strings.
     */
    static String describe(ByteBuf frame, int database) {
        StringBuilder out = new StringBuilder(SHOWN_BYTES + 16);
        int at = frame.readerIndex();
        int end = frame.writerIndex();
        // Skip "*<count>\r\n", then read up to two "$<length>\r\n<bytes>\r\n".
        at = frame.indexOf(at, end, (byte) '\n') + 1;
        for (int arg = 0; arg < 2 && at > 0 && at < end && frame.getByte(at) == '$'; arg++) {
            int lineEnd = frame.indexOf(at, end, (byte) '\r');
            if (lineEnd < 0) {
                break;
            }
            int length = Integer.parseInt(frame.toString(at + 1, lineEnd - at - 1, StandardCharsets.US_ASCII));
            int start = lineEnd + 2;
            if (arg > 0) {
                out.append(' ');
            }
            for (int i = start; i < Math.min(start + length, end) && out.length() < SHOWN_BYTES; i++) {
                int b = frame.getByte(i) & 0xFF;
                out.append(b >= ' ' && b < 0x7f ? (char) b : '?');
            }
            at = start + length + 2;
        }
        return out.append(" (db ").append(database).append(')').toString();
    }

    /** Logs {@code description}, which took {@code nanos}, over {@code thresholdNanos}. */
    static void log(String description, long nanos, long thresholdNanos) {
        LOG.log("slow upstream command: " + description + " took " + TimeUnit.NANOSECONDS.toMicros(nanos) / 1000.0
                + " ms (--slowlog-threshold " + TimeUnit.NANOSECONDS.toMillis(thresholdNanos) + " ms)");
    }
}
