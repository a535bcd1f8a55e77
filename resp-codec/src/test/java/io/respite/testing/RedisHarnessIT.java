package io.respite.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisHarnessIT {

    @Test
    void serverAnswersOnLoopbackWithoutPersistence(RedisServer redis) throws IOException {
        assertEquals("127.0.0.1", redis.host());
        assertEquals("+PONG\r\n", redis.callString("PING"));
        assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", redis.callString("CONFIG", "GET", "save"));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", redis.callString("CONFIG", "GET", "appendonly"));
    }

    @Test
    void restartKeepsThePortAndStopRefusesConnections(RedisServer redis) throws IOException {
        int port = redis.port();
        assertEquals("+OK\r\n", redis.callString("SET", "k", "v"));
        redis.stop();
        assertFalse(redis.isRunning());
        assertThrows(ConnectException.class, () -> redis.call("PING"));
        redis.start();
        assertEquals(port, redis.port());
        assertEquals("$-1\r\n", redis.callString("GET", "k"), "no persistence: data is gone after restart");
    }

    @Test
    void killIsAbrupt(RedisServer redis) throws IOException {
        redis.kill();
        assertFalse(redis.isRunning());
        redis.start();
        assertEquals("+PONG\r\n", redis.callString("PING"));
    }

    @Test
    void severalServersPerTestAreIndependent(RedisServer first, RedisFleet fleet) throws IOException {
        RedisServer second = fleet.start("--maxmemory", "1mb");
        assertNotEquals(first.port(), second.port());
        first.call("SET", "k", "one");
        assertEquals("$-1\r\n", second.callString("GET", "k"));
        assertEquals("*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n", second.callString("CONFIG", "GET", "maxmemory"));
    }

    @Test
    void threeMasterClusterServesEverySlot(RedisFleet fleet) throws IOException {
        RedisCluster cluster = fleet.cluster(3);
        assertEquals(3, cluster.nodes().size());
        String info = cluster.nodes().get(0).callString("CLUSTER", "INFO");
        assertTrue(info.contains("cluster_state:ok"), info);
        assertTrue(info.contains("cluster_slots_assigned:16384"), info);
        // "foo" hashes to slot 12182, owned by the third master; the others redirect.
        assertEquals("+OK\r\n", cluster.nodes().get(2).callString("SET", "foo", "bar"));
        assertTrue(cluster.nodes().get(0).callString("GET", "foo").startsWith("-MOVED 12182 "));
    }
}
