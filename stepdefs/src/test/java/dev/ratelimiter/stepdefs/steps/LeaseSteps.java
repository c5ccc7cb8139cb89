package dev.ratelimiter.stepdefs.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.stepdefs.api.Answer;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps about leases: reserving capacity, completing with the actual usage, and what the limiter
 * decided. A denial is judged as an answer (the limiter decided), never as a refusal of the request.
 */
public final class LeaseSteps {
    /** How far a server's reservation time may stray from the harness's clock (same machine or NTP). */
    private static final long CLOCK_TOLERANCE_MS = 2_000;
    /** The scenario's name of the lease in "I reserve amount N for both limits in a single request". */
    private static final String LINKED_LEASE = "linked";

    private final World world;

    public LeaseSteps(World world) {
        this.world = world;
    }

    // ---- reserving -----------------------------------------------------------------------

    @When("I reserve amount {long} for lease {string}")
    public void reserveFromTheLimit(long amount, String lease) {
        world.reserve(lease, List.of(new Requirement(world.currentLimit(), amount)));
    }

    @When("I reserve amount {long} of {string} for lease {string}")
    public void reserveFrom(long amount, String key, String lease) {
        world.reserve(lease, List.of(new Requirement(key, amount)));
    }

    @When("I reserve for lease {string}:")
    public void reserveSeveral(String lease, DataTable table) {
        List<Requirement> requirements = new ArrayList<>();
        for (Map<String, String> row : table.asMaps()) {
            requirements.add(new Requirement(row.get("limit"), Long.parseLong(row.get("amount"))));
        }
        world.reserve(lease, requirements);
    }

    /** The ported "linked atomicity" scenario: both limits the scenario defined, in one lease. */
    @When("I reserve amount {long} for both limits in a single request")
    public void reserveBothLimits(long amount) {
        List<Requirement> requirements = world.definedLimits().stream()
                .map(key -> new Requirement(key, amount))
                .toList();
        assertEquals(2, requirements.size(), "the scenario should have defined exactly two limits");
        world.reserve(LINKED_LEASE, requirements);
    }

    @When("I reserve amount {long} of each of {string} to {string} for lease {string}")
    public void reserveFromEachOf(long amount, String first, String last, String lease) {
        List<Requirement> requirements = new ArrayList<>();
        for (String key : Numbered.range(first, last)) {
            requirements.add(new Requirement(key, amount));
        }
        world.reserve(lease, requirements);
    }

    // ---- completing ----------------------------------------------------------------------

    @When("I complete lease {string}")
    public void completeWithoutUsage(String lease) {
        world.complete(lease, List.of());
    }

    @When("I complete lease {string} with actual amount {long}")
    public void completeWithActual(String lease, long actual) {
        world.complete(lease, List.of(new Actual(world.onlyLimitOf(lease), actual)));
    }

    @When("I complete lease {string} with actual amounts:")
    public void completeWithActuals(String lease, DataTable table) {
        List<Actual> actuals = new ArrayList<>();
        for (Map<String, String> row : table.asMaps()) {
            actuals.add(new Actual(row.get("limit"), Long.parseLong(row.get("actual"))));
        }
        world.complete(lease, actuals);
    }

    // ---- decisions -----------------------------------------------------------------------

    @Then("the {ordinal} reserve is denied")
    public void theNthReserveIsDenied(Integer index) {
        List<ReserveAttempt> attempts = world.reserves();
        assertTrue(index < attempts.size(), () -> "the scenario sent only " + attempts.size() + " reservations");
        assertDenied(attempts.get(index));
    }

    @Then("the reserve is denied")
    public void theReserveIsDenied() {
        List<ReserveAttempt> attempts = world.reserves();
        assertFalse(attempts.isEmpty(), "the scenario has not reserved anything");
        assertDenied(attempts.get(attempts.size() - 1));
    }

    @Then("the reserve for lease {string} is allowed")
    public void theReserveIsAllowed(String lease) {
        assertAllowed(world.lastReserveOf(lease));
    }

    @Then("the reserve for lease {string} is denied")
    public void theReserveForLeaseIsDenied(String lease) {
        assertDenied(world.lastReserveOf(lease));
    }

    @Then("the reserve for lease {string} is denied for lack of capacity, with a hint to retry later")
    public void deniedForLackOfCapacity(String lease) {
        ReserveAttempt attempt = world.lastReserveOf(lease);
        ReserveResponse decision = assertDenied(attempt);
        assertEquals(
                "",
                decision.error(),
                () -> "a denial for capacity carries no error: "
                        + attempt.answer().describe());
        assertTrue(
                decision.retryAfterMs() > 0,
                () -> "a denial for capacity says when to retry: "
                        + attempt.answer().describe());
    }

    @Then("the reserve for lease {string} is denied with error {string}")
    public void deniedWithError(String lease, String error) {
        ReserveAttempt attempt = world.lastReserveOf(lease);
        ReserveResponse decision = assertDenied(attempt);
        assertEquals(
                world.names().error(error),
                decision.error(),
                () -> "error of " + attempt.answer().describe());
    }

