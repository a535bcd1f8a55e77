package io.respite.resp;

/**
 * A RESP reply value of any RESP2 or RESP3 type.
 *
 * <p>Text-bearing line types ({@link RespSimpleString}, {@link RespError}, {@link RespDouble},
 * {@link RespBigNumber}) keep their bytes as a {@code String} with one char per byte
 * (ISO-8859-1), which round-trips any byte sequence exactly; Redis writes them in ASCII.
 * Buffer-bearing types are reference counted (see the package documentation).
 */
public sealed interface RespMessage
        permits RespSimpleString,
                RespError,
                RespInteger,
                RespBulkString,
                RespNullBulkString,
                RespNullArray,
                RespNull,
                RespBoolean,
                RespDouble,
                RespBigNumber,
                RespBlobError,
                RespVerbatimString,
                RespAggregate {

    RespType type();
}
