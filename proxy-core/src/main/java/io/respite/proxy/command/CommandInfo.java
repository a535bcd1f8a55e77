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
public record CommandInfo(
        String name, int arity, Set<String> flags, List<KeySpec> keySpecs, NameIndex<CommandInfo> subcommands) {

    /** True for commands Redis flags {@code write}. */
    public boolean isWrite() {
        return flags.contains("write");
    }

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    /**
     * True when the command may change the data: it is flagged {@code write}, or a key spec says
     * it writes its keys (EVAL and FCALL are not flagged {@code write}, but their keys are RW).
     */
    public boolean mayWrite() {
        if (isWrite()) {
            return true;
        }
        for (KeySpec spec : keySpecs) {
            if (spec.writes()) {
                return true;
            }
        }
        return false;
    }
}
