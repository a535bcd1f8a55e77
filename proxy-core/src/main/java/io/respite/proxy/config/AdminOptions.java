package io.respite.proxy.config;

import java.util.Objects;

/**
 * The admin listener's options: {@code /health}, {@code /ready}, {@code /metrics}, {@code /stats}
 * and the dashboard, on loopback by default so that only the host (or a sidecar) sees them.
 *
 * @param port TCP port, 0 picks a free one; -1 when the listener is off
 * @param bind address it listens on
 */
public record AdminOptions(int port, String bind) {

    /** The admin port by default: respite's {@value ProxyConfig#DEFAULT_PORT} in the 9000s, where exporters live. */
    public static final int DEFAULT_PORT = 9380;

    /** Loopback: the admin routes are for the host, not the network, unless an operator says so. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    public static final AdminOptions DEFAULT = new AdminOptions(DEFAULT_PORT, DEFAULT_BIND);

    public AdminOptions {
        Objects.requireNonNull(bind, "bind");
        if (port < -1 || port > 65535) {
            throw ConfigException.invalid("admin-port", port, "an integer from 0 to 65535, or none");
        }
    }

    /** Whether the admin listener is on. */
    public boolean enabled() {
        return port >= 0;
    }

    AdminOptions withPort(int port) {
        return new AdminOptions(port, bind);
    }

    AdminOptions withBind(String bind) {
        return new AdminOptions(port, bind);
    }
}
