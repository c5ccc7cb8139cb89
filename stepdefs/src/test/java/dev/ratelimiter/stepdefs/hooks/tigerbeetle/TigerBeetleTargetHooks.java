package dev.ratelimiter.stepdefs.hooks.tigerbeetle;

import dev.ratelimiter.stepdefs.target.ServerProcess;
import dev.ratelimiter.stepdefs.target.Targets;
import dev.ratelimiter.stepdefs.target.TigerBeetleReplica;
import dev.ratelimiter.stepdefs.target.TigerBeetleTarget;
import io.cucumber.java.AfterAll;
import io.cucumber.java.BeforeAll;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Starts a TigerBeetle replica and the packaged server jar on it for the suite, or skips the suite
 * when no TigerBeetle binary is available.
 */
public final class TigerBeetleTargetHooks {
    private TigerBeetleTargetHooks() {
    }

    @BeforeAll
    public static void startServer() {
        Optional<Path> binary = TigerBeetleReplica.binary();
        if (binary.isEmpty()) {
            Targets.skip("tigerbeetle target skipped: no TigerBeetle binary (set " + TigerBeetleReplica.VARIABLE
                    + " to its path, or put tigerbeetle on the PATH)");
            return;
        }
        Path jar = ServerProcess.packagedJar();
        Path work = ServerProcess.workDirectory("tigerbeetle-");
        Targets.start(() -> TigerBeetleTarget.start(binary.get(), jar, work));
    }

    @AfterAll
    public static void stopServer() {
        Targets.stop();
    }
}
