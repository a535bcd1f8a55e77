package io.respite.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReplyFramesTest {

    @Test
    void bulkStringsAndNils() {
        with("$5\r\nhello\r\n", f -> {
            assertEquals(4, ReplyFrames.bulkOffset(f));
            assertEquals(5, ReplyFrames.bulkLength(f));
            assertFalse(ReplyFrames.isNil(f));
            assertFalse(ReplyFrames.isError(f));
        });
        with("$0\r\n\r\n", f -> assertEquals(0, ReplyFrames.bulkLength(f)));
        for (String nil : new String[] {"$-1\r\n", "*-1\r\n", "_\r\n"}) {
            with(nil, f -> {
                assertTrue(ReplyFrames.isNil(f), nil);
                assertEquals(-1, ReplyFrames.bulkOffset(f), nil);
            });
        }
    }

    @Test
    void integersStatusesAndErrors() {
        with(":42\r\n", f -> assertEquals(42, ReplyFrames.integer(f, -7)));
        with(":-3\r\n", f -> assertEquals(-3, ReplyFrames.integer(f, -7)));
        with("+OK\r\n", f -> {
            assertEquals(-7, ReplyFrames.integer(f, -7));
            assertEquals("OK", ReplyFrames.status(f));
        });
        with("-WRONGTYPE Operation against a key\r\n", f -> {
            assertTrue(ReplyFrames.isError(f));
            assertEquals("WRONGTYPE Operation against a key", ReplyFrames.errorText(f));
            assertNull(ReplyFrames.status(f));
        });
    }

    @Test
    void readsFromTheFramesReaderIndex() {
        ByteBuf frame = Unpooled.copiedBuffer("junk:12\r\n", StandardCharsets.US_ASCII);
        try {
            frame.skipBytes(4);
            assertEquals(12, ReplyFrames.integer(frame, 0));
        } finally {
            frame.release();
        }
    }

    private static void with(String reply, Consumer<ByteBuf> check) {
        ByteBuf frame = Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII);
        try {
            check.accept(frame);
        } finally {
            frame.release();
        }
    }
}
