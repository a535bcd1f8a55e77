package io.respite.resp.codec;

import io.netty.buffer.Unpooled;
import io.respite.resp.RespArray;
import io.respite.resp.RespAttribute;
import io.respite.resp.RespBigNumber;
import io.respite.resp.RespBlobError;
import io.respite.resp.RespBoolean;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespDouble;
import io.respite.resp.RespError;
import io.respite.resp.RespInteger;
import io.respite.resp.RespMap;
import io.respite.resp.RespMessage;
import io.respite.resp.RespNull;
import io.respite.resp.RespNullArray;
import io.respite.resp.RespNullBulkString;
import io.respite.resp.RespPush;
import io.respite.resp.RespSet;
import io.respite.resp.RespSimpleString;
import io.respite.resp.RespVerbatimString;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random message trees of every type, for round-trip tests. */
final class RespMessages {

    private RespMessages() {}

    /** A random message; aggregates nest up to {@code depth} levels. Caller must release it. */
    static RespMessage random(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 19 : 14);
        return switch (kind) {
            case 0 -> new RespSimpleString(line(random));
            case 1 -> new RespError("ERR " + line(random));
            case 2 -> new RespInteger(random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000) - 500);
            case 3, 4 -> new RespBulkString(Unpooled.wrappedBuffer(binary(random)));
            case 5 -> RespNullBulkString.INSTANCE;
            case 6 -> RespNullArray.INSTANCE;
            case 7 -> RespNull.INSTANCE;
            case 8 -> random.nextBoolean() ? RespBoolean.TRUE : RespBoolean.FALSE;
            case 9 ->
                random.nextInt(5) == 0
                        ? new RespDouble(random.nextBoolean() ? "inf" : "-inf")
                        : RespDouble.of(random.nextGaussian() * 1e6);
            case 10 ->
                new RespBigNumber((random.nextBoolean() ? "-" : "")
                        + "1234567890123456789012345678901234567890".substring(random.nextInt(30)));
            case 11 -> new RespBlobError(Unpooled.wrappedBuffer(binary(random)));
            case 12 ->
                new RespVerbatimString(random.nextBoolean() ? "txt" : "mkd", Unpooled.wrappedBuffer(binary(random)));
            case 13 -> new RespBulkString(Unpooled.EMPTY_BUFFER);
            case 14 -> new RespArray(children(random, depth, 1));
            case 15 -> new RespSet(children(random, depth, 1));
            case 16 -> new RespPush(children(random, depth, 1));
            case 17 -> new RespMap(children(random, depth, 2));
            default -> new RespAttribute(children(random, depth, 2), random(random, depth - 1));
        };
    }

    private static List<RespMessage> children(Random random, int depth, int multiple) {
        List<RespMessage> children = new ArrayList<>();
        for (int i = random.nextInt(5) * multiple; i > 0; i--) {
            children.add(random(random, depth - 1));
        }
        return children;
    }

    /** Printable ASCII without CR or LF, as line types carry. */
    private static String line(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            s.append((char) (' ' + random.nextInt(95)));
        }
        return s.toString();
    }

    /** Any bytes, often with CRLF inside, sometimes empty. */
    private static byte[] binary(Random random) {
        byte[] bytes = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(200)];
        random.nextBytes(bytes);
        if (bytes.length > 2 && random.nextBoolean()) {
            int at = random.nextInt(bytes.length - 1);
            bytes[at] = '\r';
            bytes[at + 1] = '\n';
        }
        return bytes;
    }
}
