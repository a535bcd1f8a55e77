package io.respite.proxy.hotkeys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Validation at build(), with the house error format. */
class HotKeysBuilderTest {

    private static String error(HotKeys.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void rejectsInvalidOptionsWithTheActualAndTheConstraint() {
        assertEquals(
                "capacity: 0 (expected: 1 to 65536)", error(HotKeys.builder().capacity(0)));
        assertEquals(
                "subWindows: 1025 (expected: 1 to 1024)",
                error(HotKeys.builder().subWindows(1025)));
        assertEquals(
                "subWindowNanos: 0 (expected: >= 1)", error(HotKeys.builder().subWindow(Duration.ZERO)));
        assertEquals(
                "maxKeyBytes: 0 (expected: 1 to 65536)", error(HotKeys.builder().maxKeyBytes(0)));
        assertEquals(HotKeys.DEFAULT_CAPACITY, HotKeys.builder().build().recorder(Runnable::run).ring[0].capacity);
    }
}
