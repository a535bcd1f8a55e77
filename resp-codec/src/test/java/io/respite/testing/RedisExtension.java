package io.respite.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves test method parameters backed by real Redis servers:
 * <ul>
 *   <li>{@link RedisServer}: a fresh standalone server for this test, stopped after it;</li>
 *   <li>{@link RedisFleet}: a factory for more servers or a cluster, all stopped after the test.</li>
 * </ul>
 * Servers are stopped through JUnit's store, so also when the test fails or throws.
 * Use with {@code @ExtendWith(RedisExtension.class)}.
 */
public final class RedisExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RedisServer.class || type == RedisFleet.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        RedisFleet fleet =
                context.getStore(NAMESPACE).computeIfAbsent(RedisFleet.class, k -> new RedisFleet(), RedisFleet.class);
        if (parameter.getParameter().getType() == RedisFleet.class) {
            return fleet;
        }
        return fleet.start();
    }
}
