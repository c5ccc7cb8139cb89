package dev.ratelimiter.stepdefs.steps;

import dev.ratelimiter.stepdefs.api.Credentials;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.OtherMachine;
import dev.ratelimiter.stepdefs.target.Targets;
import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import org.opentest4j.TestAbortedException;

/**
 * Runs around every scenario: skips it when the suite's target is unavailable (the reason was
 * printed once when the suite started) or cannot play what its {@code @needs_...} tags ask (a token,
 * no token, a second address), names the scenario's namespace in the report, and attaches the
 * server's last output to a failed scenario.
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

    /** Scenarios about the admin token run only against a target that requires one the harness knows. */
    @Before(value = "@needs_admin_token", order = 1)
    public void skipWithoutAnAdminToken() {
        requireTarget(credentials().adminToken().isPresent(), "the target requires no admin token the harness knows");
    }

    @Before(value = "@needs_api_token", order = 1)
    public void skipWithoutAnApiToken() {
        requireTarget(credentials().apiToken().isPresent(), "the target requires no api token the harness knows");
    }

    /** The loopback rule applies only to a server without an admin token that the harness reaches over loopback. */
    @Before(value = "@needs_no_admin_token", order = 1)
    public void skipWithAnAdminTokenOrARemoteTarget() {
        requireTarget(credentials().adminToken().isEmpty(), "the target requires an admin token");
        requireTarget(isLoopback(targetHttp().baseUri()), "the target is not on this machine");
    }

    @Before(value = "@needs_no_api_token", order = 1)
    public void skipWithAnApiToken() {
        requireTarget(credentials().apiToken().isEmpty(), "the target requires an api token");
    }

    @Before(value = "@needs_other_machine", order = 1)
    public void skipWithoutASecondAddress() {
        requireTarget(
                OtherMachine.reaching(targetHttp().baseUri()).isPresent(),
                "the harness cannot call"
                        + " the target from a second address (that needs a plain-http target on loopback and a non-loopback"
                        + " IPv4 address on this machine)");
    }

    private static Credentials credentials() {
        return targetHttp().credentials();
    }

    /** The running target's client; on a skipped suite, the skip (Cucumber runs every Before hook). */
    private static LimiterHttp targetHttp() {
        Optional<String> skipped = Targets.skipReason();
        if (skipped.isPresent()) {
            throw new TestAbortedException(skipped.get());
        }
        return Targets.current().http();
    }

    private static void requireTarget(boolean holds, String otherwise) {
        if (!holds) {
            throw new TestAbortedException("skipped on this target: " + otherwise);
        }
    }

    private static boolean isLoopback(URI uri) {
        try {
            return InetAddress.getByName(uri.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Before(order = 2)
    public void nameTheNamespace(Scenario scenario) {
        scenario.log("limit keys and lease ids of this scenario start with "
                + world.names().namespace());
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
