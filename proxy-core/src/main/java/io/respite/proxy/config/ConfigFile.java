package io.respite.proxy.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a redis.conf-style file: one {@code option value} a line, the option by its long flag
 * name without {@code --}, {@code #} starting a comment line, blank lines ignored. A value with
 * spaces goes in double quotes, where {@code \"} and {@code \\} stand for {@code "} and
 * {@code \}, except for options whose value is a list of words ({@code client-output-limit
 * 256mb 64mb 60s}), which take the rest of the line as redis.conf does. An option that may repeat
 * ({@code deny-command}) collects every line's value. Errors name the file and the line
 * ({@code respite.conf:3: unknown option 'prot'}) and never repeat a value, which could be a password.
 */
final class ConfigFile {

    private ConfigFile() {}

    /**
     * The options {@code lines} set, each with its source named {@code <file>:<line>: <option>}.
     *
     * @param file  how errors name the file: the path as given
     * @param lines the file's lines
     * @throws ConfigException for an unknown or repeated option, or a malformed value
     */
    static Map<Option, ConfigLoader.Setting> parse(String file, List<String> lines) {
        Map<Option, ConfigLoader.Setting> settings = new EnumMap<>(Option.class);
        Map<Option, Integer> lineSet = new EnumMap<>(Option.class);
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String where = file + ":" + lineNumber;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
                end++;
            }
            String name = line.substring(0, end);
            Option option = Option.named(name);
            if (option == null) {
                throw new ConfigException(where + ": unknown option '" + name + "'");
            }
            Integer first = lineSet.putIfAbsent(option, lineNumber);
            if (first != null && !option.repeatable) {
                throw new ConfigException(
                        where + ": duplicate option '" + name + "' (first set on line " + first + ")");
            }
            String rest = line.substring(end).strip();
            String value = option.words && !rest.startsWith("\"") && !rest.isEmpty() ? rest : value(where, name, rest);
            ConfigLoader.Setting earlier = settings.get(option);
            settings.put(
                    option,
                    new ConfigLoader.Setting(
                            where + ": " + name, earlier == null ? value : earlier.value() + "," + value));
        }
        return settings;
    }

    /** The value after the option name: one bare word, or one double-quoted string. */
    private static String value(String where, String name, String text) {
        if (text.isEmpty()) {
            throw new ConfigException(where + ": option '" + name + "' has no value");
        }
        if (!text.startsWith("\"")) {
            if (text.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException(where + ": option '" + name + "' takes one value; quote a value with spaces");
            }
            return text;
        }
        StringBuilder value = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                if (i != text.length() - 1) {
                    throw new ConfigException(where + ": option '" + name + "' has text after its closing quote");
                }
                return value.toString();
            }
            if (c == '\\') {
                char escaped = i + 1 < text.length() ? text.charAt(++i) : ' ';
                if (escaped != '"' && escaped != '\\') {
                    throw new ConfigException(
                            where + ": option '" + name + "' has a bad escape; only \\\" and \\\\ are");
                }
                c = escaped;
            }
            value.append(c);
        }
        throw new ConfigException(where + ": option '" + name + "' has no closing quote");
    }
}
