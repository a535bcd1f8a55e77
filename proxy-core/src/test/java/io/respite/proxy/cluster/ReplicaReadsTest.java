package io.respite.proxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.respite.proxy.command.CommandInfo;
import io.respite.proxy.command.NameIndex;
import io.respite.resp.RespCommand;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaReadsTest {

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "LRANGE, readonly, true",
        "HGETALL, readonly, true",
        "EVAL_RO, readonly, true",
        "FCALL_RO, readonly, true",
        "GET, readonly, false",
        "MGET, readonly, false",
        "EVALSHA_RO, readonly, false",
        "TOUCH, readonly, false",
        "OBJECT, readonly, false",
        "SET, write, false",
        "PING, fast, false",
    })
    void onlyReadsThatNeitherFillTheCacheNorNeedThePrimarysOwnStateGoToReplicas(
            String name, String flag, boolean eligible) {
        CommandInfo info =
                new CommandInfo(name.toLowerCase(), -2, Set.of(flag), List.of(), NameIndex.empty(), Set.of());
        RespCommand command = RespCommand.of(name, "k");
        try {
            assertEquals(eligible, ReplicaReads.eligible(command, info));
        } finally {
            command.release();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LRANGE", "GET"})
    void aCommandTheTableDoesNotKnowStaysOnThePrimary(String name) {
        RespCommand command = RespCommand.of(name, "k");
        try {
            assertEquals(false, ReplicaReads.eligible(command, null));
        } finally {
            command.release();
        }
    }
}
