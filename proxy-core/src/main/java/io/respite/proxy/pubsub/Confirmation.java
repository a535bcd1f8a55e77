package io.respite.proxy.pubsub;

/**
 * Told exactly once whether a subscription is in force upstream: Redis confirmed it (messages
 * published from now on reach the subscriber), refused it, or the subscriber connection failed
 * first.
 */
public interface Confirmation {

    /** Redis confirmed the subscription. */
    void confirmed();

    /** The subscriber connection failed first; {@code error} is the reason, for the client. */
    void failed(String error);

    /**
     * Redis refused the subscription (an ACL's NOPERM, BUSY during a script): nothing is
     * subscribed. {@code error} is Redis's error, without its {@code -}, for the client.
     */
    void refused(String error);
}
