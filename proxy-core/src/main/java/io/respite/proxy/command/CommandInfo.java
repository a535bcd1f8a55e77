package io.respite.proxy.command;

import java.util.List;
import java.util.Set;

/**
 * One command (or subcommand, named {@code container|sub}) as the upstream describes it.
 *
 * @param name lower-case name as Redis reports it, such as {@code get} or {@code config|set}
 * @param arity Redis arity: exact argument count if positive, minimum if negative (the name counts)
 * @param flags Redis command flags, lower case ({@code write}, {@code readonly}, {@code blocking}...)
 * @param keySpecs where its keys are; empty when it has none
 * @param subcommands its subcommands by lower-case name; empty for most commands
 */
public record CommandInfo(String name, int arity, Set<String> flags, List<KeySpec> keySpecs,
        NameIndex<CommandInfo> subcommands) {

    /** True for commands that may modify keys: their keys leave the cache when they are sent. */
    public boolean isWrite() {
        return flags.contains("write");
    }

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    /** True when some key of this command cannot be found from its arguments alone. */
    public boolean hasUnknownKeys() {
        for (KeySpec spec : keySpecs) {
            if (spec.isUnknown()) {
                return true;
            }
        }
        return false;
    }
}
