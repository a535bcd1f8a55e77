package io.respite.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Redis Cluster's key-to-slot function, against the values Redis's own specification gives. */
class SlotsTest {

    @Test
    void crc16IsXmodem() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x31C3, Slots.crc16(Unpooled.wrappedBuffer(check), 0, check.length));
    }

    @Test
    void slotsAreThoseRedisComputes() {
        // CLUSTER KEYSLOT on Redis 7.
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(0, slot(""));
    }

    @Test
    void aHashTagDecidesTheSlot() {
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("{user1000}.following"), slot("{user1000}.followers"));
        // An empty tag is no tag: the whole key is hashed.
        assertEquals(Slots.crc16(buf("foo{}{bar}"), 0, 10) & 16383, slot("foo{}{bar}"));
        // The tag ends at the first closing brace after the first opening one.
        assertEquals(slot("{bar"), slot("foo{{bar}}zap"));
        assertEquals(slot("bar"), slot("foo{bar}{zap}"));
        // No closing brace: no tag.
        assertEquals(Slots.crc16(buf("foo{bar"), 0, 7) & 16383, slot("foo{bar"));
    }

    @Test
    void aKeyInsideABufferHashesAsTheKeyAlone() {
        byte[] framed = "xx{user1000}.ayy".getBytes(StandardCharsets.US_ASCII);
        assertEquals(slot("{user1000}.a"), Slots.of(Unpooled.wrappedBuffer(framed), 2, 12));
    }

    private static int slot(String key) {
        return Slots.of(key.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf buf(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
