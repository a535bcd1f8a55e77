package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.respite.resp.RespCommand;
import org.junit.jupiter.api.Test;

class SlowCommandsTest {

    @Test
    void aCommandIsShownByItsNameAndFirstArgumentPrintableAndTruncated() {
        assertEquals("GET user:1 (db 0)", describe(0, "GET", "user:1"));
        assertEquals("SET k (db 3)", describe(3, "SET", "k", "a value not shown"));
        assertEquals("PING (db 0)", describe(0, "PING"));
        assertEquals("GET a?b (db 0)", describe(0, "GET", "a\nb"));
        String longKey = "k".repeat(100);
        assertEquals("GET " + "k".repeat(60) + " (db 0)", describe(0, "GET", longKey));
    }

    private static String describe(int database, String... args) {
        RespCommand command = RespCommand.of(args);
        ByteBuf frame = command.frame();
        try {
            return SlowCommands.describe(frame, database);
        } finally {
            command.release();
        }
    }
}
