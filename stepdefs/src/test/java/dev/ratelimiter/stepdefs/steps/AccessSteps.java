package dev.ratelimiter.stepdefs.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.Credentials;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.OtherMachine;
import dev.ratelimiter.stepdefs.api.Routes;
import dev.ratelimiter.stepdefs.target.Targets;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Steps about who may change limits and who may reserve (SPEC 3, access control): outsiders without
 * the admin or client token, with a wrong one, or calling from another machine. The refusal is judged
 * on its code and on what its explanation names, never on a token.
 */
public final class AccessSteps {
    private static final String WRONG_TOKEN = "not-the-configured-token";

    private final World world;

    public AccessSteps(World world) {
        this.world = world;
    }

    @When(
            "someone without the admin token defines a rolling limit {string} with capacity {long} and window {long} second(s)")
    public void withoutTheAdminTokenDefines(String key, long capacity, long windowSeconds) {
        defineAs(
                http -> http.withCredentials(
                        new Credentials(Optional.empty(), http.credentials().apiToken())),
                LimitDefinition.rolling(key, capacity, windowSeconds));
    }

    @When(
            "someone with a wrong admin token defines a rolling limit {string} with capacity {long} and window {long} second(s)")
    public void withAWrongAdminTokenDefines(String key, long capacity, long windowSeconds) {
        defineAs(
                http -> http.withCredentials(new Credentials(
                        Optional.of(WRONG_TOKEN), http.credentials().apiToken())),
                LimitDefinition.rolling(key, capacity, windowSeconds));
    }

    @When("someone without the admin token reads the limit {string}")
    public void withoutTheAdminTokenReads(String key) {
        world.sendAs(
                http -> http.withCredentials(new Credentials(
                                Optional.empty(), http.credentials().apiToken()))
                        .get(Routes.limit(world.names().key(key))),
                false);
    }

    @When("a client without the client token reserves amount {long} of {string} for lease {string}")
    public void withoutTheClientTokenReserves(long amount, String key, String lease) {
        world.sendAs(
                http -> http.withCredentials(new Credentials(http.credentials().adminToken(), Optional.empty()))
                        .post(Routes.RESERVE, reservation(amount, key, lease)),
                false);
    }

    @When(
            "an admin on another machine defines a rolling limit {string} with capacity {long} and window {long} second(s)")
    public void fromAnotherMachineDefines(String key, long capacity, long windowSeconds) {
        LimitDefinition definition = LimitDefinition.rolling(world.names().key(key), capacity, windowSeconds);
        world.sendAs(
                http -> otherMachine(http)
                        .send("PUT", Routes.LIMITS, world.codec().write(definition), http.credentials()),
                true);
    }

    @When("a client on another machine reserves amount {long} of {string} for lease {string}")
    public void fromAnotherMachineReserves(long amount, String key, String lease) {
        world.sendAs(
                http -> otherMachine(http)
                        .send("POST", Routes.RESERVE, reservation(amount, key, lease), http.credentials()),
                false);
    }

    @Then("the caller is refused as not authorised, told that {string} is needed")
    public void refusedAsUnauthorised(String setting) {
        assertRefused(401, ErrorCodes.UNAUTHORIZED, setting);
    }

    @Then("the caller is refused as forbidden, told that setting {string} opens it")
    public void refusedAsForbidden(String setting) {
        assertRefused(403, ErrorCodes.FORBIDDEN, setting);
    }

    @Then("the reserve from the other machine is allowed")
    public void theReserveFromTheOtherMachineIsAllowed() {
        ReserveResponse decision = world.decision(world.lastAction());
        assertTrue(
                decision.allowed(),
                () -> "expected an admission, got " + world.lastAction().describe());
    }

    private void defineAs(Function<LimiterHttp, LimiterHttp> outsider, LimitDefinition definition) {
        LimitDefinition sent = LimitDefinition.rolling(
                world.names().key(definition.key()), definition.capacity(), definition.windowSeconds());
        world.sendAs(
                http -> outsider.apply(http).put(Routes.LIMITS, world.codec().write(sent)), true);
    }

    private byte[] reservation(long amount, String key, String lease) {
        return world.codec()
                .write(new ReserveRequest(
                        world.names().lease(lease),
                        "",
                        List.of(new Requirement(world.names().key(key), amount))));
    }

    private static OtherMachine otherMachine(LimiterHttp http) {
        return OtherMachine.reaching(http.baseUri())
                .orElseThrow(() -> new IllegalStateException(
                        "no second address reaches " + http.baseUri() + "; tag the scenario @needs_other_machine"));
    }

    private void assertRefused(int status, String code, String setting) {
        Answer answer = world.lastAction();
        assertEquals(status, answer.status(), () -> "expected a refusal, got " + answer.describe());
        ErrorBody error = world.errorBody(answer)
                .orElseThrow(() -> new AssertionError("a refusal should carry an error body: " + answer.describe()));
        assertEquals(code, error.error(), answer::describe);
        assertTrue(
                error.detail().contains(setting),
                () -> "the explanation should name " + setting + ": " + answer.describe());
        Credentials known = Targets.current().http().credentials();
        for (Optional<String> token : List.of(known.adminToken(), known.apiToken())) {
            token.ifPresent(secret -> assertFalse(answer.bodyText().contains(secret), "a refusal never shows a token"));
        }
    }
}
