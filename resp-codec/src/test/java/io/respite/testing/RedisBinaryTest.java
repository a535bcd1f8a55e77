package io.respite.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinaryTest {

    @Test
    void explicitBinaryWinsOverPath(@TempDir Path dir) throws Exception {
        Path fake = executable(dir.resolve("my-redis"));
        Path onPath = executable(Files.createDirectory(dir.resolve("bin")).resolve("redis-server"));
        assertEquals(
                fake,
                RedisBinary.locate(Map.of(
                                "REDIS_SERVER",
                                fake.toString(),
                                "PATH",
                                onPath.getParent().toString()))
                        .orElseThrow());
    }

    @Test
    void findsTheFirstOnPath(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = executable(Files.createDirectory(dir.resolve("b")).resolve("redis-server"));
        assertEquals(
                b, RedisBinary.locate(Map.of("PATH", a + ":" + b.getParent())).orElseThrow());
    }

    @Test
    void absentEverywhereIsEmpty(@TempDir Path dir) {
        assertTrue(RedisBinary.locate(Map.of("PATH", dir.toString())).isEmpty());
    }

    @Test
    void aWrongExplicitBinaryIsAnErrorNotAFallback(@TempDir Path dir) {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> RedisBinary.locate(
                        Map.of("REDIS_SERVER", dir.resolve("nope").toString())));
        assertTrue(e.getMessage().contains("is not an executable file"), e.getMessage());
    }

    private static Path executable(Path path) throws Exception {
        Files.writeString(path, "#!/bin/sh\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
