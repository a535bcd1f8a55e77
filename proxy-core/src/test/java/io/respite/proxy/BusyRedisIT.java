package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A runaway script or function makes Redis answer BUSY to everything but SCRIPT KILL, FUNCTION
 * KILL and SHUTDOWN NOSAVE. Through respite those go out of band, so an operator (or Redis's own
 * test suite) can stop it; once they queued behind the busy script on the shared lane and Redis
 * stayed wedged for good.
 */
@ExtendWith(RedisExtension.class)
class BusyRedisIT {

    @Test
    void aRunawayScriptIsKilledThroughRespite(RedisServer redis) throws Exception {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "busy-reply-threshold", "10"));
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient runaway = fixture.client(Duration.ofSeconds(10));
            RespTestClient operator = fixture.client();
            runaway.send(RespTestClient.encodeCommand("EVAL", "while true do end", "0"));
            long start = System.nanoTime();
            Await.until(
                    "the script is running",
                    ProxyFixture.AWAIT,
                    () -> redis.callString("PING").startsWith("-BUSY"));
            assertEquals("+OK\r\n", operator.callString("SCRIPT", "KILL"));
            String killed = new String(runaway.readReply(), StandardCharsets.UTF_8);
            assertTrue(killed.startsWith("-ERR") && killed.contains("killed"), killed);
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "within the timeout");
            assertEquals("+OK\r\n", operator.callString("SET", "k", "v"), "every client works afterwards");
            assertEquals("$1\r\nv\r\n", runaway.callString("GET", "k"));
        }
    }

    @Test
    void aRunawayFunctionIsKilledThroughRespite(RedisServer redis) throws Exception {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "busy-reply-threshold", "10"));
        redis.callString(
                "FUNCTION",
                "LOAD",
                "#!lua name=runaway\nredis.register_function{function_name='spin', callback=function() "
                        + "while true do end end, flags={'no-writes'}}");
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis)) {
            RespTestClient runaway = fixture.client(Duration.ofSeconds(10));
            RespTestClient operator = fixture.client();
            runaway.send(RespTestClient.encodeCommand("FCALL", "spin", "0"));
            Await.until(
                    "the function is running",
                    ProxyFixture.AWAIT,
                    () -> redis.callString("PING").startsWith("-BUSY"));
            assertEquals("+OK\r\n", operator.callString("FUNCTION", "KILL"));
            String killed = new String(runaway.readReply(), StandardCharsets.UTF_8);
            assertTrue(killed.startsWith("-ERR") && killed.contains("killed"), killed);
            assertEquals("+PONG\r\n", operator.callString("PING"));
            assertEquals("+OK\r\n", runaway.callString("SET", "k", "v"));
        }
    }
}
