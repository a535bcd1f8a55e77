package io.respite.proxy.session;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;

/**
 * What respite must remember of a transaction between MULTI and EXEC beyond what Redis keeps:
 * whether respite itself refused a command inside it (Redis then aborts the EXEC, so respite
 * must too), and where in EXEC's reply the replies to queued {@code CONFIG GET}s will be (to
 * redact them). Owned by one session, on its event loop; not thread-safe.
 */
public final class QueuedTransaction {

    private boolean failed;
    private int queued;
    private final IntArrayList configGets = new IntArrayList();

    /** MULTI was sent: a new transaction starts. */
    public void begin() {
        failed = false;
        queued = 0;
        configGets.clear();
    }

    /** respite refused a command inside the transaction: its EXEC must abort, as Redis's would. */
    public void fail() {
        failed = true;
    }

    public boolean failed() {
        return failed;
    }

    /** Redis answered QUEUED to a command; {@code configGet} when that command was a CONFIG GET. */
    public void queued(boolean configGet) {
        if (configGet) {
            configGets.add(queued);
        }
        queued++;
    }

    /** Positions, in EXEC's reply, of the replies to queued CONFIG GETs. */
    public IntList configGets() {
        return configGets;
    }
}
