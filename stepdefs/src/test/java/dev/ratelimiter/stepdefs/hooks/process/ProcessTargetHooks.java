package dev.ratelimiter.stepdefs.hooks.process;

import dev.ratelimiter.stepdefs.target.ProcessTarget;
import dev.ratelimiter.stepdefs.target.Targets;
import io.cucumber.java.AfterAll;
import io.cucumber.java.BeforeAll;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the packaged server jar as a separate process for the suite, with the memory backend,
 * an empty registry in a fresh directory and no seed limits, and stops it afterwards.
 */
public final class ProcessTargetHooks {
    private ProcessTargetHooks() {}

    @BeforeAll
    public static void startServer() {
        Path jar = ProcessTarget.packagedJar();
        Path work = ProcessTarget.workDirectory("process-");
        Map<String, String> settings = Map.of(
                "ratelimiter.backend", "memory",
                "ratelimiter.registry-path", work.resolve("registry.json").toString(),
                "ratelimiter.seed-limits-path", "",
                "ratelimiter.shutdown-grace-period-ms", "2000");
        Targets.start(() ->
                ProcessTarget.start(jar, work, settings, "the packaged server jar (process target, memory backend)"));
    }

    @AfterAll
    public static void stopServer() {
        Targets.stop();
    }
}
