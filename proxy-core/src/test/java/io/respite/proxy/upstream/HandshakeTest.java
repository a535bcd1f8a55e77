package io.respite.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.socket.nio.NioSocketChannel;
import io.respite.resp.RespLimits;
import io.respite.resp.RespVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    private static UpstreamSettings settings(String user, String password, int database) {
        return new UpstreamSettings(
                "127.0.0.1",
                6379,
                user,
                password,
                database,
                Duration.ofSeconds(5),
                RespLimits.DEFAULT,
                NioSocketChannel.class,
                10,
                2,
                Duration.ofSeconds(60),
                null);
    }

    private static List<String> steps(UpstreamSettings settings, RespVersion version) {
        return Handshake.of(settings, version).stream()
                .map(h -> String.join(" ", h.args()) + " = " + h.what())
                .toList();
    }

    @Test
    void aPlainConnectionStillReadsRedissFirstReply() {
        assertEquals(List.of("PING = PING"), steps(settings(null, null, 0), RespVersion.RESP2));
    }

    @Test
    void passwordUserAndDatabase() {
        assertEquals(List.of("AUTH pw = AUTH"), steps(settings(null, "pw", 0), RespVersion.RESP2));
        assertEquals(
                List.of("AUTH u pw = AUTH", "SELECT 3 = SELECT 3"), steps(settings("u", "pw", 3), RespVersion.RESP2));
        assertEquals(List.of("SELECT 1 = SELECT 1"), steps(settings(null, null, 1), RespVersion.RESP2));
    }

    @Test
    void resp3AuthenticatesInHello() {
        assertEquals(List.of("HELLO 3 = HELLO 3"), steps(settings(null, null, 0), RespVersion.RESP3));
        assertEquals(List.of("HELLO 3 AUTH default pw = HELLO 3"), steps(settings(null, "pw", 0), RespVersion.RESP3));
        assertEquals(
                List.of("HELLO 3 AUTH u pw = HELLO 3", "SELECT 2 = SELECT 2"),
                steps(settings("u", "pw", 2), RespVersion.RESP3));
    }

    @Test
    void aReplicasConnectionsServeReadsOfItsPrimarysSlots() {
        UpstreamSettings replica = settings(null, "pw", 0).forReplica("10.0.0.2", 7001);
        assertEquals(List.of("AUTH pw = AUTH", "READONLY = READONLY"), steps(replica, RespVersion.RESP2));
        assertEquals(
                List.of("HELLO 3 AUTH default pw = HELLO 3", "READONLY = READONLY"), steps(replica, RespVersion.RESP3));
        assertEquals(0, replica.idleDedicated(), "nothing leases a replica's connection");
        assertEquals(
                List.of("AUTH pw = AUTH"),
                Handshake.of(replica, RespVersion.RESP2, true).stream()
                        .map(h -> String.join(" ", h.args()) + " = " + h.what())
                        .toList(),
                "out of band: only what a busy Redis answers");
    }
}
