package io.respite.proxy.dispatch;

import io.respite.proxy.command.NameIndex;
import io.respite.resp.RespCommand;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Commands the operator keeps away from clients ({@code --deny-command}), as Redis's
 * {@code rename-command NAME ""} does: a denied command, or a denied subcommand such as
 * {@code config|set}, gets Redis's own reply for a command it does not know, before any other
 * check, and never reaches the upstream. Immutable; lookups allocate nothing unless a command is
 * denied.
 */
final class DeniedCommands {

    /** Longest part of the arguments Redis quotes in its unknown-command error, in bytes. */
    private static final int QUOTED_ARGS_BYTES = 128;

    private final NameIndex<Boolean> commands;
    private final NameIndex<NameIndex<Boolean>> subcommands;

    /**
     * @param names lower- or upper-case names: {@code config} denies the command,
     *     {@code config|set} one subcommand of it
     */
    DeniedCommands(Collection<String> names) {
        Map<String, Boolean> whole = new HashMap<>();
        Map<String, Map<String, Boolean>> parts = new HashMap<>();
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            int bar = lower.indexOf('|');
            if (bar < 0) {
                whole.put(lower, Boolean.TRUE);
            } else {
                parts.computeIfAbsent(lower.substring(0, bar), k -> new HashMap<>())
                        .put(lower.substring(bar + 1), Boolean.TRUE);
            }
        }
        Map<String, NameIndex<Boolean>> indexed = new HashMap<>();
        parts.forEach((container, subs) -> indexed.put(container, new NameIndex<>(subs)));
        this.commands = new NameIndex<>(whole);
        this.subcommands = new NameIndex<>(indexed);
    }

    boolean isEmpty() {
        return commands.size() == 0 && subcommands.size() == 0;
    }

    /** Redis's error text (without {@code -}) for {@code command} if it is denied; null if it may run. */
    @Nullable
    String refusal(RespCommand command) {
        int nameAt = command.frame().readerIndex() + command.argOffset(0);
        if (commands.get(command.frame(), nameAt, command.argLength(0)) != null) {
            return unknownCommand(command);
        }
        NameIndex<Boolean> subs = subcommands.get(command.frame(), nameAt, command.argLength(0));
        if (subs != null
                && command.argCount() > 1
                && subs.get(command.frame(), command.frame().readerIndex() + command.argOffset(1), command.argLength(1))
                        != null) {
            return sanitize("ERR unknown subcommand '" + truncate(command.argString(1), QUOTED_ARGS_BYTES) + "'. Try "
                    + command.argString(0).toUpperCase(Locale.ROOT) + " HELP.");
        }
        return null;
    }

    /** Redis 7's text, with the arguments quoted up to 128 bytes in all, as its processCommand writes it. */
    private static String unknownCommand(RespCommand command) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < command.argCount() && args.length() < QUOTED_ARGS_BYTES; i++) {
            args.append('\'')
                    .append(truncate(command.argString(i), QUOTED_ARGS_BYTES - args.length()))
                    .append("' ");
        }
        return sanitize("ERR unknown command '" + truncate(command.argString(0), QUOTED_ARGS_BYTES)
                + "', with args beginning with: " + args);
    }

    private static String truncate(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length);
    }

    /** Redis replaces CR and LF in an error with spaces, so the reply stays one line. */
    private static String sanitize(String error) {
        return error.replace('\r', ' ').replace('\n', ' ');
    }
}
