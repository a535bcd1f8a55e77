package io.respite.proxy.command;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One command (or subcommand, named {@code container|sub}) as the upstream describes it.
 *
 * @param name lower-case name as Redis reports it, such as {@code get} or {@code config|set}
 * @param arity Redis arity: exact argument count if positive, minimum if negative (the name counts)
 * @param flags Redis command flags, lower case ({@code write}, {@code readonly}, {@code blocking}...)
 * @param keySpecs where its keys are; empty when it has none
 * @param subcommands its subcommands by lower-case name; empty for most commands
 * @param tips Redis 7's command tips, lower case ({@code request_policy:all_shards},
 *     {@code response_policy:agg_sum}, {@code nondeterministic_output}...); empty before Redis 7
 */
public record CommandInfo(
        String name,
        int arity,
        Set<String> flags,
        List<KeySpec> keySpecs,
        NameIndex<CommandInfo> subcommands,
        Set<String> tips) {

    private static final String REQUEST_POLICY = "request_policy:";
    private static final String RESPONSE_POLICY = "response_policy:";

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

    /**
     * How a cluster client sends this command (the {@code request_policy} tip: {@code all_shards},
     * {@code all_nodes}, {@code multi_shard}, {@code special}), or null when the command has none
     * (it goes to its keys' shard, or to any shard when it has no key).
     */
    public @Nullable String requestPolicy() {
        return tip(REQUEST_POLICY);
    }

    /**
     * How a cluster client merges the replies of a command sent to several shards (the
     * {@code response_policy} tip: {@code agg_sum}, {@code all_succeeded}, {@code one_succeeded},
     * {@code agg_logical_and}, {@code agg_min}, {@code special}...), or null for the default.
     */
    public @Nullable String responsePolicy() {
        return tip(RESPONSE_POLICY);
    }

    private @Nullable String tip(String prefix) {
        for (String tip : tips) {
            if (tip.startsWith(prefix)) {
                return tip.substring(prefix.length());
            }
        }
        return null;
    }
}
