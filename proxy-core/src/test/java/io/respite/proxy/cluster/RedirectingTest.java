package io.respite.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.respite.proxy.config.UpstreamUri.Seed;
import org.junit.jupiter.api.Test;

/** Reading the node a MOVED or ASK reply names. */
class RedirectingTest {

    @Test
    void theTargetIsTheAddressAfterTheSlot() {
        assertEquals(new Seed("127.0.0.1", 7001), Redirecting.target("-MOVED 3999 127.0.0.1:7001\r\n"));
        assertEquals(new Seed("::1", 7002), Redirecting.target("-ASK 12 [::1]:7002"));
        assertEquals(new Seed("::1", 7002), Redirecting.target("-ASK 12 ::1:7002"));
    }

    @Test
    void anUnreadableTargetIsNone() {
        assertNull(Redirecting.target("-MOVED 3999"));
        assertNull(Redirecting.target("-MOVED 3999 nowhere"));
        assertNull(Redirecting.target("-MOVED 3999 host:port"));
    }
}
