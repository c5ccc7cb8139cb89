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
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Steps about requests the limiter must refuse as a whole: malformed reservations, completions and
 * limit definitions, built from a well-formed request with one part replaced by a value written in
 * the scenario. The refusal is judged on the answer's code and on its explanation naming the field.
 */
public final class RefusalSteps {
    /** A letter valid in every field, so a value of "N characters" is wrong only by its length. */
    private static final char FILLER = 'a';

    private static final int MEBIBYTE = 1024 * 1024;

    private final World world;

    public RefusalSteps(World world) {
        this.world = world;
    }

    // ---- malformed requests --------------------------------------------------------------

    @When("^a client sends a reservation whose (lease id|job id|key|amount|requirements) is (.+)$")
    public void aReservationWhosePartIs(String part, String value) {
        RawJson.Obj requirement = RawJson.object()
                .put("key", RawJson.quote(world.names().key(world.currentLimit())))
                .put("amount", "1");
        RawJson.Obj reservation = RawJson.object()
                .put("lease_id", RawJson.quote(world.names().lease("malformed")))
                .put("job_id", RawJson.quote("job-1"));
        switch (part) {
            case "key" -> requirement.set("key", value, FILLER);
            case "amount" -> requirement.set("amount", value, FILLER);
            default -> reservation.set(part.replace(' ', '_'), value, FILLER);
        }
        if (!part.equals("requirements")) {
            reservation.put("requirements", RawJson.array(List.of(requirement.toString())));
        }
        world.send("POST", Routes.RESERVE, reservation.bytes());
    }

    @When("^a client completes lease \"([^\"]*)\" with a completion whose (lease id|actual amount) is (.+)$")
    public void aCompletionWhosePartIs(String lease, String part, String value) {
        RawJson.Obj actual = RawJson.object()
                .put("key", RawJson.quote(world.names().key(world.onlyLimitOf(lease))))
                .put("actual_amount", "1");
        RawJson.Obj completion =
                RawJson.object().put("lease_id", RawJson.quote(world.names().lease(lease)));
        if (part.equals("actual amount")) {
            actual.set("actual_amount", value, FILLER);
        } else {
            completion.set("lease_id", value, FILLER);
        }
        completion.put("actuals", RawJson.array(List.of(actual.toString())));
        world.send("POST", Routes.COMPLETE, completion.bytes());
    }

    /** A valid definition of the given kind with one field replaced; an unknown field name is added. */
    @When("^the admin defines a (rolling|concurrency) limit \"([^\"]*)\" whose (.+?) is (.+)$")
    public void aDefinitionWhosePartIs(String kind, String key, String part, String value) {
        boolean rolling = kind.equals("rolling");
        RawJson.Obj definition = RawJson.object()
                .put("key", RawJson.quote(world.names().key(key)))
                .put("kind", RawJson.quote(kind))
                .put("capacity", "10")
                .put("window_seconds", rolling ? "60" : "0")
                .put("timeout_seconds", rolling ? "0" : "60")
                .put("unit", RawJson.quote("tokens"))
                .put("description", RawJson.quote("a limit of the validation scenarios"))
                .put("overage", RawJson.quote("debt"));
        definition.set(part.replace(' ', '_'), value, FILLER);
        world.defineRaw(definition.bytes());
    }

    @When("a client sends a reservation with an extra field {string}")
    public void aReservationWithAnExtraField(String field) {
        String requirement = RawJson.object()
                .put("key", RawJson.quote(world.names().key(world.currentLimit())))
                .put("amount", "1")
                .toString();
        RawJson.Obj reservation = RawJson.object()
                .put("lease_id", RawJson.quote(world.names().lease("extra-field")))
                .put("requirements", RawJson.array(List.of(requirement)))
                .put(field, "1");
        world.send("POST", Routes.RESERVE, reservation.bytes());
    }

    @When("a client sends a reservation that is not a readable document")
    public void anUnreadableReservation() {
        world.send(
                "POST", Routes.RESERVE, "{\"lease_id\": \"x\", \"requirements\": [".getBytes(StandardCharsets.UTF_8));
    }

    /** A reservation whose job id alone makes it larger than the limit on request bodies. */
    @When("a client sends a reservation of {int} MiB")
    public void aReservationOfMebibytes(int mebibytes) {
        String requirement = RawJson.object()
                .put("key", RawJson.quote(world.names().key(world.currentLimit())))
                .put("amount", "1")
                .toString();
        RawJson.Obj reservation = RawJson.object()
                .put("lease_id", RawJson.quote(world.names().lease("oversized")))
                .put("job_id", RawJson.quote("j".repeat(mebibytes * MEBIBYTE)))
                .put("requirements", RawJson.array(List.of(requirement)));
        world.send("POST", Routes.RESERVE, reservation.bytes());
    }

    // ---- refusals ------------------------------------------------------------------------

    @Then("the request is refused as invalid, naming {string}")
    public void refusedAsInvalidNaming(String field) {
        ErrorBody error = refusedAsInvalid();
        Answer answer = world.lastAction();
        assertTrue(
                error.detail().contains(field),
                () -> "the explanation should name \"" + field + "\": " + answer.describe());
    }

    @Then("the request is refused as invalid")
    public void theRequestIsRefusedAsInvalid() {
        refusedAsInvalid();
    }

    @Then("the request is refused as too large")
    public void refusedAsTooLarge() {
        Answer answer = world.lastAction();
        assertEquals(
                413, answer.status(), () -> "a body over the size limit is refused as too large: " + answer.describe());
    }

    private ErrorBody refusedAsInvalid() {
        Answer answer = world.lastAction();
        assertEquals(400, answer.status(), () -> "the request should be refused as invalid: " + answer.describe());
        ErrorBody error = world.errorBody(answer)
                .orElseThrow(
                        () -> new AssertionError("a refusal carries {\"error\", \"detail\"}: " + answer.describe()));
        assertEquals(ErrorCodes.INVALID_REQUEST, error.error(), () -> answer.describe());
        assertFalse(error.detail().isBlank(), () -> "a refusal explains what is wrong: " + answer.describe());
        return error;
    }
}
