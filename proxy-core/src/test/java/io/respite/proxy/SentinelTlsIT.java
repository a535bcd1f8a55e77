package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import io.respite.testing.RedisSentinels;
import io.respite.testing.RedisTls;
import io.respite.testing.TestPki;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * respite in front of a Sentinel group that speaks TLS only (the primary, its replica and the
 * three sentinels on {@code tls-port} with {@code port 0} and {@code tls-replication yes}, client
 * certificates required), through {@code rediss-sentinel://}: the sentinels are asked over TLS,
 * reads and writes reach the primary over TLS, and across a {@code SENTINEL FAILOVER} respite
 * follows the new primary with what {@link SentinelIT} checks in plain text: no acknowledged
 * write lost, no stale read, writes served again, and caching back with a write made on the new
 * primary reaching the cache through its (TLS) invalidations.
 */
@ExtendWith(RedisExtension.class)
class SentinelTlsIT {

    @TempDir
    Path dir;

    @Test
    void followsASentinelFailoverWhenEveryConnectionIsTls(RedisFleet fleet) throws Exception {
        TestPki.Ca ca = TestPki.newCa("redis sentinel test CA");
        RedisSentinels group = fleet.sentinels(RedisTls.issue(ca, dir));
        assertTrue(group.uri().startsWith("rediss-sentinel://"), group.uri());
        SentinelIT.failOverUnderLoad(
                group, "SENTINEL FAILOVER, TLS", group::failover, UpstreamTlsIT.mutualTls(ca, dir));
    }
}
