package io.respite.proxy.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import it.unimi.dsi.fastutil.ints.IntList;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfigRedactionTest {

    private static final String REDACTED = "$21\r\n(redacted by respite)\r\n";

    @Test
    void resp2PairsHaveOnlyTheirSecretValuesReplaced() {
        assertEquals(
                "*4\r\n$11\r\nrequirepass\r\n" + REDACTED + "$9\r\nmaxmemory\r\n$1\r\n0\r\n",
                redact("*4\r\n$11\r\nrequirepass\r\n$6\r\nsecret\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"));
    }

    @Test
    void resp3MapsToo() {
        assertEquals(
                "%2\r\n$10\r\nmasterauth\r\n" + REDACTED + "$17\r\ntls-key-file-pass\r\n" + REDACTED,
                redact("%2\r\n$10\r\nmasterauth\r\n$2\r\npw\r\n$17\r\ntls-key-file-pass\r\n$0\r\n\r\n"));
    }

    @Test
    void repliesWithoutSecretsAndErrorsPassUnchanged() {
        ByteBuf plain = buf("*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
        assertSame(plain, ConfigRedaction.redact(plain));
        plain.release();
        ByteBuf error = buf("-ERR unknown subcommand\r\n");
        assertSame(error, ConfigRedaction.redact(error));
        error.release();
        assertEquals("*0\r\n", redact("*0\r\n"));
    }

    @Test
    void execRepliesHaveTheQueuedConfigGetsRedacted() {
        String exec = "*3\r\n+OK\r\n*2\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n*2\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n";
        ByteBuf redacted = ConfigRedaction.redactElements(buf(exec), IntList.of(1));
        assertEquals(
                "*3\r\n+OK\r\n*2\r\n$11\r\nrequirepass\r\n" + REDACTED + "*2\r\n$11\r\nrequirepass\r\n$2\r\npw\r\n",
                text(redacted),
                "only the CONFIG GET's reply; the second array is another command's");
        ByteBuf aborted = buf("-EXECABORT Transaction discarded because of previous errors.\r\n");
        assertSame(aborted, ConfigRedaction.redactElements(aborted, IntList.of(0)));
        aborted.release();
        assertEquals("*-1\r\n", text(ConfigRedaction.redactElements(buf("*-1\r\n"), IntList.of(0))));
    }

    private static String redact(String reply) {
        return text(ConfigRedaction.redact(buf(reply)));
    }

    private static ByteBuf buf(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }
}
