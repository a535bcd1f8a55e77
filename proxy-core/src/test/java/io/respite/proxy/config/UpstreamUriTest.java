package io.respite.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamUriTest {

    /** Columns: text, host, port, username, password, database, toString. Empty cells are null. */
    @Test
    void aClusterIsNamedByItsSeeds() {
        UpstreamUri uri = UpstreamUri.parse("redis-cluster://u:pw@a:7000,[::1]:7001,b");
        assertTrue(uri.cluster());
        assertEquals("a", uri.host());
        assertEquals(7000, uri.port());
        assertEquals(
                List.of(
                        new UpstreamUri.Seed("a", 7000),
                        new UpstreamUri.Seed("::1", 7001),
                        new UpstreamUri.Seed("b", 6379)),
                uri.seeds());
        assertEquals("pw", uri.password());
        assertEquals("redis-cluster://u:***@a:7000,[::1]:7001,b:6379", uri.toString());
        assertEquals(0, UpstreamUri.parse("redis-cluster://a:1/0").database());
    }

    @Test
    void sentinelsNameTheirPrimaryByName() {
        UpstreamUri uri = UpstreamUri.parse("redis-sentinel://u:pw@s1,[::1]:26380,s3:5000/mymaster/2");
        assertTrue(uri.sentinel());
        assertFalse(uri.cluster());
        assertEquals("mymaster", uri.sentinelMaster());
        assertEquals("s1", uri.host());
        assertEquals(26379, uri.port());
        assertEquals(
                List.of(
                        new UpstreamUri.Seed("s1", 26379),
                        new UpstreamUri.Seed("::1", 26380),
                        new UpstreamUri.Seed("s3", 5000)),
                uri.seeds());
        assertEquals("u", uri.username());
        assertEquals("pw", uri.password());
        assertEquals(2, uri.database());
        assertEquals("redis-sentinel://u:***@s1:26379,[::1]:26380,s3:5000/mymaster/2", uri.toString());
        assertEquals(UpstreamUri.parse(uri.toString().replace("***", "pw")), uri);
        UpstreamUri plain = UpstreamUri.parse("REDIS-SENTINEL://10.0.0.1/cache");
        assertEquals("cache", plain.sentinelMaster());
        assertEquals(0, plain.database());
        assertEquals("redis-sentinel://10.0.0.1:26379/cache/0", plain.toString());
        assertFalse(UpstreamUri.parse("redis://h").sentinel());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "redis-sentinel://a:1",
                "redis-sentinel://a:1/",
                "redis-sentinel://a:1//0",
                "redis-sentinel://a:1/my master",
                "redis-sentinel://a:1/m/x",
                "redis-sentinel://a:1/m/-1",
                "redis-sentinel://a:0/m"
            })
    void aSentinelUriWithoutAMasterNameOrWithABadPartIsRefused(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> UpstreamUri.parse(text));
        assertTrue(e.getMessage().contains("upstream"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"redis-cluster://a:1/2", "redis://a:1,b:2", "redis-cluster://a:1,,b:2", "redis-cluster://a:0"})
    void aClusterWithAnotherDatabaseOrASecondPlainHostIsRefused(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> UpstreamUri.parse(text));
        assertTrue(e.getMessage().contains("upstream"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "redis://127.0.0.1:6379         | 127.0.0.1   | 6379  |       |          | 0  | redis://127.0.0.1:6379/0",
                "redis://localhost              | localhost   | 6379  |       |          | 0  | redis://localhost:6379/0",
                "REDIS://Cache.Example:7000/3   | Cache.Example | 7000 |      |          | 3  | redis://Cache.Example:7000/3",
                "redis://h:1/                   | h           | 1     |       |          | 0  | redis://h:1/0",
                "redis://h:65535/15             | h           | 65535 |       |          | 15 | redis://h:65535/15",
                "redis://h:6379/16              | h           | 6379  |       |          | 16 | redis://h:6379/16",
                "redis://my_host-1.local:6379   | my_host-1.local | 6379 |    |          | 0  | redis://my_host-1.local:6379/0",
                "redis://[::1]:6379             | ::1         | 6379  |       |          | 0  | redis://[::1]:6379/0",
                "redis://[::1]                  | ::1         | 6379  |       |          | 0  | redis://[::1]:6379/0",
                "redis://[2001:db8::7]:7000/2   | 2001:db8::7 | 7000  |       |          | 2  | redis://[2001:db8::7]:7000/2",
                "redis://[::ffff:10.0.0.1]:6379 | ::ffff:10.0.0.1 | 6379 | | | 0 | redis://[::ffff:10.0.0.1]:6379/0",
                "redis://[fe80::1%eth0]:6379    | fe80::1%eth0 | 6379 |       |          | 0  | redis://[fe80::1%eth0]:6379/0",
                "redis://alice:s3cret@h:6379/1  | h           | 6379  | alice | s3cret   | 1  | redis://alice:***@h:6379/1",
                "redis://:s3cret@h:6379         | h           | 6379  |       | s3cret   | 0  | redis://:***@h:6379/0",
                "redis://:p%40ss%3Aw%20d@h      | h           | 6379  |       | p@ss:w d | 0  | redis://:***@h:6379/0",
                "redis://a%3Ab:x+y@h            | h           | 6379  | a:b   | x+y      | 0  | redis://a:b:***@h:6379/0",
                "redis://u:p@ss@h:1             | h           | 1     | u     | p@ss     | 0  | redis://u:***@h:1/0",
                "redis://u:a:b@[::1]:1/4        | ::1         | 1     | u     | a:b      | 4  | redis://u:***@[::1]:1/4",
                "redis://u:%C3%A9@h             | h           | 6379  | u     | é        | 0  | redis://u:***@h:6379/0",
            })
    void accepted(String text, String host, int port, String username, String password, int database, String shown) {
        UpstreamUri uri = UpstreamUri.parse(text);
        assertEquals(new UpstreamUri(host, port, username, password, database), uri);
        assertEquals(shown, uri.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                              | ''",
                "localhost:6379                  | localhost:6379",
                "http://h:6379                   | http://h:6379",
                "redis:/h:6379                   | redis:/h:6379",
                "redis://                        | redis://",
                "redis://:6379                   | redis://:6379",
                "redis://h:                      | redis://h:",
                "redis://h:abc                   | redis://h:abc",
                "redis://h:-1                    | redis://h:-1",
                "redis://h:+1                    | redis://h:+1",
                "redis://h:99999999999           | redis://h:99999999999",
                "redis://h:6379/x                | redis://h:6379/x",
                "redis://h:6379/-1               | redis://h:6379/-1",
                "redis://h:6379/0/1              | redis://h:6379/0/1",
                "redis://h h:6379                | redis://h h:6379",
                "redis://::1:6379                | redis://::1:6379",
                "redis://[::1                    | redis://[::1",
                "redis://[::1]6379               | redis://[::1]6379",
                "redis://h:6379:1                | redis://h:6379:1",
                "redis://secret@h:6379           | redis://***@h:6379",
                "redis://u:secret@h:x            | redis://u:***@h:x",
                "redis://u:%zz@h                 | redis://u:***@h",
                "u:secret@h:6379                 | u:***@h:6379",
                "redis:/u:secret@h               | redis:***@h",
                "u:secret@redis://h              | u:***@redis://h",
            })
    void syntaxRejected(String text, String redacted) {
        ConfigException e = assertThrows(ConfigException.class, () -> UpstreamUri.parse(text));
        assertEquals(
                "upstream: " + redacted + " (expected: a URI such as redis://[user:pass@]host:port[/db])",
                e.getMessage());
        assertEquals("upstream", e.option());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "redis://h:0             | upstream: port 0 (expected: an integer from 1 to 65535)",
                "redis://h:65536         | upstream: port 65536 (expected: an integer from 1 to 65535)",
                "redis://[]:6379         | upstream: host [] (expected: an IPv6 address between brackets)",
                "redis://[h]:6379        | upstream: host [h] (expected: an IPv6 address between brackets)",
                "redis://[::1 ]:6379     | upstream: host [::1 ] (expected: an IPv6 address between brackets)",
                "redis://[10.0.0.1]:6379 | upstream: host [10.0.0.1] (expected: an IPv6 address between brackets)",
                "redis://u:@h            | upstream: an empty password (expected: a password of at least one character)",
                "redis://:@h             | upstream: an empty password (expected: a password of at least one character)",
                "rediss-sentinel://a:1   | upstream: rediss-sentinel://a:1 (expected: "
                        + "rediss-sentinel://host:port,.../master-name[/db])",
                "rediss-cluster://a:1/2  | upstream: database 2 (expected: no database, or 0: a Redis Cluster has "
                        + "only database 0)",
                "rediss+cluster://a:1    | upstream: rediss+cluster://a:1 (expected: a URI such as "
                        + "redis://[user:pass@]host:port[/db])",
                "rediss-clusters://a:1   | upstream: rediss-clusters://a:1 (expected: a URI such as "
                        + "redis://[user:pass@]host:port[/db])",
            })
    void rejectedWithReason(String text, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> UpstreamUri.parse(text));
        assertEquals(message, e.getMessage());
    }

    /** Columns: text, host, port, toString. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "rediss://cache.example:6380/2 | cache.example | 6380 | rediss://cache.example:6380/2",
                "REDISS://u:p@h                | h             | 6379 | rediss://u:***@h:6379/0",
                "rediss://[::1]:7000           | ::1           | 7000 | rediss://[::1]:7000/0",
            })
    void redissIsTls(String text, String host, int port, String shown) {
        UpstreamUri uri = UpstreamUri.parse(text);
        assertTrue(uri.tls(), "tls");
        assertEquals(host, uri.host());
        assertEquals(port, uri.port());
        assertEquals(shown, uri.toString());
        assertFalse(UpstreamUri.parse("redis://h").tls(), "redis:// is plain");
    }

    @Test
    void aClusterOrASentinelGroupOverTlsIsNamedAsInPlainTextWithAnS() {
        UpstreamUri cluster = UpstreamUri.parse("REDISS-CLUSTER://u:pw@a:7000,[::1]:7001");
        assertTrue(cluster.tls() && cluster.cluster(), cluster.toString());
        assertEquals(List.of(new UpstreamUri.Seed("a", 7000), new UpstreamUri.Seed("::1", 7001)), cluster.seeds());
        assertEquals("rediss-cluster://u:***@a:7000,[::1]:7001", cluster.toString());
        UpstreamUri sentinels = UpstreamUri.parse("rediss-sentinel://s1,s2:5000/cache/1");
        assertTrue(sentinels.tls() && sentinels.sentinel(), sentinels.toString());
        assertEquals("cache", sentinels.sentinelMaster());
        assertEquals(1, sentinels.database());
        assertEquals("rediss-sentinel://s1:26379,s2:5000/cache/1", sentinels.toString());
        assertEquals(sentinels, UpstreamUri.parse(sentinels.toString()));
        assertFalse(UpstreamUri.parse("redis-cluster://a").tls(), "redis-cluster:// is plain");
        assertFalse(UpstreamUri.parse("redis-sentinel://a/m").tls(), "redis-sentinel:// is plain");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "alice | s3cret",
                "      | hunter2",
            })
    void toStringNeverShowsThePassword(String username, String password) {
        UpstreamUri uri = new UpstreamUri("h", 6379, username, password, 0);
        assertFalse(uri.toString().contains(password), uri.toString());
        assertTrue(uri.toString().contains(":***@"), uri.toString());
    }

    @Test
    void userWithoutPasswordRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> new UpstreamUri("h", 6379, "alice", null, 0));
        assertEquals(
                "upstream: user alice without a password (expected: user:password@ or :password@)", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "h h    | upstream: host h h (expected: a host name or IP address)",
                "[::1]  | upstream: host [::1] (expected: a host name or IP address)",
                "''     | upstream: host  (expected: a host name or IP address)",
            })
    void constructorRejectsBadHost(String host, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> new UpstreamUri(host, 6379, null, null, 0));
        assertEquals(message, e.getMessage());
    }
}
