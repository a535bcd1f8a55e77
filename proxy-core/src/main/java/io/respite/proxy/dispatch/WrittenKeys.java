package io.respite.proxy.dispatch;

import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.command.KeySpec;
import io.respite.resp.RespCommand;
import java.nio.charset.StandardCharsets;

/**
 * Finds the keys a command may modify, and in which database, from the upstream's key specs: every
 * key of a spec without the {@code RO} flag. Three commands need more than their specs say:
 * <ul>
 *   <li>{@code SORT ... STORE dest}: Redis marks the STORE spec unknown because the keyword may
 *       appear anywhere; the key after a {@code STORE} argument is the written one.</li>
 *   <li>{@code COPY src dst DB n}: the destination is in database {@code n}, not the client's.</li>
 *   <li>{@code MOVE key n}: the key is written in database {@code n} too (where a cached nil
 *       would otherwise survive it).</li>
 * </ul>
 */
final class WrittenKeys {

    private static final byte[] STORE = "STORE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DB = "DB".getBytes(StandardCharsets.US_ASCII);

    /** Receives each written key: its database and its argument index. */
    interface Sink {
        void key(int database, int argIndex);
    }

    private WrittenKeys() {}

    /**
     * Reports every key {@code command} may write to {@code sink}. Returns false when some cannot
     * be found (a writing spec Redis calls unknown, or arguments that do not fit a spec): the
     * caller must then assume any key may have changed. Borrows {@code command}.
     */
    static boolean forEach(CommandInfo info, RespCommand command, int database, Sink sink) {
        boolean complete = true;
        for (KeySpec spec : info.keySpecs()) {
            if (!spec.writes()) {
                continue;
            }
            if (spec.isUnknown()) {
                complete &= info.name().equals("sort") && sortStore(command, database, sink);
                continue;
            }
            int target = info.name().equals("copy") ? copyDatabase(command, database) : database;
            complete &= spec.forEachKey(command, arg -> sink.key(arg == 2 ? target : database, arg));
        }
        if (info.name().equals("move") && command.argCount() == 3) {
            long target = command.argLong(2, -1);
            if (target < 0 || target > Integer.MAX_VALUE) {
                return false;
            }
            sink.key((int) target, 1);
        }
        return complete;
    }

    /** The key after SORT's STORE, if any. */
    private static boolean sortStore(RespCommand command, int database, Sink sink) {
        for (int i = 2; i + 1 < command.argCount(); i++) {
            if (command.argEqualsIgnoreCase(i, STORE)) {
                sink.key(database, i + 1);
            }
        }
        return true;
    }

    /** The database of COPY's destination: the DB option's, else the client's. */
    private static int copyDatabase(RespCommand command, int database) {
        for (int i = 3; i + 1 < command.argCount(); i++) {
            if (command.argEqualsIgnoreCase(i, DB)) {
                long db = command.argLong(i + 1, -1);
                return db >= 0 && db <= Integer.MAX_VALUE ? (int) db : database;
            }
        }
        return database;
    }
}
