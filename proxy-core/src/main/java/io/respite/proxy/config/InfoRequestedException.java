package io.respite.proxy.config;

/**
 * Thrown by {@link ConfigLoader#load} when the command line asks for text instead of a running
 * proxy: {@code --help} or {@code --version}. {@code Main} prints {@link #text()} to standard
 * output and exits with status 0. Not a {@link ConfigException}: nothing is wrong.
 */
public final class InfoRequestedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String text;

    InfoRequestedException(String text) {
        super(text, null, false, false); // control flow, not a failure: no stack trace
        this.text = text;
    }

    /** The help or version text, ending in a line separator. */
    public String text() {
        return text;
    }
}
