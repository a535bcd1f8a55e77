package io.respite.proxy.command;

/**
 * What respite learnt from the upstream when it connected: its command table, its version (for
 * HELLO) and how many databases it has (for SELECT). Immutable.
 *
 * @param commands every command the upstream knows
 * @param version the upstream's {@code redis_version}
 * @param databases the upstream's {@code databases} setting
 * @param cluster whether the upstream is a Redis Cluster node ({@code cluster_enabled:1}), where
 *     only database 0 exists
 */
public record Catalog(CommandTable commands, String version, int databases, boolean cluster) {

    /** A standalone Redis's catalog. */
    public Catalog(CommandTable commands, String version, int databases) {
        this(commands, version, databases, false);
    }
}
