package io.respite.proxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.respite.resp.RespAggregate;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespCommand;
import io.respite.resp.RespMessage;
import io.respite.resp.codec.RespReplyDecoder;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The command table read from a real Redis, judged by Redis itself: for a range of commands, the
 * keys respite's key specs find are the keys {@code COMMAND GETKEYS} names.
 */
@ExtendWith(RedisExtension.class)
class CommandTableIT {

    private static final List<List<String>> COMMANDS = List.of(
            List.of("GET", "k"),
            List.of("SET", "k", "v", "EX", "10"),
            List.of("MSET", "a", "1", "b", "2", "c", "3"),
            List.of("MGET", "a", "b", "c"),
            List.of("DEL", "a", "b"),
            List.of("RENAME", "a", "b"),
            List.of("EVAL", "return 1", "2", "k1", "k2", "arg"),
            List.of("EVAL_RO", "return 1", "1", "k1"),
            List.of("FCALL", "f", "1", "k1", "arg"),
            List.of("ZUNIONSTORE", "dst", "2", "z1", "z2", "WEIGHTS", "1", "2"),
            List.of("ZINTERCARD", "2", "z1", "z2"),
            List.of("LMPOP", "2", "l1", "l2", "LEFT"),
            List.of("XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"),
            List.of("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "0"),
            List.of("BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"),
            List.of("BITOP", "AND", "dst", "k1", "k2"),
            List.of("COPY", "src", "dst", "DB", "3", "REPLACE"),
            List.of("OBJECT", "ENCODING", "k"),
            List.of("XGROUP", "CREATE", "s1", "g", "$"),
            List.of("MEMORY", "USAGE", "k"),
            List.of("GEORADIUS", "geo", "0", "0", "1", "km", "STORE", "dst"),
            List.of("SINTERSTORE", "dst", "s1", "s2"),
            List.of("SMOVE", "s1", "s2", "m"),
            List.of("LMOVE", "l1", "l2", "LEFT", "RIGHT"),
            List.of("HSET", "h", "f", "v"),
            List.of("PFMERGE", "dst", "p1", "p2"),
            List.of("SORT_RO", "k", "LIMIT", "0", "1"),
            List.of("TOUCH", "a", "b"));

    @Test
    void keySpecsFindTheKeysRedisItselfNames(RedisServer redis) throws Exception {
        CommandTable table = load(redis);
        assertTrue(table.size() > 200, "the table has Redis's commands: " + table.size());
        try (RespTestClient client = RespTestClient.connect(redis.address())) {
            for (List<String> args : COMMANDS) {
                RespCommand command = RespCommand.of(args.toArray(String[]::new));
                try {
                    CommandInfo info = table.lookup(command);
                    assertNotNull(info, args.toString());
                    TreeSet<String> ours = new TreeSet<>();
                    for (KeySpec spec : info.keySpecs()) {
                        // Specs Redis calls unknown (SORT's BY/GET) name no key GETKEYS could report either.
                        if (!spec.isUnknown()) {
                            assertTrue(
                                    spec.forEachKey(command, arg -> ours.add(command.argString(arg))), args.toString());
                        }
                    }
                    List<String> getkeys = new ArrayList<>(List.of("COMMAND", "GETKEYS"));
                    getkeys.addAll(args);
                    assertEquals(keysOf(client.call(getkeys.toArray(String[]::new))), ours, args.toString());
                } finally {
                    command.release();
                }
            }
        }
    }

    @Test
    void writtenKeysFollowTheSpecsFlags(RedisServer redis) throws Exception {
        CommandTable table = load(redis);
        assertTrue(table.get("get").keySpecs().stream().noneMatch(KeySpec::writes), "GET reads");
        assertTrue(table.get("set").mayWrite());
        assertFalse(table.get("eval").isWrite(), "Redis does not flag EVAL 'write'");
        assertTrue(table.get("eval").mayWrite(), "but its declared keys are RW");
        assertFalse(table.get("eval_ro").mayWrite());
        List<KeySpec> sort = table.get("sort").keySpecs();
        assertTrue(sort.stream().anyMatch(spec -> spec.isUnknown() && spec.writes()), "SORT's STORE spec is unknown");
        assertTrue(table.get("flushdb").isWrite()
                && table.get("flushdb").keySpecs().isEmpty());
    }

    private static CommandTable load(RedisServer redis) throws Exception {
        byte[] reply = redis.call("COMMAND");
        RespMessage message = RespReplyDecoder.parseFrame(Unpooled.wrappedBuffer(reply));
        try {
            return CommandTable.parse(message);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private static TreeSet<String> keysOf(byte[] reply) {
        RespMessage message = RespReplyDecoder.parseFrame(Unpooled.wrappedBuffer(reply));
        try {
            TreeSet<String> keys = new TreeSet<>();
            for (RespMessage key : ((RespAggregate) message).elements()) {
                keys.add(((RespBulkString) key).content().toString(StandardCharsets.UTF_8));
            }
            return keys;
        } finally {
            ReferenceCountUtil.release(message);
        }
    }
}
