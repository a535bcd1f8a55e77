package io.respite.proxy.upstream;

import io.respite.resp.RespVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * One command a connection sends before it serves: {@code HELLO 3} (with AUTH) for RESP3,
 * {@code AUTH} for a password, {@code READONLY} for a Redis Cluster replica's reads,
 * {@code SELECT} for the URI's database, and a {@code PING} when
 * none of those is needed, so that every connection reads Redis's first reply itself: a greeting
 * error such as {@code max number of clients reached} then fails the handshake instead of
 * answering a client's command.
 *
 * @param args the command
 * @param what how failures name it: {@code AUTH}, {@code HELLO 3}, {@code SELECT 2}, {@code PING}
 */
record Handshake(List<String> args, String what) {

    /** The handshake of a connection in {@code version} with {@code settings}, in order. */
    static List<Handshake> of(UpstreamSettings settings, RespVersion version) {
        return of(settings, version, false);
    }

    /**
     * As {@link #of(UpstreamSettings, RespVersion)}; {@code outOfBand} keeps only what Redis
     * answers while a script keeps it busy (HELLO and AUTH), for a connection that carries one
     * command such as SCRIPT KILL: no SELECT, no PING, possibly no step at all.
     */
    static List<Handshake> of(UpstreamSettings settings, RespVersion version, boolean outOfBand) {
        List<Handshake> steps = new ArrayList<>();
        if (version == RespVersion.RESP3) {
            List<String> hello = new ArrayList<>(List.of("HELLO", "3"));
            if (settings.password() != null) {
                hello.addAll(List.of(
                        "AUTH", settings.username() == null ? "default" : settings.username(), settings.password()));
            }
            steps.add(new Handshake(List.copyOf(hello), "HELLO 3"));
        } else if (settings.password() != null) {
            steps.add(new Handshake(
                    settings.username() == null
                            ? List.of("AUTH", settings.password())
                            : List.of("AUTH", settings.username(), settings.password()),
                    "AUTH"));
        }
        if (outOfBand) {
            return steps;
        }
        if (settings.readOnly()) {
            steps.add(new Handshake(List.of("READONLY"), "READONLY"));
        }
        if (settings.database() != 0) {
            String db = Integer.toString(settings.database());
            steps.add(new Handshake(List.of("SELECT", db), "SELECT " + db));
        }
        if (steps.isEmpty()) {
            steps.add(new Handshake(List.of("PING"), "PING"));
        }
        return steps;
    }
}
