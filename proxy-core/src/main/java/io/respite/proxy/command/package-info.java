/**
 * What respite knows about Redis commands, learnt from the upstream's own {@code COMMAND} reply
 * rather than a hand-kept list: flags (write, readonly, blocking...), arity, and where the keys
 * are (Redis 7 key specs, falling back to the legacy first/last/step positions), including
 * subcommands; and the {@link io.respite.proxy.command.Catalog} of the upstream (its table, version
 * and databases) with its {@link io.respite.proxy.command.CatalogLoader}. Lookups by name and key
 * extraction allocate nothing.
 *
 * <p>A {@link io.respite.proxy.command.CommandTable} is immutable once built and safe to share
 * between threads. Depends on the codec's public API and the reply contract only.
 */
package io.respite.proxy.command;
