package dev.ratelimiter.stepdefs.hooks.tigerbeetle;

import dev.ratelimiter.stepdefs.target.ProcessTarget;
import dev.ratelimiter.stepdefs.target.Targets;
import dev.ratelimiter.stepdefs.target.TigerBeetleTarget;
import dev.ratelimiter.testkit.process.TigerBeetleBinary;
import io.cucumber.java.AfterAll;
import io.cucumber.java.BeforeAll;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Starts a TigerBeetle replica and the packaged server jar on it for the suite, or skips the suite
 * with the one line {@link TigerBeetleBinary#SKIP_MESSAGE} when no TigerBeetle binary is available.
 */
public final class TigerBeetleTargetHooks {
    private TigerBeetleTargetHooks() {}

    @BeforeAll
    public static void startServer() {
        Optional<Path> binary = TigerBeetleBinary.find();
        if (binary.isEmpty()) {
            Targets.skip(TigerBeetleBinary.SKIP_MESSAGE);
            return;
        }
        Path jar = ProcessTarget.packagedJar();
        Path work = ProcessTarget.workDirectory("tigerbeetle-");
        Targets.start(() -> TigerBeetleTarget.start(binary.get(), jar, work));
    }

    @AfterAll
    public static void stopServer() {
        Targets.stop();
    }
}
