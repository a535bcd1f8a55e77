package io.respite.proxy.command;

import io.respite.resp.RespAggregate;
import io.respite.resp.RespBulkString;
import io.respite.resp.RespCommand;
import io.respite.resp.RespInteger;
import io.respite.resp.RespMessage;
import io.respite.resp.RespSimpleString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Every command the upstream knows, built from its {@code COMMAND} reply. Immutable and
 * thread-safe once built.
 */
public final class CommandTable {

    private final NameIndex<CommandInfo> commands;

    private CommandTable(NameIndex<CommandInfo> commands) {
        this.commands = commands;
    }

    /**
     * Builds the table from the reply to {@code COMMAND} (RESP2 or RESP3). Borrows {@code reply}.
     *
     * @throws IllegalArgumentException when the reply is not a COMMAND reply
     */
    public static CommandTable parse(RespMessage reply) {
        Map<String, CommandInfo> byName = new HashMap<>();
        for (RespMessage entry : aggregate(reply, "COMMAND reply")) {
            CommandInfo info = parseEntry(entry);
            byName.put(info.name(), info);
        }
        return new CommandTable(new NameIndex<>(byName));
    }

    public int size() {
        return commands.size();
    }

    /** The command by name, ignoring case; or null. */
    public @Nullable CommandInfo get(String name) {
        return commands.get(name);
    }

    /**
     * The command (or, for a container such as {@code CONFIG} or {@code XGROUP}, the subcommand)
     * that {@code command} invokes; null when the upstream does not know it.
     */
    public @Nullable CommandInfo lookup(RespCommand command) {
        CommandInfo info = commands.get(
                command.frame(), command.frame().readerIndex() + command.argOffset(0), command.argLength(0));
        if (info == null || info.subcommands().size() == 0 || command.argCount() < 2) {
            return info;
        }
        CommandInfo sub = info.subcommands()
                .get(command.frame(), command.frame().readerIndex() + command.argOffset(1), command.argLength(1));
        return sub == null ? info : sub;
    }

    private static CommandInfo parseEntry(RespMessage entry) {
        List<RespMessage> fields = aggregate(entry, "COMMAND entry");
        if (fields.size() < 6) {
            throw new IllegalArgumentException("COMMAND entry with " + fields.size() + " fields (expected: >= 6)");
        }
        String name = text(fields.get(0)).toLowerCase(Locale.ROOT);
        int arity = (int) integer(fields.get(1));
        Set<String> flags = new HashSet<>();
        for (RespMessage flag : aggregate(fields.get(2), "flags")) {
            flags.add(text(flag).toLowerCase(Locale.ROOT));
        }
        int first = (int) integer(fields.get(3));
        int last = (int) integer(fields.get(4));
        int step = (int) integer(fields.get(5));
        Set<String> tips = new HashSet<>();
        if (fields.size() > 7) {
            for (RespMessage tip : aggregate(fields.get(7), "tips")) {
                tips.add(text(tip).toLowerCase(Locale.ROOT));
            }
        }
        List<KeySpec> keySpecs = new ArrayList<>();
        if (fields.size() > 8 && !aggregate(fields.get(8), "key specs").isEmpty()) {
            for (RespMessage spec : aggregate(fields.get(8), "key specs")) {
                keySpecs.add(parseKeySpec(spec));
            }
        } else if (first > 0) {
            keySpecs.add(KeySpec.legacy(first, last, step, flags.contains("write")));
        }
        NameIndex<CommandInfo> subcommands = NameIndex.empty();
        if (fields.size() > 9 && !aggregate(fields.get(9), "subcommands").isEmpty()) {
            Map<String, CommandInfo> subs = new HashMap<>();
            for (RespMessage sub : aggregate(fields.get(9), "subcommands")) {
                CommandInfo info = parseEntry(sub);
                subs.put(info.name().substring(info.name().indexOf('|') + 1), info);
            }
            subcommands = new NameIndex<>(subs);
        }
        return new CommandInfo(name, arity, Set.copyOf(flags), List.copyOf(keySpecs), subcommands, Set.copyOf(tips));
    }

    private static KeySpec parseKeySpec(RespMessage spec) {
        Map<String, RespMessage> fields = pairs(spec);
        boolean writes = true;
        if (fields.get("flags") != null) {
            for (RespMessage flag : aggregate(fields.get("flags"), "key spec flags")) {
                writes &= !text(flag).equalsIgnoreCase("RO");
            }
        }
        Map<String, RespMessage> begin = pairs(fields.get("begin_search"));
        Map<String, RespMessage> find = pairs(fields.get("find_keys"));
        String beginType = text(begin.get("type"));
        String findType = text(find.get("type"));
        if (beginType.equals("unknown") || findType.equals("unknown")) {
            return KeySpec.unknown(writes);
        }
        Map<String, RespMessage> bs = pairs(begin.get("spec"));
        Map<String, RespMessage> fk = pairs(find.get("spec"));
        int beginIndex = 0;
        byte[] keyword = null;
        int startFrom = 0;
        if (beginType.equals("index")) {
            beginIndex = (int) integer(bs.get("index"));
        } else if (beginType.equals("keyword")) {
            keyword = text(bs.get("keyword")).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            startFrom = (int) integer(bs.get("startfrom"));
        } else {
            return KeySpec.unknown(writes);
        }
        return switch (findType) {
            case "range" ->
                new KeySpec(
                        beginIndex,
                        keyword,
                        startFrom,
                        (int) integer(fk.get("lastkey")),
                        Math.max(1, (int) integer(fk.get("keystep"))),
                        (int) integer(fk.get("limit")),
                        -1,
                        0,
                        writes);
            case "keynum" ->
                new KeySpec(
                        beginIndex,
                        keyword,
                        startFrom,
                        0,
                        Math.max(1, (int) integer(fk.get("keystep"))),
                        0,
                        (int) integer(fk.get("keynumidx")),
                        (int) integer(fk.get("firstkey")),
                        writes);
            default -> KeySpec.unknown(writes);
        };
    }

    /** A flat key-value aggregate (RESP2 array or RESP3 map) as a map; keys are lower case. */
    private static Map<String, RespMessage> pairs(@Nullable RespMessage message) {
        if (message == null) {
            return Map.of();
        }
        List<RespMessage> elements = aggregate(message, "key spec field");
        Map<String, RespMessage> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < elements.size(); i += 2) {
            map.put(text(elements.get(i)).toLowerCase(Locale.ROOT), elements.get(i + 1));
        }
        return map;
    }

    private static List<RespMessage> aggregate(RespMessage message, String what) {
        if (message instanceof RespAggregate aggregate) {
            return aggregate.elements();
        }
        throw new IllegalArgumentException(what + ": " + message + " (expected: an aggregate)");
    }

    private static String text(@Nullable RespMessage message) {
        if (message instanceof RespBulkString bulk) {
            return bulk.content().toString(StandardCharsets.UTF_8);
        }
        if (message instanceof RespSimpleString simple) {
            return simple.value();
        }
        throw new IllegalArgumentException("field: " + message + " (expected: a string)");
    }

    private static long integer(@Nullable RespMessage message) {
        if (message instanceof RespInteger integer) {
            return integer.value();
        }
        throw new IllegalArgumentException("field: " + message + " (expected: an integer)");
    }
}
