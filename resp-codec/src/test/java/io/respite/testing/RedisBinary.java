package io.respite.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Finds the {@code redis-server} binary: {@code $REDIS_SERVER} if set, else the first on {@code PATH}. */
final class RedisBinary {

    private RedisBinary() {}

    /**
     * Returns the binary, or empty when there is none.
     *
     * @throws IllegalStateException when {@code REDIS_SERVER} names something that is not an
     *     executable file: an explicit choice that is wrong should not fall back silently
     */
    static Optional<Path> locate(Map<String, String> env) {
        String explicit = env.get("REDIS_SERVER");
        if (explicit != null && !explicit.isEmpty()) {
            Path path = Path.of(explicit);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException("REDIS_SERVER=" + explicit + " is not an executable file");
            }
            return Optional.of(path);
        }
        String pathVar = env.getOrDefault("PATH", "");
        for (String dir : pathVar.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
