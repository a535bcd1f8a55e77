package io.respite.proxy.session;

import io.respite.resp.RespCommand;

/**
 * The meaning of one client's commands: a session hands it each command in order, and tells it
 * when its client stops or starts taking replies again and when it leaves. One per client, made
 * by the factory a session is given, on the client's event loop.
 */
public interface CommandHandler {

    /**
     * Handles one command. Borrows {@code command}: the session releases it after this returns, so
     * a handler that forwards its frame must retain it.
     */
    void handle(RespCommand command);

    /** The client's socket buffer filled up ({@code false}) or has room again ({@code true}). */
    void writabilityChanged(boolean writable);

    /** The client is gone: release whatever is held for it. Called once. */
    void closed();
}
