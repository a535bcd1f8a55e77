package io.respite.proxy;

import io.respite.proxy.config.ConfigException;
import io.respite.proxy.config.ConfigLoader;
import io.respite.proxy.config.InfoRequestedException;
import io.respite.proxy.config.ProxyConfig;

/**
 * {@code java -jar respite.jar [options]}: loads the configuration (flags, {@code RESPITE_*}
 * environment, config file), starts the proxy in the foreground, and stops it cleanly on SIGTERM
 * or Ctrl-C. Exit status: 0 after a clean stop or {@code --help}; 2 for a bad option, with one
 * line naming it; 1 when the port cannot be bound.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // One line per event, before any logger exists: date time level logger: message.
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
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
        ProxyServer server = new ProxyServer(config);
        try {
            server.start();
        } catch (IllegalStateException e) {
            System.err.println("respite: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // java.util.logging resets its handlers in a shutdown hook of its own: write directly.
            System.err.println("respite: stopping (draining up to " + config.drainTimeout().toMillis() + " ms)");
            server.stop();
            System.err.println("respite: stopped");
            // A stop on SIGTERM is the normal way to end: exit 0, not the JVM's 143.
            Runtime.getRuntime().halt(0);
        }, "respite-shutdown"));
    }
}
