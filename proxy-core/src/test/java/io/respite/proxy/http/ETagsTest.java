package io.respite.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ETagsTest {

    @Test
    void equalValuesShareATagWhereverTheyLie() {
        ByteBuf contiguous = Unpooled.copiedBuffer("$5\r\nhello\r\n", StandardCharsets.US_ASCII);
        CompositeByteBuf parts = Unpooled.compositeBuffer();
        parts.addComponent(true, Unpooled.copiedBuffer("xxhe", StandardCharsets.US_ASCII));
        parts.addComponent(true, Unpooled.copiedBuffer("llo", StandardCharsets.US_ASCII));
        try {
            String tag = ETags.of(contiguous, 4, 5);
            assertEquals(tag, ETags.of(parts, 2, 5));
            assertTrue(tag.startsWith("\"5-") && tag.endsWith("\"") && tag.length() == 2 + 2 + 16, tag);
            assertNotEquals(tag, ETags.of(contiguous, 4, 4), "a prefix");
            assertNotEquals(tag, ETags.of(Unpooled.copiedBuffer("hellp", StandardCharsets.US_ASCII), 0, 5));
        } finally {
            contiguous.release();
            parts.release();
        }
    }

    @Test
    void ifNoneMatchComparesWeaklyAndTakesListsAndAStar() {
        String tag = "\"5-0011223344556677\"";
        assertTrue(ETags.matches(tag, tag));
        assertTrue(ETags.matches("W/" + tag, tag));
        assertTrue(ETags.matches("\"other\", " + tag, tag));
        assertTrue(ETags.matches(" * ", tag));
        assertFalse(ETags.matches("\"other\"", tag));
        assertFalse(ETags.matches("5-0011223344556677", tag), "unquoted");
    }
}
