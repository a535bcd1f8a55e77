package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What respite keeps from its clients: the upstream's password (CONFIG GET answers with it
 * redacted while respite holds it) and the commands the operator denied ({@code --deny-command},
 * which answer as Redis answers a renamed-away command).
 */
@ExtendWith(RedisExtension.class)
class CredentialsIT {

    private static final String SECRET = "up-secret-42";
    private static final String REDACTED = "$21\r\n(redacted by respite)\r\n";

    @Test
    void configGetDoesNotShowTheUpstreamsPassword(RedisServer redis) throws Exception {
        assertEquals("+OK\r\n", redis.callString("CONFIG", "SET", "requirepass", SECRET));
        try (ProxyFixture fixture = ProxyFixture.startCaching(
                redis, b -> b.upstream(UpstreamUri.parse("redis://:" + SECRET + "@127.0.0.1:" + redis.port())))) {
            RespTestClient client = fixture.client();
            assertEquals("*2\r\n$11\r\nrequirepass\r\n" + REDACTED, client.callString("CONFIG", "GET", "requirepass"));
            String all = client.callString("CONFIG", "GET", "*");
            assertFalse(all.contains(SECRET), "CONFIG GET * shows no secret");
            assertTrue(all.contains("$11\r\nrequirepass\r\n" + REDACTED), "and says where it was redacted");
            assertTrue(all.contains("$9\r\ndatabases\r\n$2\r\n16\r\n"), "other parameters as Redis gives them");

            assertEquals("+OK\r\n", client.callString("MULTI"));
            assertEquals("+QUEUED\r\n", client.callString("SET", "k", "v"));
            assertEquals("+QUEUED\r\n", client.callString("CONFIG", "GET", "requirepass"));
            assertEquals(
                    "*2\r\n+OK\r\n*2\r\n$11\r\nrequirepass\r\n" + REDACTED,
                    client.callString("EXEC"),
                    "inside a transaction too");

            assertTrue(client.callString("HELLO", "3").startsWith("%7\r\n"));
            assertEquals(
                    "%1\r\n$11\r\nrequirepass\r\n" + REDACTED,
                    client.callString("CONFIG", "GET", "requirepass"),
                    "and in RESP3");
        }
    }

    @Test
    void deniedCommandsAnswerAsRedisAnswersUnknownOnes(RedisServer redis) throws Exception {
        try (ProxyFixture fixture =
                ProxyFixture.startCaching(redis, b -> b.deniedCommands(Set.of("debug", "config|set", "flushall")))) {
            RespTestClient client = fixture.client();
            try (RespTestClient direct = RespTestClient.connect(redis.address())) {
                assertDeniedAsUnknown(client, direct);
            }
        }
    }

    private static void assertDeniedAsUnknown(RespTestClient client, RespTestClient direct) throws Exception {
        assertEquals(
                direct.callString("NOSUCHCOMMAND", "SLEEP", "0"),
                client.callString("DEBUG", "SLEEP", "0")
                        .replace("debug", "NOSUCHCOMMAND")
                        .replace("DEBUG", "NOSUCHCOMMAND"),
                "Redis's unknown-command text");
        assertEquals(
                "-ERR unknown command 'DEBUG', with args beginning with: 'SLEEP' '0' \r\n",
                client.callString("DEBUG", "SLEEP", "0"));
        assertEquals(
                "-ERR unknown subcommand 'set'. Try CONFIG HELP.\r\n",
                client.callString("CONFIG", "set", "maxmemory", "1"));
        assertEquals(
                direct.callString("CONFIG", "NOSUCH"),
                client.callString("CONFIG", "NOSUCH"),
                "Redis's unknown-subcommand text, for a subcommand that really is unknown");
        assertTrue(client.callString("CONFIG", "GET", "maxmemory").startsWith("*2\r\n"), "CONFIG GET still runs");

        // A denied command inside MULTI aborts the transaction, as an unknown one does in Redis.
        for (RespTestClient c : new RespTestClient[] {client, direct}) {
            assertEquals("+OK\r\n", c.callString("MULTI"));
            assertEquals("+QUEUED\r\n", c.callString("SET", "aborted", "1"));
            assertTrue(c.callString(c == client ? "FLUSHALL" : "NOSUCHCOMMAND").startsWith("-ERR unknown command"));
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.callString("EXEC"));
            assertEquals("$-1\r\n", c.callString("GET", "aborted"), "nothing of the transaction ran");
        }
    }
}
