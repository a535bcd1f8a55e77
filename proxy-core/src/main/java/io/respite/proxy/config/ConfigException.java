package io.respite.proxy.config;

import org.jspecify.annotations.Nullable;

/**
 * An invalid configuration. The message is one line meant for the operator, naming where the
 * bad value came from and what was expected, such as
 * {@code --port: 70000 (expected: an integer from 0 to 65535)},
 * {@code RESPITE_MAX_MEMORY: 12xb (expected: a size such as 64mb, 1gb or 1048576)} or
 * {@code respite.conf:3: unknown option 'prot'}. Passwords never appear in it.
 */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The option a value check failed for, by its file name ({@code max-memory}); else null. */
    private final @Nullable String option;

    /** The message after {@code "<name>: "} for a value check; else null. */
    private final @Nullable String detail;

    ConfigException(String message) {
        super(message);
        this.option = null;
        this.detail = null;
    }

    private ConfigException(String name, @Nullable String option, String detail) {
        super(name + ": " + detail);
        this.option = option;
        this.detail = detail;
    }

    /**
     * A value of {@code option} that breaks its constraint, in the house format
     * {@code "<option>: <actual> (expected: <expected>)"}.
     */
    static ConfigException invalid(String option, Object actual, String expected) {
        return new ConfigException(option, option, actual + " (expected: " + expected + ")");
    }

    /** The option a value check failed for ({@code max-memory}), or null for other errors. */
    @Nullable
    String option() {
        return option;
    }

    /** The same error, named by where the value came from ({@code RESPITE_PORT}) instead. */
    ConfigException from(String source) {
        return detail == null ? this : new ConfigException(source, null, detail);
    }
}
