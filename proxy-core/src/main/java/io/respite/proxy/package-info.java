/**
 * The proxy as a whole: {@link io.respite.proxy.Main} (the command line), {@link
 * io.respite.proxy.ProxyServer} (start and an ordered, idempotent stop), {@link
 * io.respite.proxy.ConfigReload} (what a SIGHUP changes in the running proxy) and {@link
 * io.respite.proxy.ProxyResources} (the event loops it owns). Wires config, cache, upstream,
 * dispatch and sessions together; nothing else depends on this package.
 */
package io.respite.proxy;
