package io.respite.proxy.dispatch;

import io.respite.resp.RespCommand;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;

/**
 * What respite must remember of a transaction between MULTI and EXEC beyond what Redis keeps:
 * the writes queued in it and their databases (their keys leave the cache again when EXEC is
 * answered), the database a queued SELECT switches to at EXEC, whether
 * respite itself refused a command inside it (Redis then aborts the EXEC, so respite must too),
 * and where in EXEC's reply the replies to queued {@code CONFIG GET}s will be (to redact them).
 * Owned by one client's {@link Pinning}, on its event loop; not thread-safe.
 */
final class QueuedTransaction {

    /** A write queued in the transaction, in the database it runs in. */
    record QueuedWrite(int database, RespCommand command) {}

    private final List<QueuedWrite> writes = new ArrayList<>();
    /** The database the last queued SELECT switches to at EXEC, or -1. */
    private int selected = -1;

    private final IntArrayList configGets = new IntArrayList();
    private boolean failed;
    private int queued;

    /** MULTI was sent: a new transaction starts. */
    void begin() {
        release();
        failed = false;
        selected = -1;
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

    /** Commands Redis answered QUEUED so far. */
    int queuedCount() {
        return queued;
    }

    /** Positions, in EXEC's reply, of the replies to queued CONFIG GETs. */
    IntList configGets() {
        return configGets;
    }

    /**
     * A SELECT of {@code database} was queued: the commands queued after it run there, and the
     * client stays there after EXEC.
     */
    void select(int database) {
        selected = database;
    }

    /** The database a queued SELECT switches to at EXEC, or -1 when none was queued. */
    int selected() {
        return selected;
    }

    /** The database a command queued now runs in, for a client in {@code clientDatabase}. */
    int database(int clientDatabase) {
        return selected >= 0 ? selected : clientDatabase;
    }

    /**
     * Keeps a write sent inside the transaction, retaining it, to invalidate its keys again at
     * EXEC, in {@code database}, where it runs.
     */
    void queueWrite(int database, RespCommand command) {
        writes.add(new QueuedWrite(database, command.retain()));
    }

    /** Hands over the transaction's writes; the caller releases their commands. */
    List<QueuedWrite> takeWrites() {
        List<QueuedWrite> taken = new ArrayList<>(writes);
        writes.clear();
        return taken;
    }

    /** Drops the writes kept (RESET, a lost connection, the client gone). */
    void release() {
        writes.forEach(write -> write.command().release());
        writes.clear();
    }
}
