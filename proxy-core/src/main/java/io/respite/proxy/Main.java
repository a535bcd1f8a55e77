package io.respite.proxy;

import io.respite.proxy.config.ConfigException;
import io.respite.proxy.config.ConfigLoader;
import io.respite.proxy.config.InfoRequestedException;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.logging.LogSetup;

/**
 * {@code java -jar respite.jar [options]}: loads the configuration (flags, {@code RESPITE_*}
 * environment, config file), starts the proxy in the foreground, stops it cleanly on SIGTERM
 * or Ctrl-C, and reloads the config file on SIGHUP. Exit status: 0 after a clean stop or
 * {@code --help}; 2 for a bad option, with one line naming it; 1 when the port cannot be bound.
 */
public final class Main {

    private Main() {}

    /**
     * Stops {@code server}, saying so on standard error directly: the logging system may already be
     * stopping when this runs during the JVM's shutdown.
     */
    private static void stop(ProxyServer server, ProxyConfig config) {
        if (server.isStopping()) {
            return;
        }
        System.err.println(
                "respite: stopping (draining up to " + config.drainTimeout().toMillis() + " ms)");
        server.stop();
        System.err.println("respite: stopped");
    }

    public static void main(String[] args) {
        ProxyConfig config;
        try {
            config = ConfigLoader.load(args, System.getenv());
        } catch (InfoRequestedException e) {
            System.out.println(e.text());
            return;
        } catch (ConfigException e) {
            System.err.println("respite: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogSetup.configure(config.log().level(), config.log().json());
        ProxyServer server = new ProxyServer(config);
        try {
            server.start();
        } catch (IllegalStateException e) {
            System.err.println("respite: " + e.getMessage());
            System.exit(1);
            return;
        }
        // SIGTERM and Ctrl-C: drain, then exit 0, the status of a stop asked for. Any other way out
        // of the JVM still stops the server through the hook (stop is idempotent).
        TerminationSignals.handle(() -> {
            stop(server, config);
            System.exit(0);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, config), "respite-shutdown"));
        // SIGHUP: the flags and environment as at start, the config file read again.
        TerminationSignals.handleHangup(() -> server.reload(() -> ConfigLoader.load(args, System.getenv())));
    }
}
