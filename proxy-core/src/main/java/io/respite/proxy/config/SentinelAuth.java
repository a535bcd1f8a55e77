package io.respite.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * How respite authenticates to the sentinels of a {@code redis-sentinel://} upstream
 * ({@code --sentinel-user}, {@code --sentinel-password-file}): Sentinel's own {@code requirepass}
 * or ACL user, which is not the primary's (the URI's credentials are the primary's).
 *
 * @param user the ACL user, or null for the default user
 * @param password the password, or null when the sentinels require none
 */
public record SentinelAuth(@Nullable String user, @Nullable String password) {

    /** Sentinels asked without credentials. */
    public static final SentinelAuth NONE = new SentinelAuth(null, null);

    public SentinelAuth {
        if (user != null && password == null) {
            throw ConfigException.invalid("sentinel-user", user, "set with sentinel-password-file");
        }
    }

    /** Whether the sentinels are asked with credentials. */
    public boolean configured() {
        return password != null;
    }

    /** The user, never the password. */
    @Override
    public String toString() {
        return password == null ? "none" : (user == null ? "default" : user) + ":***";
    }
}
