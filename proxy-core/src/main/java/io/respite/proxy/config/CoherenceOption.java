package io.respite.proxy.config;

import java.util.Locale;

/**
 * How the cache follows Redis ({@code --coherence}): {@code tracking} (Redis tells respite which
 * keys changed; falls back to ttl when the upstream cannot track) or {@code ttl} (entries end at
 * the key's own expiry and at {@code --ttl}).
 */
public enum CoherenceOption {
    TRACKING,
    TTL;

    /** The option these values are given for. */
    static final String OPTION = "coherence";

    /** Parses {@code tracking} or {@code ttl}, in any case. */
    static CoherenceOption parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "tracking" -> TRACKING;
            case "ttl" -> TTL;
            default -> throw ConfigException.invalid(OPTION, text, "tracking or ttl");
        };
    }

    /** As the option is written. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
