package io.respite.proxy.upstream;

/**
 * Told when a reconnecting upstream connection changes state, on the connection's event loop.
 * Both calls come once per transition: a connection that stays down is not reported again.
 */
public interface ConnectionListener {

    /** The connection is ready; {@code recovered} when it had been ready before and failed in between. */
    void ready(boolean recovered);

    /**
     * The connection went down (or failed to come up) for {@code cause}, in words; every command
     * pending on it has just failed.
     */
    void down(String cause);
}
