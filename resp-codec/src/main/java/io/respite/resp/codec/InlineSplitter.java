package io.respite.resp.codec;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits an inline command line into arguments exactly as Redis's {@code sdssplitargs} does, so
 * that redis-cli and telnet users get the same arguments through respite:
 * <ul>
 *   <li>arguments are separated by blanks; leading blanks are any {@code isspace} byte;</li>
 *   <li>{@code "double quotes"} understand {@code \xHH}, {@code \n \r \t \b \a} and
 *       backslash-anything;</li>
 *   <li>{@code 'single quotes'} understand only {@code \'};</li>
 *   <li>a closing quote must be followed by a blank or the end of the line, and an unterminated
 *       quote is an error;</li>
 *   <li>a NUL byte ends the line, as it ends Redis's C string.</li>
 * </ul>
 */
final class InlineSplitter {

    private InlineSplitter() {}

    /**
     * Returns the arguments of {@code length} bytes at {@code index}, or null for unbalanced
     * quotes. Borrows {@code buf} (caller keeps ownership); does not move its indices.
     */
    static @Nullable List<byte[]> split(ByteBuf buf, int index, int length) {
        List<byte[]> args = new ArrayList<>();
        int end = index + length;
        int p = index;
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        for (; ; ) {
            while (p < end && isSpace(at(buf, p, end))) {
                p++;
            }
            if (p >= end || at(buf, p, end) == 0) {
                return args;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                int c = at(buf, p, end);
                if (inDouble) {
                    if (c == '\\'
                            && at(buf, p + 1, end) == 'x'
                            && isHex(at(buf, p + 2, end))
                            && isHex(at(buf, p + 3, end))) {
                        current.write(hex(at(buf, p + 2, end)) * 16 + hex(at(buf, p + 3, end)));
                        p += 3;
                    } else if (c == '\\' && at(buf, p + 1, end) != 0) {
                        p++;
                        current.write(unescape(at(buf, p, end)));
                    } else if (c == '"') {
                        if (!closesArgument(buf, p + 1, end)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(buf, p + 1, end) == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (!closesArgument(buf, p + 1, end)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> current.write(c);
                    }
                }
                if (c != 0) {
                    p++;
                }
            }
            args.add(current.toByteArray());
            current.reset();
        }
    }

    /** The byte at {@code i} as 0..255, or 0 past the end (Redis's string terminator). */
    private static int at(ByteBuf buf, int i, int end) {
        return i < end ? buf.getUnsignedByte(i) : 0;
    }

    /** A closing quote must be followed by a blank or the end of the line. */
    private static boolean closesArgument(ByteBuf buf, int next, int end) {
        int c = at(buf, next, end);
        return c == 0 || isSpace(c);
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }

    private static int unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 0x07;
            default -> c;
        };
    }
}
