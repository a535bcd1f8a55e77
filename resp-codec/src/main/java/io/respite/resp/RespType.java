package io.respite.resp;

import org.jspecify.annotations.Nullable;

/**
 * Every RESP2 and RESP3 type, with the marker byte that opens it on the wire.
 *
 * <p>{@link #of(byte)} maps a marker byte to its type through a table built once; building the
 * table rejects a duplicated marker, so a typo here fails at class load, not on the wire.
 */
public enum RespType {
    SIMPLE_STRING('+', Kind.LINE),
    ERROR('-', Kind.LINE),
    INTEGER(':', Kind.LINE),
    BULK_STRING('$', Kind.BLOB),
    ARRAY('*', Kind.AGGREGATE),
    NULL('_', Kind.LINE),
    BOOLEAN('#', Kind.LINE),
    DOUBLE(',', Kind.LINE),
    BIG_NUMBER('(', Kind.LINE),
    BLOB_ERROR('!', Kind.BLOB),
    VERBATIM_STRING('=', Kind.BLOB),
    MAP('%', Kind.AGGREGATE),
    SET('~', Kind.AGGREGATE),
    ATTRIBUTE('|', Kind.AGGREGATE),
    PUSH('>', Kind.AGGREGATE);

    /** How a type's bytes follow its marker. */
    public enum Kind {
        /** {@code <marker><text>\r\n} */
        LINE,
        /** {@code <marker><length>\r\n<bytes>\r\n} */
        BLOB,
        /** {@code <marker><count>\r\n} followed by elements */
        AGGREGATE
    }

    private static final RespType[] BY_MARKER = new RespType[128];

    static {
        for (RespType type : values()) {
            if (BY_MARKER[type.marker] != null) {
                throw new ExceptionInInitializerError("duplicate RESP marker '" + (char) type.marker + "'");
            }
            BY_MARKER[type.marker] = type;
        }
    }

    private final byte marker;
    private final Kind kind;

    RespType(char marker, Kind kind) {
        this.marker = (byte) marker;
        this.kind = kind;
    }

    public byte marker() {
        return marker;
    }

    public Kind kind() {
        return kind;
    }

    /** The type opened by {@code marker}, or null when no RESP type uses that byte. */
    public static @Nullable RespType of(byte marker) {
        return marker >= 0 ? BY_MARKER[marker] : null;
    }
}
