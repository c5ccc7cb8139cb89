package dev.ratelimiter.stepdefs.steps;

import dev.ratelimiter.stepdefs.target.Targets;
import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;
import org.opentest4j.TestAbortedException;

/**
 * Runs around every scenario: skips it when the suite's target is unavailable (the reason was
 * printed once when the suite started), names the scenario's namespace in the report, and attaches
 * the server's last output to a failed scenario.
 */
public final class ScenarioHooks {
    private final World world;

    public ScenarioHooks(World world) {
        this.world = world;
    }

    @Before(order = 0)
    public void skipWhenTheTargetIsUnavailable() {
        Targets.skipReason().ifPresent(reason -> {
            throw new TestAbortedException(reason);
        });
    }

    @Before(order = 1)
    public void nameTheNamespace(Scenario scenario) {
        scenario.log("limit keys and lease ids of this scenario start with " + world.names().namespace());
    }

    @After
    public void attachServerOutputOnFailure(Scenario scenario) {
        if (scenario.isFailed()) {
            String output = Targets.recentOutput();
            if (!output.isEmpty()) {
                scenario.log("last output of the server:\n" + output);
            }
        }
    }
}
