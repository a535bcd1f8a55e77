package io.respite.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded, reproducible sequence of Redis commands whose replies are deterministic, so that two
 * fresh servers given the same sequence answer with the same bytes: strings, hashes, lists, sets,
 * sorted sets, expiry, key commands, SELECT and SWAPDB, the connection commands respite answers
 * itself, and errors (WRONGTYPE, wrong arity, syntax, unknown commands). Keys and values include
 * binary bytes (every byte value 0 to 255, CR and LF), empty strings and, now and then, a 1 MiB
 * value. Reads follow writes closely, so that a proxy's cache is both filled and hit.
 *
 * <p>What is left out, because its reply legitimately differs between two servers or two runs:
 * anything with ids, addresses or clocks (CLIENT ID, HELLO, INFO, TIME, RANDOMKEY, EXPIRETIME
 * after a relative EXPIRE), commands that return hash-table order (SMEMBERS, SINTER, KEYS, SCAN:
 * sets are read through {@code SORT ... ALPHA} instead), random picks (SPOP, SRANDMEMBER), and
 * expiries short enough to fire during a run. The one clock-dependent reply kept is TTL/PTTL;
 * {@link #normalise} masks its positive values.
 *
 * <p>Hash values stay at most 32 bytes and hashes and sorted sets at most ten members, so Redis
 * keeps them as listpacks, whose order is insertion order on every server.
 */
final class CommandMix {

    /** Size of the occasional large value by default, in bytes: 1 MiB, the default --max-entry-size. */
    static final int LARGE_VALUE_BYTES = 1024 * 1024;

    /** Every byte value from 0 to 255, once, in order. */
    static final byte[] ALL_BYTES = allBytes();

    private static final byte[] TTL = ascii("TTL");
    private static final byte[] PTTL = ascii("PTTL");

    private final SplittableRandom random;
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> recent = new ArrayList<>();
    private final byte[] largeValue;
    private final boolean scripts;

    /**
     * @param seed the seed: the same seed gives the same sequence
     * @param scripts whether the sequence contains EVAL writes to declared keys (Redis does not flag
     *                EVAL as a write, so a proxy must find its keys some other way)
     * @param largeValueBytes size of the occasional large value, in bytes
     */
    CommandMix(long seed, boolean scripts, int largeValueBytes) {
        this.random = new SplittableRandom(seed);
        this.scripts = scripts;
        for (int i = 0; i < 24; i++) {
            keys.add(ascii("k" + i));
        }
        keys.add(new byte[0]);
        keys.add(ALL_BYTES);
        keys.add(new byte[] {'\r', '\n'});
        keys.add(new byte[] {0, 0, 0});
        for (int i = 0; i < 4; i++) {
            keys.add(randomBytes(1 + random.nextInt(24)));
        }
        largeValue = randomBytes(largeValueBytes);
    }

    /** The next {@code count} commands, each as its arguments. */
    List<byte[][]> next(int count) {
        List<byte[][]> commands = new ArrayList<>(count);
        while (commands.size() < count) {
            add(commands);
        }
        return commands.subList(0, count);
    }

    /**
     * {@code reply} with clock-dependent parts masked: a positive TTL or PTTL becomes {@code :+},
     * since the two servers count down from different moments.
     */
    static byte[] normalise(byte[][] command, byte[] reply) {
        boolean ttl = Arrays.equals(upper(command[0]), TTL) || Arrays.equals(upper(command[0]), PTTL);
        if (ttl && reply.length > 3 && reply[0] == ':' && reply[1] != '-') {
            return ascii(":+\r\n");
        }
        return reply;
    }

    /** A command for messages: arguments quoted, non-printable bytes escaped, long arguments cut. */
    static String render(byte[][] command) {
        StringBuilder out = new StringBuilder();
        for (byte[] arg : command) {
            out.append(out.length() == 0 ? "" : " ").append('"');
            for (int i = 0; i < Math.min(arg.length, 40); i++) {
                int b = arg[i] & 0xFF;
                out.append(b >= 0x20 && b < 0x7F && b != '"' ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            out.append(arg.length > 40 ? "...(" + arg.length + " bytes)" : "").append('"');
        }
        return out.toString();
    }

    private void add(List<byte[][]> out) {
        int roll = random.nextInt(100);
        if (roll < 30) {
            // A read of a key written lately: the cache's hits and fills.
            out.add(cmd("GET", recentKey()));
        } else if (roll < 34) {
            out.add(cmd("GET", key()));
        } else if (roll < 50) {
            strings(out);
        } else if (roll < 57) {
            hashes(out);
        } else if (roll < 63) {
            lists(out);
        } else if (roll < 68) {
            sets(out);
        } else if (roll < 73) {
            sortedSets(out);
        } else if (roll < 79) {
            expiry(out);
        } else if (roll < 86) {
            keyCommands(out);
        } else if (roll < 91) {
            errors(out);
        } else if (roll < 96) {
            connection(out);
        } else if (roll < 98) {
            databases(out);
        } else if (scripts) {
            byte[] key = recentKey();
            out.add(cmd("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", key, value()));
            out.add(cmd("GET", key));
        } else {
            out.add(cmd("MGET", key(), recentKey(), key()));
        }
    }

    private void strings(List<byte[][]> out) {
        byte[] key = key();
        switch (random.nextInt(19)) {
            case 0, 1 -> out.add(cmd("SET", written(key), value()));
            case 2 -> out.add(cmd("SET", written(key), value(), "NX"));
            case 3 -> out.add(cmd("SET", written(key), value(), "XX", "GET"));
            case 4 -> out.add(cmd("SETEX", written(key), "100000", value()));
            case 5 -> out.add(cmd("SETNX", written(key), value()));
            case 6 -> out.add(cmd("APPEND", written(key), value()));
            case 7 -> out.add(cmd(pick("INCR", "DECR"), written(key)));
            case 8 -> out.add(cmd(pick("INCRBY", "DECRBY"), written(key), Integer.toString(random.nextInt(-50, 50))));
            case 9 -> out.add(cmd("INCRBYFLOAT", written(key), pick("1.5", "-0.25", "3e2", "abc")));
            case 10 -> out.add(cmd("GETSET", written(key), value()));
            case 11 -> out.add(cmd("GETDEL", written(key)));
            case 12 -> out.add(cmd("GETEX", written(key), pick("PERSIST", "EX")));
            case 13 -> out.add(cmd("MSET", written(key), value(), written(key()), value()));
            case 14 -> out.add(cmd("MSETNX", written(key), value(), written(key()), value()));
            case 15 -> out.add(cmd("SETRANGE", written(key), Integer.toString(random.nextInt(8)), value()));
            case 16 -> out.add(cmd("GETRANGE", key, "0", Integer.toString(random.nextInt(-3, 10))));
            case 17 -> out.add(cmd("STRLEN", key));
            default -> {
                // The large value, relayed but (above --max-entry-size) never cached, read twice.
                out.add(cmd("SET", written(key), largeValue));
                out.add(cmd("GET", key));
                out.add(cmd("GET", key));
            }
        }
        out.add(cmd("GET", key));
    }

    private void hashes(List<byte[][]> out) {
        byte[] key = key();
        String field = "f" + random.nextInt(10);
        switch (random.nextInt(8)) {
            case 0, 1 ->
                out.add(cmd("HSET", written(key), field, shortValue(), "f" + random.nextInt(10), shortValue()));
            case 2 -> out.add(cmd("HGET", key, field));
            case 3 -> out.add(cmd("HGETALL", key));
            case 4 -> out.add(cmd("HDEL", written(key), field));
            case 5 -> out.add(cmd("HINCRBY", written(key), field, "3"));
            case 6 -> out.add(cmd("HKEYS", key));
            default -> out.add(cmd("HMGET", key, field, "f0"));
        }
        out.add(cmd("GET", key));
    }

    private void lists(List<byte[][]> out) {
        byte[] key = key();
        switch (random.nextInt(7)) {
            case 0, 1 -> out.add(cmd(pick("LPUSH", "RPUSH"), written(key), shortValue(), shortValue()));
            case 2 -> out.add(cmd(pick("LPOP", "RPOP"), written(key)));
            case 3 -> out.add(cmd("LRANGE", key, "0", "-1"));
            case 4 -> out.add(cmd("LLEN", key));
            case 5 -> out.add(cmd("LSET", written(key), "0", shortValue()));
            default -> out.add(cmd("LINDEX", key, "-1"));
        }
        out.add(cmd("GET", key));
    }

    private void sets(List<byte[][]> out) {
        byte[] key = key();
        switch (random.nextInt(6)) {
            case 0, 1 -> out.add(cmd("SADD", written(key), member(), member()));
            case 2 -> out.add(cmd("SREM", written(key), member()));
            case 3 -> out.add(cmd("SORT", key, "ALPHA"));
            case 4 -> out.add(cmd("SISMEMBER", key, member()));
            default -> {
                byte[] destination = written(key());
                out.add(cmd(pick("SUNIONSTORE", "SINTERSTORE", "SDIFFSTORE"), destination, key, key()));
                out.add(cmd("SORT", destination, "ALPHA"));
            }
        }
        out.add(cmd("GET", key));
    }

    private void sortedSets(List<byte[][]> out) {
        byte[] key = key();
        String member = "m" + random.nextInt(10);
        switch (random.nextInt(6)) {
            case 0, 1 -> out.add(cmd("ZADD", written(key), pick("1", "2.5", "-3", "1e3"), member));
            case 2 -> out.add(cmd("ZRANGE", key, "0", "-1", "WITHSCORES"));
            case 3 -> out.add(cmd("ZSCORE", key, member));
            case 4 -> out.add(cmd("ZINCRBY", written(key), "0.5", member));
            default -> out.add(cmd("ZREM", written(key), member));
        }
        out.add(cmd("GET", key));
    }

    private void expiry(List<byte[][]> out) {
        byte[] key = recentKey();
        switch (random.nextInt(6)) {
            case 0 -> out.add(cmd("EXPIRE", key, "100000"));
            case 1 -> out.add(cmd("PEXPIRE", key, "100000000"));
            case 2 -> out.add(cmd("EXPIREAT", key, "4102444800"));
            case 3 -> out.add(cmd("PERSIST", key));
            case 4 -> out.add(cmd("SET", written(key), value(), "EX", "100000"));
            default -> out.add(cmd("SET", written(key), value(), "KEEPTTL"));
        }
        out.add(cmd(pick("TTL", "PTTL"), key));
        out.add(cmd("GET", key));
    }

    private void keyCommands(List<byte[][]> out) {
        byte[] key = recentKey();
        byte[] other = key();
        switch (random.nextInt(10)) {
            case 0 -> out.add(cmd("DEL", written(key), key()));
            case 1 -> out.add(cmd("UNLINK", written(key)));
            case 2 -> out.add(cmd("EXISTS", key, other, key));
            case 3 -> out.add(cmd("TYPE", key));
            case 4 -> out.add(cmd("RENAME", written(key), written(other)));
            case 5 -> out.add(cmd("RENAMENX", written(key), written(other)));
            case 6 -> out.add(cmd("COPY", key, written(other), "REPLACE"));
            case 7 -> out.add(cmd("COPY", key, written(other)));
            case 8 -> out.add(cmd("MOVE", written(key), "3"));
            default -> out.add(cmd("DBSIZE"));
        }
        out.add(cmd("GET", key));
        out.add(cmd("GET", other));
    }

    private void errors(List<byte[][]> out) {
        switch (random.nextInt(9)) {
            case 0 -> out.add(cmd("GET"));
            case 1 -> out.add(cmd("GET", key(), key()));
            case 2 -> out.add(cmd("SET", key()));
            case 3 -> out.add(cmd("SET", key(), "v", "NX", "XX"));
            case 4 -> out.add(cmd("NOSUCHCOMMAND", key(), "x"));
            case 5 -> out.add(cmd("LPUSH", key(), "x"));
            case 6 -> out.add(cmd("HGET", key(), "f0"));
            case 7 -> out.add(cmd("EXPIRE", key(), "notanumber"));
            default -> out.add(cmd("INCR", key()));
        }
    }

    private void connection(List<byte[][]> out) {
        switch (random.nextInt(10)) {
            case 0 -> out.add(cmd("PING"));
            case 1 -> out.add(cmd("PING", value()));
            case 2 -> out.add(cmd("PING", "a", "b"));
            case 3 -> out.add(cmd("ECHO", value()));
            case 4 -> out.add(cmd("ECHO"));
            case 5 -> out.add(cmd("CLIENT", "SETNAME", pick("respite-test", "", "has space")));
            case 6 -> out.add(cmd("CLIENT", "GETNAME"));
            case 7 -> out.add(cmd("CLIENT", "GETNAME"));
            case 8 -> out.add(cmd("EXISTS"));
            default -> out.add(cmd("ECHO", ALL_BYTES));
        }
    }

    private void databases(List<byte[][]> out) {
        switch (random.nextInt(6)) {
            case 0, 1 -> out.add(cmd("SELECT", pick("0", "3", "0")));
            case 2 -> out.add(cmd("SELECT", pick("99", "-1", "x")));
            case 3 -> out.add(cmd("SWAPDB", "0", "3"));
            case 4 -> out.add(cmd("DBSIZE"));
            default -> {
                if (random.nextInt(4) == 0) {
                    out.add(cmd("FLUSHDB"));
                } else {
                    out.add(cmd("DBSIZE"));
                }
            }
        }
        out.add(cmd("GET", recentKey()));
    }

    private byte[] key() {
        return keys.get(random.nextInt(keys.size()));
    }

    /** A key written in the last few commands (or any key, at first). */
    private byte[] recentKey() {
        if (recent.isEmpty() || random.nextInt(5) == 0) {
            return key();
        }
        return recent.get(random.nextInt(Math.max(0, recent.size() - 8), recent.size()));
    }

    private byte[] written(byte[] key) {
        recent.add(key);
        if (recent.size() > 64) {
            recent.subList(0, 32).clear();
        }
        return key;
    }

    private byte[] value() {
        return switch (random.nextInt(10)) {
            case 0 -> new byte[0];
            case 1 -> ALL_BYTES;
            case 2 -> ascii(Integer.toString(random.nextInt(-100, 1000)));
            case 3 -> ascii("2.5");
            case 4 -> randomBytes(random.nextInt(1, 64));
            case 5 -> randomBytes(4096 + random.nextInt(4096));
            default -> ascii("v" + random.nextInt(1000));
        };
    }

    /** A value short enough to keep hashes and lists in listpack form. */
    private byte[] shortValue() {
        return random.nextInt(4) == 0 ? randomBytes(random.nextInt(0, 32)) : ascii("s" + random.nextInt(100));
    }

    private byte[] member() {
        return random.nextInt(3) == 0 ? ascii(Integer.toString(random.nextInt(20))) : ascii("e" + random.nextInt(12));
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A command; the name in random letter case (respite must match names as Redis does), arguments as given. */
    private byte[][] cmd(Object... args) {
        byte[][] command = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            command[i] = args[i] instanceof byte[] bytes ? bytes : ascii((String) args[i]);
        }
        command[0] = randomCase(command[0]);
        return command;
    }

    private byte[] randomCase(byte[] name) {
        int style = random.nextInt(8);
        String text = new String(name, StandardCharsets.US_ASCII);
        if (style == 0) {
            return ascii(text.toLowerCase(Locale.ROOT));
        }
        if (style == 1) {
            return ascii(text.charAt(0) + text.substring(1).toLowerCase(Locale.ROOT));
        }
        return name;
    }

    private static byte[] upper(byte[] name) {
        return ascii(new String(name, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT));
    }

    private static byte[] allBytes() {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
