package io.respite.proxy.command;

/**
 * What respite learnt from the upstream when it connected: its command table, its version (for
 * HELLO) and how many databases it has (for SELECT). Immutable.
 *
 * @param commands every command the upstream knows
 * @param version the upstream's {@code redis_version}
 * @param databases the upstream's {@code databases} setting
 */
public record Catalog(CommandTable commands, String version, int databases) {}
