package io.respite.proxy.warm;

import io.respite.proxy.cache.DatabaseKeys;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The warm file: the keys of the hottest cache entries, each with its database, the hottest
 * first. Written at a graceful stop, read at the next start.
 *
 * <p>Format, version 1, every integer big-endian:
 *
 * <pre>
 * offset  size  field
 * 0       4     magic: the ASCII bytes "RWRM"
 * 4       2     version: 1
 * 6       2     reserved: 0
 * 8       4     count: the number of keys, n
 * 12      ...   n records, each: database (4, unsigned), key length (4, unsigned), the key's bytes
 * end-4   4     CRC-32C (Castagnoli) of every byte before it
 * </pre>
 *
 * A reader checks the magic, the version, that every record lies within the file and that nothing
 * is left over, then the checksum, and rejects the file whole on any mismatch: a warm file is an
 * optimisation, and a damaged one is ignored rather than half used. A new version number is for a
 * layout a version-1 reader would misread.
 *
 * <p>Written atomically: to a temporary file in the same directory, forced to disk, renamed over
 * the old one, and the directory forced, so a crash leaves the old file or the new, never a part.
 * Stateless.
 */
public final class WarmFile {

    /** The first four bytes of every warm file: "RWRM". */
    static final int MAGIC = 0x5257524D;

    /** The layout this class writes and reads. */
    static final int VERSION = 1;

    /** Bytes of the header: magic, version, reserved, count. */
    static final int HEADER_BYTES = 12;

    /** Bytes of the trailer: the checksum. */
    static final int TRAILER_BYTES = 4;

    /** Bytes of a record before its key: database and key length. */
    static final int RECORD_HEADER_BYTES = 8;

    /** Largest warm file read, in bytes (1 GiB): beyond it, the file is not one respite wrote. */
    static final long MAX_FILE_BYTES = 1L << 30;

    private WarmFile() {}

    /** One key of the file: its database and its bytes (not copied: callers must not write to them). */
    public static final class WarmKey {

        private final int database;
        private final byte[] key;

        public WarmKey(int database, byte[] key) {
            this.database = database;
            this.key = Objects.requireNonNull(key, "key");
        }

        /** The key of a cache key ({@link DatabaseKeys}' prefix, then the key's bytes). */
        public static WarmKey ofCacheKey(byte[] cacheKey) {
            int prefix = DatabaseKeys.prefixLength(cacheKey);
            return new WarmKey(DatabaseKeys.database(cacheKey), Arrays.copyOfRange(cacheKey, prefix, cacheKey.length));
        }

        public int database() {
            return database;
        }

        public byte[] key() {
            return key;
        }

        @Override
        public boolean equals(@Nullable Object other) {
            return other instanceof WarmKey that && database == that.database && Arrays.equals(key, that.key);
        }

        @Override
        public int hashCode() {
            return 31 * database + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "WarmKey[database=" + database + ", key=" + key.length + " bytes]";
        }
    }

    /** A warm file that is not one, is damaged or has another version: the message says which. */
    public static final class DamagedException extends IOException {

        private static final long serialVersionUID = 1L;

        DamagedException(String message) {
            super(message);
        }
    }

    /** Writes {@code keys} to {@code file} atomically (see the class comment). */
    public static void write(Path file, List<WarmKey> keys) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path dir = Objects.requireNonNullElse(absolute.getParent(), absolute.getRoot());
        Path temp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            try (FileOutputStream fileOut = new FileOutputStream(temp.toFile())) {
                CRC32C crc = new CRC32C();
                DataOutputStream out =
                        new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(fileOut, 1 << 16), crc));
                out.writeInt(MAGIC);
                out.writeShort(VERSION);
                out.writeShort(0);
                out.writeInt(keys.size());
                for (WarmKey key : keys) {
                    out.writeInt(key.database());
                    out.writeInt(key.key().length);
                    out.write(key.key());
                }
                out.flush();
                int checksum = (int) crc.getValue();
                out.writeInt(checksum);
                out.flush();
                fileOut.getFD().sync();
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    /** Forces the directory entry of the rename to disk; not every platform can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // The rename is done; only its durability across a power cut depends on this.
        }
    }

    /**
     * The keys of {@code file}, in the order written.
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws DamagedException if it is not a warm file, is damaged or has another version
     * @throws IOException if it cannot be read
     */
    public static List<WarmKey> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new DamagedException("warm file size: " + size + " bytes (expected: at most " + MAX_FILE_BYTES + ")");
        }
        return parse(ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    /** Parses a whole warm file; see {@link #read}. */
    static List<WarmKey> parse(ByteBuffer in) throws DamagedException {
        int length = in.remaining();
        if (length < HEADER_BYTES + TRAILER_BYTES) {
            throw new DamagedException("warm file length: " + length + " bytes (expected: at least "
                    + (HEADER_BYTES + TRAILER_BYTES) + ", truncated)");
        }
        int magic = in.getInt();
        if (magic != MAGIC) {
            throw new DamagedException("warm file magic: 0x" + Integer.toHexString(magic) + " (expected: 0x"
                    + Integer.toHexString(MAGIC) + ", \"RWRM\")");
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != VERSION) {
            throw new DamagedException("warm file version: " + version + " (expected: " + VERSION + ")");
        }
        in.getShort(); // reserved
        long count = Integer.toUnsignedLong(in.getInt());
        int end = length - TRAILER_BYTES;
        // No presizing from the declared count: at most what the file could hold.
        List<WarmKey> keys = new ArrayList<>((int) Math.min(count, (end - HEADER_BYTES) / RECORD_HEADER_BYTES));
        for (long i = 0; i < count; i++) {
            if (end - in.position() < RECORD_HEADER_BYTES) {
                throw truncated(i, count);
            }
            int database = in.getInt();
            long keyLength = Integer.toUnsignedLong(in.getInt());
            if (database < 0 || keyLength > end - in.position()) {
                throw database < 0
                        ? new DamagedException(
                                "warm file database: " + Integer.toUnsignedString(database) + " (expected: < 2^31)")
                        : truncated(i, count);
            }
            byte[] key = new byte[(int) keyLength];
            in.get(key);
            keys.add(new WarmKey(database, key));
        }
        if (in.position() != end) {
            throw new DamagedException("warm file length: " + length + " bytes (expected: "
                    + (in.position() + TRAILER_BYTES) + " for " + count + " keys)");
        }
        CRC32C crc = new CRC32C();
        crc.update(in.duplicate().position(0).limit(end));
        int expected = (int) crc.getValue();
        int stored = in.getInt();
        if (stored != expected) {
            throw new DamagedException("warm file checksum: 0x" + Integer.toHexString(stored) + " (expected: 0x"
                    + Integer.toHexString(expected) + ")");
        }
        return keys;
    }

    private static DamagedException truncated(long index, long count) {
        return new DamagedException("warm file record: " + index + " of " + count
                + " runs past the end (expected: within the file, " + "truncated)");
    }
}
