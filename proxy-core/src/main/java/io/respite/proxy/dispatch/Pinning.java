package io.respite.proxy.dispatch;

/**
 * Where one client's commands go, and until when: the shared lane, or the client's dedicated
 * upstream connection, for state that lives on a Redis connection. A pure state machine, driven
 * by what is sent on the dedicated connection and by its replies; {@link ClientContext} leases
 * the connection itself, and gives it back whenever the state returns to SHARED.
 *
 * <pre>
 *                   MULTI sent                EXEC or DISCARD sent
 *   SHARED ─────────────────────► TRANSACTION ──────────────────────► SETTLING
 *     │ ▲  WATCH sent                 ▲ MULTI sent                       │
 *     │ └──────────► WATCHING ────────┘                                  │
 *     │              │   UNWATCH sent ──────────────────────────────────►│
 *     │ any other command sent (a blocking one) ────────────────────────►│
 *     │ ◄──────────────────────── its last reply in flight arrived ──────┘
 *     └── MONITOR, CLIENT TRACKING, CLIENT REPLY sent
 *         ──► RELAYING, for the rest of the connection
 *   RESET, or the dedicated connection lost: SHARED, from any state.
 *
 *   Without a connection to be had (--max-pinned reached), failing safe:
 *   SHARED ── MULTI refused ──► REFUSED ── EXEC (EXECABORT) or DISCARD ──► SHARED
 *   SHARED ── WATCH refused ──► WATCH_REFUSED ── UNWATCH ──► SHARED
 *                                     └── MULTI ──► REFUSED (the WATCH it relies on was not kept)
 * </pre>
 *
 * <p>In REFUSED, as in a Redis transaction whose queuing failed, every command up to EXEC or
 * DISCARD is refused without running, so nothing meant for a transaction ever runs outside one;
 * in WATCH_REFUSED, commands run on the shared lane as usual.
 *
 * <p>A command that does not change the state (a WATCH inside MULTI, which Redis refuses; an EXEC
 * without MULTI) leaves it as it is. In every state but SHARED, all of the client's commands go
 * to the dedicated connection, so that none overtakes another. Moving off the shared lane waits
 * until every reply pending there has arrived (the router holds the command until then).
 *
 * <p>Owned by one client, on its event loop; not thread-safe.
 */
final class Pinning {

    /** Where commands go. */
    enum State {
        /** The shared lane. */
        SHARED,
        /** The dedicated connection, until the replies in flight there have all arrived; then SHARED. */
        SETTLING,
        /** The dedicated connection: WATCH is in effect, until EXEC, DISCARD, UNWATCH or RESET. */
        WATCHING,
        /** The dedicated connection: inside MULTI, until EXEC, DISCARD or RESET. */
        TRANSACTION,
        /** The dedicated connection for good, its frames relayed as they come: MONITOR, tracking. */
        RELAYING,
        /** No connection: a MULTI was refused, and every command up to EXEC or DISCARD is too. */
        REFUSED,
        /** No connection: a WATCH was refused, so the next MULTI is too. Commands use the shared lane. */
        WATCH_REFUSED
    }

    /** What a command sent on the dedicated connection does to the state. */
    enum Sent {
        MULTI,
        EXEC,
        DISCARD,
        WATCH,
        UNWATCH,
        /** MONITOR, CLIENT TRACKING, CLIENT REPLY. */
        RELAY,
        /** Anything else, a blocking command above all. */
        OTHER
    }

    private final QueuedTransaction transaction = new QueuedTransaction();
    private State state = State.SHARED;
    /** Commands sent on the dedicated connection whose reply has not arrived. */
    private int inFlight;
    /**
     * Which dedicated connection the replies count for: a reply (or failure) that comes after a
     * reset belongs to the connection that reset dropped, and must not count for the next one.
     */
    private int epoch;

    State state() {
        return state;
    }

    /** True while commands go to the dedicated connection. */
    boolean pinned() {
        return state != State.SHARED && state != State.REFUSED && state != State.WATCH_REFUSED;
    }

    /** True while a refused MULTI's commands are refused, up to EXEC or DISCARD. */
    boolean transactionRefused() {
        return state == State.REFUSED;
    }

    /** True after a refused WATCH, until UNWATCH, a MULTI (refused too) or RESET. */
    boolean watchRefused() {
        return state == State.WATCH_REFUSED;
    }

    /** A MULTI could not get a connection (in SHARED or WATCH_REFUSED). */
    void refuseTransaction() {
        state = State.REFUSED;
    }

    /** A WATCH could not get a connection (in SHARED). */
    void refuseWatch() {
        state = State.WATCH_REFUSED;
    }

    /** EXEC or DISCARD ended a refused transaction, or UNWATCH a refused WATCH. */
    void endRefusal() {
        if (state == State.REFUSED || state == State.WATCH_REFUSED) {
            state = State.SHARED;
        }
    }

    boolean relaying() {
        return state == State.RELAYING;
    }

    boolean inTransaction() {
        return state == State.TRANSACTION;
    }

    /** The current transaction's bookkeeping; meaningful in TRANSACTION and for the EXEC that ends it. */
    QueuedTransaction transaction() {
        return transaction;
    }

    /** Replies awaited on the dedicated connection. */
    int inFlight() {
        return inFlight;
    }

    /**
     * A command went to the dedicated connection; except for {@link Sent#RELAY}, its reply is
     * awaited. Returns the epoch to hand back with {@link #replied(int)}.
     */
    int sent(Sent command) {
        if (command == Sent.RELAY) {
            state = State.RELAYING;
            return epoch;
        }
        inFlight++;
        state = switch (state) {
            case SHARED -> command == Sent.MULTI ? begin() : command == Sent.WATCH ? State.WATCHING : State.SETTLING;
            case SETTLING -> command == Sent.MULTI ? begin() : command == Sent.WATCH ? State.WATCHING : State.SETTLING;
            case WATCHING ->
                command == Sent.MULTI ? begin() : command == Sent.UNWATCH ? State.SETTLING : State.WATCHING;
            case TRANSACTION -> command == Sent.EXEC || command == Sent.DISCARD ? State.SETTLING : State.TRANSACTION;
            case RELAYING -> State.RELAYING;
            case REFUSED, WATCH_REFUSED -> throw new IllegalStateException("sent on a connection while " + state);
        };
        return epoch;
    }

    private State begin() {
        transaction.begin();
        return State.TRANSACTION;
    }

    /**
     * A reply awaited on the dedicated connection arrived, or the command failed; {@code sentIn}
     * is what {@link #sent} returned for it. Replies of a connection dropped since are ignored.
     */
    void replied(int sentIn) {
        if (sentIn != epoch) {
            return;
        }
        if (--inFlight == 0 && state == State.SETTLING) {
            state = State.SHARED;
        }
    }

    /** RESET, or the dedicated connection is gone: its state went with it. */
    void reset() {
        state = State.SHARED;
        inFlight = 0;
        epoch++;
        transaction.release();
    }
}
