package io.respite.proxy.dispatch;

import io.respite.resp.RespCommand;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;

/**
 * What respite must remember of a transaction between MULTI and EXEC beyond what Redis keeps:
 * the writes queued in it (their keys leave the cache again when EXEC is answered), whether
 * respite itself refused a command inside it (Redis then aborts the EXEC, so respite must too),
 * and where in EXEC's reply the replies to queued {@code CONFIG GET}s will be (to redact them).
 * Owned by one client's {@link Pinning}, on its event loop; not thread-safe.
 */
final class QueuedTransaction {

    private final List<RespCommand> writes = new ArrayList<>();
    private final IntArrayList configGets = new IntArrayList();
    private boolean failed;
    private int queued;

    /** MULTI was sent: a new transaction starts. */
    void begin() {
        release();
        failed = false;
        queued = 0;
        configGets.clear();
    }

    /** respite refused a command inside the transaction: its EXEC must abort, as Redis's would. */
    void fail() {
        failed = true;
    }

    boolean failed() {
        return failed;
    }

    /** Redis answered QUEUED to a command; {@code configGet} when that command was a CONFIG GET. */
    void queued(boolean configGet) {
        if (configGet) {
            configGets.add(queued);
        }
        queued++;
    }

    /** Positions, in EXEC's reply, of the replies to queued CONFIG GETs. */
    IntList configGets() {
        return configGets;
    }

    /** Keeps a write sent inside the transaction, retaining it, to invalidate its keys again at EXEC. */
    void queueWrite(RespCommand command) {
        writes.add(command.retain());
    }

    /** Hands over the transaction's writes; the caller releases them. */
    List<RespCommand> takeWrites() {
        List<RespCommand> taken = new ArrayList<>(writes);
        writes.clear();
        return taken;
    }

    /** Drops the writes kept (RESET, a lost connection, the client gone). */
    void release() {
        writes.forEach(RespCommand::release);
        writes.clear();
    }
}
