package io.respite.proxy.upstream;

/**
 * Told of each command sent on a shared lane and of how it ended, for the metrics: the upstream's
 * latency (a reply's time from send), the commands in flight, and failures. Called on the lane's
 * loop, once per command; implementations must be cheap and thread-safe across loops (striped
 * counters, not a shared lock).
 */
public interface UpstreamObserver {

    /** A command was sent. */
    void sent();

    /** A command sent {@code nanos} ago got its reply. */
    void answered(long nanos);

    /** A command got no reply: the connection broke, timed out, or was unavailable. */
    void failed();

    /** Observes nothing. */
    UpstreamObserver NONE = new UpstreamObserver() {
        @Override
        public void sent() {}

        @Override
        public void answered(long nanos) {}

        @Override
        public void failed() {}
    };
}
