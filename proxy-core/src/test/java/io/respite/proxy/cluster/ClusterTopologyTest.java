package io.respite.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The words a failed topology refresh is logged with. */
class ClusterTopologyTest {

    /** As Lettuce throws it: its words, a cause whose suppressed exceptions are each node's reason. */
    private static RuntimeException refreshFailed(String... nodes) {
        RuntimeException cause = new RuntimeException("Cannot retrieve cluster partitions from [...]");
        for (String node : nodes) {
            cause.addSuppressed(new RuntimeException(node));
        }
        return new RuntimeException("Cannot reload Redis Cluster topology", cause);
    }

    @Test
    void eachNodesReasonIsGivenOnceAndPlainConnectionsGetAWordOnTls() {
        assertEquals(
                "Cannot reload Redis Cluster topology: Unable to connect to [10.0.0.1:1]: Connection reset by peer; "
                        + "Unable to connect to [b:2]: Connection reset by peer (nodes that speak TLS only reset "
                        + "plain connections: for them, rediss-cluster://)",
                ClusterTopology.why(
                        refreshFailed(
                                "Unable to connect to [10.0.0.1/<unresolved>:1]: Connection reset by peer",
                                "Unable to connect to [b:2]: Connection reset by peer",
                                "Unable to connect to [10.0.0.1/<unresolved>:1]: Connection reset by peer"),
                        false));
    }

    @Test
    void overTlsOrWithoutNodeReasonsLettucesWordsAreEnough() {
        assertEquals(
                "Cannot reload Redis Cluster topology: Unable to connect to [a:1]: timed out",
                ClusterTopology.why(refreshFailed("Unable to connect to [a:1]: timed out"), true));
        assertEquals("Cannot reload Redis Cluster topology", ClusterTopology.why(refreshFailed(), false));
    }
}