    @Then("the reserve for lease {string} is denied with error {string} and no retry hint")
    public void deniedWithErrorAndNoRetryHint(String lease, String error) {
        deniedWithError(lease, error);
        ReserveAttempt attempt = world.lastReserveOf(lease);
        assertEquals(
                0,
                world.decision(attempt.answer()).retryAfterMs(),
                () -> "a denial that retrying cannot change" + " says not to retry (retry hint 0): "
                        + attempt.answer().describe());
    }

    @Then("the reserve for lease {string} is denied with error {string} and a retry hint")
    public void deniedWithErrorAndARetryHint(String lease, String error) {
        deniedWithError(lease, error);
        ReserveAttempt attempt = world.lastReserveOf(lease);
        assertTrue(
                world.decision(attempt.answer()).retryAfterMs() > 0,
                () -> "this denial says when to retry: " + attempt.answer().describe());
    }

    @Then("lease {string} was reserved at the time it was asked for")
    public void reservedAtTheTimeItWasAskedFor(String lease) {
        ReserveAttempt attempt = world.lastReserveOf(lease);
        ReserveResponse decision = assertAllowed(attempt);
        Answer answer = attempt.answer();
        long reservedAt = decision.reservedAtUnixMs();
        assertTrue(
                reservedAt >= answer.sentAtUnixMs() - CLOCK_TOLERANCE_MS
                        && reservedAt <= answer.receivedAtUnixMs() + CLOCK_TOLERANCE_MS,
                () -> "reserved_at_unix_ms " + reservedAt + " should lie between the request (" + answer.sentAtUnixMs()
                        + ") and its answer (" + answer.receivedAtUnixMs() + "), give or take "
                        + CLOCK_TOLERANCE_MS + " ms of clock difference");
    }

    @Then("the repeat for lease {string} carries the original reservation time")
    public void theRepeatCarriesTheOriginalTime(String lease) {
        List<ReserveAttempt> attempts = world.reservesOf(lease);
        assertTrue(attempts.size() >= 2, () -> "lease \"" + lease + "\" was reserved only once");
        ReserveResponse original = assertAllowed(attempts.get(0));
        ReserveResponse repeat = assertAllowed(attempts.get(attempts.size() - 1));
        assertEquals(original.reservedAtUnixMs(), repeat.reservedAtUnixMs(), "reserved_at_unix_ms of the repeat");
    }

    @Then("the complete of lease {string} is accepted")
    public void theCompleteIsAccepted(String lease) {
        Answer answer = world.lastCompleteOf(lease);
        CompleteResponse response = world.completion(answer);
        assertTrue(response.ok(), () -> "the completion should be accepted: " + answer.describe());
        assertEquals("", response.error(), () -> answer.describe());
    }

    @Then("the response is returned within {long} milliseconds")
    public void theResponseIsReturnedWithin(long milliseconds) {
        Answer answer = world.lastOperation();
        assertTrue(
                answer.elapsed().toMillis() <= milliseconds,
                () -> "expected an answer within " + milliseconds + " ms: " + answer.describe());
    }

    // ---- steps that act in order to observe (ported from the reference scenarios) ---------

    @Then("I can reserve amount {long} for lease {string} within {long} milliseconds")
    public void iCanReserveWithin(long amount, String lease, long milliseconds) {
        ReserveAttempt attempt = world.reserve(lease, List.of(new Requirement(world.currentLimit(), amount)));
        assertAllowed(attempt);
        theResponseIsReturnedWithin(milliseconds);
    }

    @Then("new reservations for {string} are denied with error {string}")
    public void newReservationsAreDenied(String key, String error) {
        String lease = world.freshLease();
        world.reserve(lease, List.of(new Requirement(key, 1)));
        deniedWithErrorAndARetryHint(lease, error);
    }

    @Then("reservations are accepted again")
    public void reservationsAreAcceptedAgain() {
        String lease = world.freshLease();
        assertAllowed(world.reserve(lease, List.of(new Requirement(world.currentLimit(), 1))));
    }

    // ---- helpers -------------------------------------------------------------------------

    private ReserveResponse assertAllowed(ReserveAttempt attempt) {
        ReserveResponse decision = world.decision(attempt.answer());
        assertTrue(
                decision.allowed(),
                () -> "lease \"" + attempt.lease() + "\" should be allowed: "
                        + attempt.answer().describe());
        assertEquals("", decision.error(), () -> attempt.answer().describe());
        assertTrue(
                decision.reservedAtUnixMs() > 0,
                () -> "an admission says when it was made: " + attempt.answer().describe());
        return decision;
    }

    private ReserveResponse assertDenied(ReserveAttempt attempt) {
        ReserveResponse decision = world.decision(attempt.answer());
        assertFalse(
                decision.allowed(),
                () -> "lease \"" + attempt.lease() + "\" should be denied: "
                        + attempt.answer().describe());
        return decision;
    }
}
