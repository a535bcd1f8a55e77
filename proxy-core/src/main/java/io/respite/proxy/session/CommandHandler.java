package io.respite.proxy.session;

import io.respite.resp.RespCommand;

/** Decides what to do with each command of a session: answer it, or forward it and answer later. */
public interface CommandHandler {

    /**
     * Handles one command. Borrows {@code command}: the session releases it after this returns,
     * so a handler that forwards its frame must retain it.
     */
    void handle(ClientSession session, RespCommand command);
}
