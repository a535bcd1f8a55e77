/**
 * The proxy's configuration: the immutable {@link io.respite.proxy.config.ProxyConfig} model with
 * its defaults and validation, the parsers for sizes, durations and {@code redis://} URIs, and
 * {@link io.respite.proxy.config.ConfigLoader}, which merges command-line flags, environment
 * variables and a redis.conf-style file (flag &gt; environment &gt; file &gt; default).
 *
 * <p>Owns every option's name, default and constraint; the rest of respite reads options only
 * from a built {@code ProxyConfig}. Depends on nothing else of respite. Reads no system
 * properties and no environment: the loader sees only the arguments and the environment map it
 * is handed, and the config file those name. (picocli, which parses the command line, still
 * honours its own {@code picocli.*} debugging properties.) Every class here is immutable or
 * stateless, and so thread-safe, except {@code ProxyConfig.Builder}, which one thread fills.
 */
package io.respite.proxy.config;
