package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TigerBeetle launcher against the real binary: a replica is ready once its log says normal
 * status, a killed replica restarts on its data file and port, and a frozen one runs on after
 * SIGCONT. Skipped with {@link TigerBeetleBinary#SKIP_MESSAGE} without a binary.
 */
@RequiresTigerBeetle(localBinary = true)
class TigerBeetleClusterTest {
    private static final long READY_TIMEOUT_MILLIS = 60_000;
    private final Path binary = TigerBeetleBinary.find().orElseThrow();

    @TempDir
    Path directory;

    @Test
    void aReplicaIsReadyAfterStartAndAfterARestartOnTheSamePort() throws Exception {
        try (TigerBeetleCluster cluster = TigerBeetleCluster.start(binary, directory, 1, READY_TIMEOUT_MILLIS)) {
            TigerBeetleReplica replica = cluster.replica(0);
            String address = cluster.addresses();
            assertTrue(replica.outputTail().contains(TigerBeetleReplica.READY_LINE), replica.outputTail());
            assertTrue(Files.exists(directory.resolve("0_0.tigerbeetle")));

            replica.pause();
            replica.resume();
            cluster.kill(0);
            assertThrows(IllegalStateException.class, replica::pause, "a stopped replica cannot be frozen");
            cluster.restart(0, READY_TIMEOUT_MILLIS);

            assertEquals(address, cluster.addresses());
            assertTrue(Files.exists(directory.resolve("tigerbeetle-0-2.log")));
            assertTrue(replica.outputTail().contains(TigerBeetleReplica.READY_LINE), replica.outputTail());
        }
    }

    @Test
    void refusesAClusterSizeTigerBeetleDoesNotHave() {
        assertThrows(IllegalArgumentException.class, () -> TigerBeetleCluster.start(binary, directory, 0, 1));
        assertFalse(Files.exists(directory.resolve("0_0.tigerbeetle")));
    }
}
