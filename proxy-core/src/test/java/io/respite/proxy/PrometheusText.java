package io.respite.proxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parser of the Prometheus text exposition format (version 0.0.4), for tests that read
 * {@code /metrics} as Prometheus would: each sample line is tokenized (name, labels with their
 * escapes, value), comments and {@code HELP}/{@code TYPE} lines are read for their types, and a
 * malformed line fails the parse. Samples are keyed by name and their labels in name order, as
 * {@code name{a="1",b="2"}}.
 */
final class PrometheusText {

    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new LinkedHashMap<>();

    private PrometheusText() {}

    static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.split(" ", 4);
                if (words.length >= 4 && words[1].equals("TYPE")) {
                    parsed.types.put(words[2], words[3]);
                }
                continue;
            }
            parsed.sample(line);
        }
        return parsed;
    }

    private void sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty() || !name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("bad metric name in: " + line);
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int equals = line.indexOf('=', i);
                String label = line.substring(i, equals).strip();
                if (line.charAt(equals + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value in: " + line);
                }
                StringBuilder value = new StringBuilder();
                int j = equals + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char escaped = line.charAt(++j);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split(" ");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        if (samples.put(key(name, labels), value) != null) {
            throw new IllegalArgumentException("a sample given twice: " + line);
        }
    }

    /** The value of the sample {@code name} with {@code labels} (name, value, name, value...). */
    double value(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Double value = samples.get(key(name, wanted));
        if (value == null) {
            throw new AssertionError("no sample " + key(name, wanted) + " among " + samples.keySet());
        }
        return value;
    }

    /** The type a {@code # TYPE} line gave {@code family}, or null. */
    String type(String family) {
        return types.get(family);
    }

    boolean has(String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return samples.containsKey(key(name, wanted));
    }

    private static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder key = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
        key.setLength(key.length() - 1);
        return key.append('}').toString();
    }
}
