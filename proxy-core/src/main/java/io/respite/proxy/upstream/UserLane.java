package io.respite.proxy.upstream;

/**
 * One user's way upstream on one event loop ({@code --auth passthrough}): a lane whose
 * connections, shared, dedicated, out-of-band and subscriber alike, authenticate as that user, so
 * Redis applies the user's ACL to every command. Its shared connections track their reads as the
 * loop's own do. Only its loop may call it.
 */
public interface UserLane extends UpstreamLane {

    /**
     * Closes every connection of the lane; pending commands fail. Leases end with their sessions.
     * Redis stops tracking what the lane read, which the lane reports as the loss of a connection.
     */
    void close();
}
