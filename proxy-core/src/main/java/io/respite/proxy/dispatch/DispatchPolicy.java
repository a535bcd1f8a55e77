package io.respite.proxy.dispatch;

import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The options that decide what clients may do and see through respite.
 *
 * @param requirePass the password clients must give, or null for none
 * @param maxEntryBytes largest value cached, in bytes
 * @param initialDatabase the database sessions start in, and return to on RESET
 * @param deniedCommands commands ({@code config}) and subcommands ({@code config|set}) that clients
 *     may not run: they get Redis's unknown-command error
 * @param redactSecrets whether respite holds the upstream's credentials, so that CONFIG GET must
 *     not show the upstream's secrets
 * @param cacheNil whether a nil GET is cached
 * @param cluster whether the upstream is a Redis Cluster (one database),
 *     known from the start, before the upstream's catalog says so
 */
public record DispatchPolicy(
        @Nullable String requirePass,
        long maxEntryBytes,
        int initialDatabase,
        Set<String> deniedCommands,
        boolean redactSecrets,
        boolean cacheNil,
        boolean cluster) {

    /** The policy for a single Redis. */
    public DispatchPolicy(
            @Nullable String requirePass,
            long maxEntryBytes,
            int initialDatabase,
            Set<String> deniedCommands,
            boolean redactSecrets,
            boolean cacheNil) {
        this(requirePass, maxEntryBytes, initialDatabase, deniedCommands, redactSecrets, cacheNil, false);
    }

    public DispatchPolicy {
        deniedCommands = Set.copyOf(Objects.requireNonNull(deniedCommands, "deniedCommands"));
    }
}
