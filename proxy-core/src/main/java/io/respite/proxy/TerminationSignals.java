package io.respite.proxy;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * Runs an action on SIGTERM and SIGINT in place of the JVM's default (run the shutdown hooks and
 * exit with 143 or 130), so that respite can drain and then exit 0, the status of a stop asked
 * for, through an ordinary {@code System.exit} that lets every other shutdown hook run; and one
 * on SIGHUP, whose default would end the JVM too, to reload the configuration instead.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way to handle a
 * signal; javac warns against compiling with it, which this build treats as an error, so it is
 * reached by reflection.
 */
final class TerminationSignals {

    private TerminationSignals() {}

    /** Installs {@code action} for SIGTERM and SIGINT; returns false where the JVM cannot (it keeps its default). */
    static boolean handle(Runnable action) {
        return install(List.of("TERM", "INT"), action);
    }

    /** Installs {@code action} for SIGHUP; returns false where the JVM cannot (it keeps its default). */
    static boolean handleHangup(Runnable action) {
        return install(List.of("HUP"), action);
    }

    /** Runs {@code action} on the JVM's signal thread for each signal of {@code names}. */
    private static boolean install(List<String> names, Runnable action) {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(
                    handlerType.getClassLoader(),
                    new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "respite termination handler";
                    });
            Method install = signalType.getMethod("handle", signalType, handlerType);
            for (String name : names) {
                install.invoke(null, signalType.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
