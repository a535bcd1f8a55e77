package io.respite.proxy.cache;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checks the invariants of {@link StripedLruCache} ({@link CacheInvariants#assertValid}) after
 * every test of every class, on each cache the test instance holds in a field, without the test
 * asking: registered for all tests through JUnit's extension auto-detection (the service file in
 * proxy-core's test resources). Caches a test builds inside a method are tracked with
 * {@link CacheInvariants#track}, as before.
 */
public final class CacheInvariantsExtension implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) throws IllegalAccessException {
        Object instance = context.getTestInstance().orElse(null);
        if (instance == null) {
            return;
        }
        for (Class<?> type = instance.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType() == StripedLruCache.class && !Modifier.isStatic(field.getModifiers())) {
                    field.setAccessible(true);
                    StripedLruCache cache = (StripedLruCache) field.get(instance);
                    if (cache != null) {
                        CacheInvariants.assertValid(cache);
                        CacheInvariants.assertNothingExpiredAfterSweep(cache);
                    }
                }
            }
        }
    }
}
