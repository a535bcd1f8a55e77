package io.respite.proxy.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.cache.DatabaseKeys;
import io.respite.proxy.warm.WarmFile.DamagedException;
import io.respite.proxy.warm.WarmFile.WarmKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm file's format: round trip, truncation at every length, a bad checksum, another version. */
class WarmFileTest {

    @TempDir
    Path dir;

    private static List<WarmKey> sample() {
        SplittableRandom random = new SplittableRandom(7);
        List<WarmKey> keys = new ArrayList<>();
        keys.add(new WarmKey(0, new byte[0]));
        keys.add(new WarmKey(0, "user:1".getBytes(StandardCharsets.UTF_8)));
        keys.add(new WarmKey(15, new byte[] {0, (byte) 0xFF, '\r', '\n'}));
        keys.add(new WarmKey(Integer.MAX_VALUE, "far".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 50; i++) {
            byte[] key = new byte[random.nextInt(40)];
            random.nextBytes(key);
            keys.add(new WarmKey(random.nextInt(300), key));
        }
        return keys;
    }

    private byte[] written(List<WarmKey> keys) throws IOException {
        Path file = dir.resolve("respite.warm");
        WarmFile.write(file, keys);
        return Files.readAllBytes(file);
    }

    @Test
    void roundTripKeepsEveryKeyItsDatabaseAndTheOrder() throws IOException {
        Path file = dir.resolve("respite.warm");
        List<WarmKey> keys = sample();
        WarmFile.write(file, keys);
        assertEquals(keys, WarmFile.read(file));
        WarmFile.write(file, List.of());
        assertEquals(List.of(), WarmFile.read(file), "an empty file replaces the old one");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary file left behind");
        }
    }

    @Test
    void theLayoutIsTheDocumentedOne() throws IOException {
        byte[] bytes = written(List.of(new WarmKey(3, "ab".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(12 + 8 + 2 + 4, bytes.length);
        assertArrayEquals("RWRM".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 4));
        ByteBuffer in = ByteBuffer.wrap(bytes);
        assertEquals(1, in.getShort(4), "version");
        assertEquals(1, in.getInt(8), "count");
        assertEquals(3, in.getInt(12), "database");
        assertEquals(2, in.getInt(16), "key length");
    }

    @Test
    void aCacheKeyGivesItsDatabaseAndKey() {
        for (int database : new int[] {0, 9, 254, 255, 70_000}) {
            byte[] cacheKey = new byte[DatabaseKeys.MAX_PREFIX_BYTES + 2];
            int prefix = DatabaseKeys.writePrefix(database, cacheKey);
            cacheKey[prefix] = 'k';
            cacheKey[prefix + 1] = '1';
            WarmKey key = WarmKey.ofCacheKey(Arrays.copyOf(cacheKey, prefix + 2));
            assertEquals(database, key.database());
            assertArrayEquals("k1".getBytes(StandardCharsets.US_ASCII), key.key());
        }
    }

    @Test
    void everyTruncationIsRejected() throws IOException {
        byte[] bytes = written(sample());
        for (int length = 0; length < bytes.length; length++) {
            ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(bytes, length));
            assertThrows(DamagedException.class, () -> WarmFile.parse(cut), "cut at " + length);
        }
        DamagedException e =
                assertThrows(DamagedException.class, () -> WarmFile.parse(ByteBuffer.wrap(Arrays.copyOf(bytes, 40))));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aFlippedBitAnywhereIsRejected() throws IOException {
        byte[] bytes = written(sample());
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= 0x10;
            assertThrows(DamagedException.class, () -> WarmFile.parse(ByteBuffer.wrap(damaged)), "byte " + i);
        }
        byte[] keyByte = bytes.clone();
        keyByte[12 + 8 + 8 + 3] ^= 1; // in the second record's key, "user:1"
        DamagedException e = assertThrows(DamagedException.class, () -> WarmFile.parse(ByteBuffer.wrap(keyByte)));
        assertTrue(e.getMessage().startsWith("warm file checksum: 0x"), e.getMessage());
    }

    @Test
    void anotherVersionIsRejectedByNumber() throws IOException {
        byte[] bytes = written(sample());
        bytes[5] = 2;
        DamagedException e = assertThrows(DamagedException.class, () -> WarmFile.parse(ByteBuffer.wrap(bytes)));
        assertEquals("warm file version: 2 (expected: 1)", e.getMessage());
    }

    @Test
    void anotherFileIsRejectedByItsMagic() throws IOException {
        Path file = dir.resolve("respite.conf");
        Files.writeString(file, "ttl 60s\ncapacity 1000\n");
        DamagedException e = assertThrows(DamagedException.class, () -> WarmFile.read(file));
        assertTrue(e.getMessage().startsWith("warm file magic: 0x74746c20"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> WarmFile.read(dir.resolve("missing")));
    }

    @Test
    void aHugeDeclaredCountIsNotTrusted() throws IOException {
        byte[] bytes = written(List.of());
        ByteBuffer.wrap(bytes).putInt(8, -1); // 4 294 967 295 keys declared, none there
        DamagedException e = assertThrows(DamagedException.class, () -> WarmFile.parse(ByteBuffer.wrap(bytes)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
