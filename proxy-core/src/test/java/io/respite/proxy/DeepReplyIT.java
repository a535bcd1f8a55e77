package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redis is trusted: a script's reply nested a thousand levels deep is relayed byte for byte, and
 * the shared lane's other clients are not affected (it once broke the lane for everyone, with
 * "nested deeper than 128 levels", then hung). Clients' own requests keep the strict limits.
 */
@ExtendWith(RedisExtension.class)
class DeepReplyIT {

    private static final String DEEP_SCRIPT = "local top = {} local at = top "
            + "for i = 1, 1000 do local inner = {} at[1] = inner at = inner end at[1] = 7 return top";

    @Test
    void aThousandLevelsDeepScriptReplyIsRelayedByteForByte(RedisServer redis) throws Exception {
        byte[] direct = redis.call("EVAL", DEEP_SCRIPT, "0");
        assertTrue(new String(direct, StandardCharsets.US_ASCII).startsWith("*1\r\n".repeat(1001) + ":7"), "deep");
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient deep = fixture.client();
            RespTestClient bystander = fixture.client();
            assertEquals("+OK\r\n", bystander.callString("SET", "k", "v"));
            byte[] relayed = deep.call("EVAL", DEEP_SCRIPT, "0");
            assertArrayEquals(direct, relayed);
            assertEquals("$1\r\nv\r\n", bystander.callString("GET", "k"), "the lane is fine");
            assertEquals("+PONG\r\n", deep.callString("PING"));
            assertEquals("$1\r\nv\r\n", deep.callString("GET", "k"));
        }
    }
}
