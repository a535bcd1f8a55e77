package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisCluster;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A plain {@code redis://} upstream that is a Redis Cluster node: respite does not route by slot
 * yet (issue 13), so it says so, once, in words an operator acts on, instead of leaving clients
 * to puzzle over MOVED errors.
 */
@ExtendWith(RedisExtension.class)
class ClusterUpstreamIT {

    @Test
    void aClusterNodeAsAPlainUpstreamIsNamedInTheLog(RedisFleet fleet) throws Exception {
        RedisCluster cluster = fleet.cluster(3);
        try (LogCapture log = LogCapture.of("io.respite.proxy.command");
                ProxyFixture fixture = ProxyFixture.start(ProxyConfig.builder()
                        .port(0)
                        .adminPort(0)
                        .ioThreads(2)
                        .upstream(UpstreamUri.parse(cluster.nodes().get(0).uri()))
                        .build())) {
            Await.until(
                    "the log names the cluster",
                    ProxyFixture.AWAIT,
                    () -> log.contains("Redis Cluster node (cluster_enabled:1)"));
            assertTrue(fixture.address().getPort() > 0, "respite runs all the same");
        }
    }
}
