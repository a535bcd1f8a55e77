package io.respite.proxy.config;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP API's options, off unless {@code http-port} is set.
 *
 * @param port          TCP port of the HTTP API, 0 picks a free one; -1 when it is off
 * @param bind          address it listens on; null for the RESP port's {@code bind}
 * @param maxBodyBytes  largest request body taken (a PUT's value); larger ones get 413 unread
 * @param headerTimeout how long a client may take to send a request's headers
 */
public record HttpOptions(int port, @Nullable String bind, long maxBodyBytes, Duration headerTimeout) {

    /** Largest body by default, in bytes: Redis's own largest string (512mb). */
    public static final long DEFAULT_MAX_BODY_BYTES = 512L * 1024 * 1024;

    /** How long a request's headers may take by default, in milliseconds (10s). */
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000L;

    /** The HTTP API off. */
    public static final HttpOptions OFF =
            new HttpOptions(-1, null, DEFAULT_MAX_BODY_BYTES, Duration.ofMillis(DEFAULT_HEADER_TIMEOUT_MILLIS));

    public HttpOptions {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (port < -1 || port > 65535) {
            throw ConfigException.invalid("http-port", port, "an integer from 0 to 65535");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) {
            throw ConfigException.invalid("http-max-body", maxBodyBytes, "a size from 1 byte to 2gb");
        }
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw ConfigException.invalid(
                    "http-header-timeout", Values.formatDuration(headerTimeout), "a duration of more than 0");
        }
    }

    /** Whether the HTTP API is on. */
    public boolean enabled() {
        return port >= 0;
    }

    HttpOptions withPort(int port) {
        return new HttpOptions(port, bind, maxBodyBytes, headerTimeout);
    }

    HttpOptions withBind(String bind) {
        return new HttpOptions(port, bind, maxBodyBytes, headerTimeout);
    }

    HttpOptions withMaxBodyBytes(long maxBodyBytes) {
        return new HttpOptions(port, bind, maxBodyBytes, headerTimeout);
    }

    HttpOptions withHeaderTimeout(Duration headerTimeout) {
        return new HttpOptions(port, bind, maxBodyBytes, headerTimeout);
    }
}
