package dev.ratelimiter.stepdefs.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.Routes;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.Arrays;
import java.util.Locale;

/** Steps about the limiter as a service: its health, and its answers to requests it does not serve. */
public final class ServiceSteps {
    /** A path no version of the API uses. */
    private static final String UNKNOWN_OPERATION = "/v1/no-such-operation";

    private final World world;

    public ServiceSteps(World world) {
        this.world = world;
    }

    @When("an operator asks whether the limiter is healthy")
    public void askWhetherHealthy() {
        world.send("GET", Routes.HEALTH, null);
    }

    @Then("the limiter answers that it is healthy")
    public void answersHealthy() {
        Answer answer = world.lastAction();
        assertEquals(200, answer.status(), () -> answer.describe());
        assertEquals("ok", answer.bodyText().strip(), () -> answer.describe());
    }

    @When("a client asks for an operation the limiter does not offer")
    public void askForAnUnknownOperation() {
        world.send("GET", UNKNOWN_OPERATION, null);
    }

    @Then("the client is told that no such operation exists")
    public void toldNoSuchOperation() {
        Answer answer = world.lastAction();
        assertEquals(404, answer.status(), () -> answer.describe());
        ErrorBody error = errorBody(answer);
        assertEquals(ErrorCodes.NOT_FOUND, error.error(), () -> answer.describe());
    }

    @When("a client reads from the reserve operation instead of sending to it")
    public void readFromTheReserveOperation() {
        world.send("GET", Routes.RESERVE, null);
    }

    @Then("the client is told that this way of asking is not allowed, and that sending is")
    public void toldMethodNotAllowed() {
        Answer answer = world.lastAction();
        assertEquals(405, answer.status(), () -> answer.describe());
        String allow = answer.header("Allow")
                .orElseThrow(() -> new AssertionError(
                        "a 405 answer names the allowed methods in an Allow header: " + answer.describe()));
        assertTrue(
                Arrays.stream(allow.split(","))
                        .map(method -> method.strip().toUpperCase(Locale.ROOT))
                        .anyMatch("POST"::equals),
                () -> "Allow should include POST, got \"" + allow + "\"");
        assertFalse(errorBody(answer).error().isBlank(), () -> answer.describe());
    }

    private ErrorBody errorBody(Answer answer) {
        return world.errorBody(answer)
                .orElseThrow(() -> new AssertionError(
                        "the answer should be a JSON error body {\"error\", \"detail\"}: " + answer.describe()));
    }
}
