package io.respite.proxy.config;

import java.util.Locale;

/**
 * Who clients are upstream ({@code --auth}, {@code --max-users}).
 *
 * @param passthrough {@code --auth passthrough}: each client authenticates as a Redis user, which
 *     Redis itself checks, and its commands run upstream as that user; false ({@code --auth
 *     local}, the default): every client shares respite's one upstream identity, and
 *     {@code --requirepass}, if set, is checked by respite
 * @param maxUsers most users with a lane of their own open on each event loop at once
 */
public record AuthOptions(boolean passthrough, int maxUsers) {

    /** Users with a lane open per event loop by default. */
    public static final int DEFAULT_MAX_USERS = 64;

    public static final AuthOptions DEFAULT = new AuthOptions(false, DEFAULT_MAX_USERS);

    public AuthOptions {
        if (maxUsers < 1) {
            throw ConfigException.invalid("max-users", maxUsers, "an integer of at least 1");
        }
    }

    /** Parses {@code local} or {@code passthrough}, in any case: whether it is passthrough. */
    static boolean parseMode(String option, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "local" -> false;
            case "passthrough" -> true;
            default -> throw ConfigException.invalid(option, text, "local or passthrough");
        };
    }

    AuthOptions withPassthrough(boolean passthrough) {
        return new AuthOptions(passthrough, maxUsers);
    }

    AuthOptions withMaxUsers(int maxUsers) {
        return new AuthOptions(passthrough, maxUsers);
    }

    /** As the options are written. */
    @Override
    public String toString() {
        return (passthrough ? "passthrough" : "local") + " (max-users " + maxUsers + ")";
    }
}
