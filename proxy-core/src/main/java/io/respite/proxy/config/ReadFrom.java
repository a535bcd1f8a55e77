package io.respite.proxy.config;

import java.util.Locale;

/**
 * Where a Redis Cluster's forwarded read-only commands go ({@code --read-from}), as Envoy's read
 * policy. GET and MGET always read primaries, whatever this says: they fill the cache, and only
 * the slot's primary tracks respite's reads of it, so a fill read elsewhere could never be
 * invalidated. A replica may lag behind its primary: a read there may miss a write acknowledged
 * a moment before, which is what a user who chooses it accepts.
 */
public enum ReadFrom {
    /** Every command goes to the slot's primary. */
    PRIMARY("primary"),
    /** Read-only commands go to a replica of the slot's primary; with none known, they fail. */
    REPLICA("replica"),
    /** Read-only commands go to a replica of the slot's primary, or to the primary when none answers. */
    REPLICA_PREFERRED("replica-preferred");

    private final String text;

    ReadFrom(String text) {
        this.text = text;
    }

    /** The option's spelling. */
    public String text() {
        return text;
    }

    static ReadFrom parse(String option, String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        for (ReadFrom readFrom : values()) {
            if (readFrom.text.equals(lower)) {
                return readFrom;
            }
        }
        throw ConfigException.invalid(option, value, "primary, replica or replica-preferred");
    }
}
