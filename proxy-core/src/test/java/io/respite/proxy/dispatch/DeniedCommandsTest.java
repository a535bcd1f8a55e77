package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.resp.RespCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusals in Redis 7's exact words (checked against redis-server 7.0 by hand and by StatefulCommandsIT). */
class DeniedCommandsTest {

    private final DeniedCommands denied = new DeniedCommands(List.of("CONFIG", "debug", "client|kill"));

    @Test
    void aDeniedCommandIsUnknownWithItsArgumentsQuoted() {
        assertEquals(
                "ERR unknown command 'config', with args beginning with: 'get' 'requirepass' ",
                refusal("config", "get", "requirepass"));
        assertEquals("ERR unknown command 'DEBUG', with args beginning with: ", refusal("DEBUG"));
    }

    @Test
    void aDeniedSubcommandIsAnUnknownSubcommandOfItsContainer() {
        assertEquals("ERR unknown subcommand 'KILL'. Try CLIENT HELP.", refusal("client", "KILL", "id", "7"));
        assertNull(refusal("client", "list"));
        assertNull(refusal("client"));
    }

    @Test
    void otherCommandsPass() {
        assertNull(refusal("get", "config"));
        assertTrue(new DeniedCommands(List.of()).isEmpty());
    }

    @Test
    void quotedArgumentsStopAt128BytesAndLineBreaksBecomeSpaces() {
        String error = refusal("config", "a".repeat(100), "b".repeat(100), "c");
        assertEquals(
                "ERR unknown command 'config', with args beginning with: '" + "a".repeat(100) + "' '" + "b".repeat(24)
                        + "' ",
                error);
        assertEquals("ERR unknown command 'config', with args beginning with: 'x  y' ", refusal("config", "x\r\ny"));
    }

    private String refusal(String... args) {
        RespCommand command = RespCommand.of(args);
        try {
            return denied.refusal(command);
        } finally {
            command.release();
        }
    }
}
