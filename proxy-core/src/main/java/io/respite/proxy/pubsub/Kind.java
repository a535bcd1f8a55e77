package io.respite.proxy.pubsub;

/** The three kinds of subscription Redis keeps, each with its own commands and message type. */
public enum Kind {
    CHANNEL("subscribe", "unsubscribe", "message"),
    PATTERN("psubscribe", "punsubscribe", "pmessage"),
    SHARD("ssubscribe", "sunsubscribe", "smessage");

    private final String subscribe;
    private final String unsubscribe;
    private final String message;

    Kind(String subscribe, String unsubscribe, String message) {
        this.subscribe = subscribe;
        this.unsubscribe = unsubscribe;
        this.message = message;
    }

    /** The command that subscribes, lower case, as Redis names it in its confirmations. */
    public String subscribe() {
        return subscribe;
    }

    /** The command that unsubscribes, lower case. */
    public String unsubscribe() {
        return unsubscribe;
    }

    /** The first element of a message push of this kind. */
    String message() {
        return message;
    }
}
