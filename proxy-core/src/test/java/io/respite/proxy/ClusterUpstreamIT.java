package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.respite.proxy.config.ProxyConfig;
import io.respite.proxy.config.UpstreamUri;
import io.respite.testing.RedisCluster;
import io.respite.testing.RedisExtension;
import io.respite.testing.RedisFleet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

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
        List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                events.add(event);
            }
        };
        capture.start();
        Logger log = (Logger) LoggerFactory.getLogger("io.respite.proxy.command");
        log.addAppender(capture);
        try (ProxyFixture fixture = ProxyFixture.start(ProxyConfig.builder()
                .port(0)
                .adminPort(0)
                .ioThreads(2)
                .upstream(UpstreamUri.parse(cluster.nodes().get(0).uri()))
                .build())) {
            Await.until(
                    "the log names the cluster",
                    ProxyFixture.AWAIT,
                    () -> events.stream()
                            .anyMatch(e -> e.getFormattedMessage().contains("Redis Cluster node (cluster_enabled:1)")));
            assertTrue(fixture.address().getPort() > 0, "respite runs all the same");
        } finally {
            log.detachAppender(capture);
        }
    }
}
