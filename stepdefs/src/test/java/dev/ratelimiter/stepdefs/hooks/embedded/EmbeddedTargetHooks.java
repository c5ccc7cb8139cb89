package dev.ratelimiter.stepdefs.hooks.embedded;

import dev.ratelimiter.stepdefs.target.EmbeddedTarget;
import dev.ratelimiter.stepdefs.target.ProcessTarget;
import dev.ratelimiter.stepdefs.target.Targets;
import io.cucumber.java.AfterAll;
import io.cucumber.java.BeforeAll;

/** Starts the server in this JVM for the suite, and stops it afterwards. */
public final class EmbeddedTargetHooks {
    private EmbeddedTargetHooks() {}

    @BeforeAll
    public static void startServer() {
        Targets.start(() -> EmbeddedTarget.start(ProcessTarget.workDirectory("embedded-")));
    }

    @AfterAll
    public static void stopServer() {
        Targets.stop();
    }
}
