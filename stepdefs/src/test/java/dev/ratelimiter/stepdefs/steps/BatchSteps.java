package dev.ratelimiter.stepdefs.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.Routes;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Steps about batches of reservations and completions: one result per item, in order. Item rows
 * are written as raw JSON so that a scenario can put a malformed item among good ones.
 */
public final class BatchSteps {
    private final World world;

    public BatchSteps(World world) {
        this.world = world;
    }

    // ---- sending -------------------------------------------------------------------------

    @When("I send a batch reserve with leases {string} and {string} for amount {long} each")
    public void sendABatchOfTwo(String first, String second, long amount) {
        String key = world.names().key(world.currentLimit());
        List<ReserveRequest> requests = List.of(
                new ReserveRequest(world.names().lease(first), "", List.of(new Requirement(key, amount))),
                new ReserveRequest(world.names().lease(second), "", List.of(new Requirement(key, amount))));
        world.sendBatch(Routes.RESERVE_BATCH, world.codec().writeReserveBatch(requests));
    }

    /** Rows of lease, limit and amount; the amount is sent exactly as written. */
    @When("I send a batch reserve of:")
    public void sendABatchReserveOf(DataTable table) {
        List<String> items = new ArrayList<>();
        for (Map<String, String> row : table.asMaps()) {
            String requirement = RawJson.object()
                    .put("key", RawJson.quote(world.names().key(row.get("limit"))))
                    .put("amount", row.get("amount").strip())
                    .toString();
            items.add(RawJson.object()
                    .put("lease_id", RawJson.quote(world.names().lease(row.get("lease"))))
                    .put("requirements", RawJson.array(List.of(requirement)))
                    .toString());
        }
        world.sendBatch(Routes.RESERVE_BATCH, requests(items));
    }

    /** Rows of lease, limit and actual amount; a row without a limit reports no usage. */
    @When("I send a batch complete of:")
    public void sendABatchCompleteOf(DataTable table) {
        List<String> items = new ArrayList<>();
        for (Map<String, String> row : table.asMaps()) {
            String limit = row.get("limit");
            List<String> actuals = limit == null || limit.isBlank()
                    ? List.of()
                    : List.of(RawJson.object()
                            .put("key", RawJson.quote(world.names().key(limit)))
                            .put("actual_amount", row.get("actual").strip())
                            .toString());
            items.add(RawJson.object()
                    .put("lease_id", RawJson.quote(world.names().lease(row.get("lease"))))
                    .put("actuals", RawJson.array(actuals))
                    .toString());
        }
        world.sendBatch(Routes.COMPLETE_BATCH, requests(items));
    }

    @When("a client sends a batch reserve with {int} requests")
    public void sendABatchOfSize(int size) {
        String key = world.names().key(world.currentLimit());
        List<ReserveRequest> requests = new ArrayList<>(size);
        for (int i = 1; i <= size; i++) {
            requests.add(new ReserveRequest(world.names().lease("N" + i), "", List.of(new Requirement(key, 1))));
        }
        world.sendBatch(Routes.RESERVE_BATCH, world.codec().writeReserveBatch(requests));
    }

    @When("a client sends a batch reserve without a list of requests")
    public void sendABatchWithoutRequests() {
        world.sendBatch(Routes.RESERVE_BATCH, "{}".getBytes(StandardCharsets.UTF_8));
    }

    @When("a client sends a batch reserve that is not a readable document")
    public void sendAnUnreadableBatch() {
        world.sendBatch(Routes.RESERVE_BATCH, "{\"requests\": [{\"lease_id\": ".getBytes(StandardCharsets.UTF_8));
    }

    // ---- results -------------------------------------------------------------------------

    @Then("result {int} is allowed and result {int} is denied")
    public void resultIsAllowedAndResultIsDenied(int allowed, int denied) {
        batchResultIsAllowed(allowed);
        ReserveResponse result = reserveResult(denied);
        assertFalse(
                result.allowed(),
                () -> "result " + denied + " should be denied: "
                        + world.lastBatch().describe());
    }

    @Then("the batch has {int} results")
    public void theBatchHasResults(int count) {
        Answer answer = batchAnswer();
        int size = answer.path().equals(Routes.RESERVE_BATCH)
                ? world.decode(answer, world.codec()::readReserveResults).size()
                : world.decode(answer, world.codec()::readCompleteResults).size();
        assertEquals(count, size, () -> "number of results in " + answer.describe());
    }

    @Then("batch result {int} is allowed")
    public void batchResultIsAllowed(int position) {
        ReserveResponse result = reserveResult(position);
        assertTrue(
                result.allowed(),
                () -> "result " + position + " should be allowed: "
                        + world.lastBatch().describe());
        assertEquals("", result.error(), () -> world.lastBatch().describe());
    }

    @Then("batch result {int} is denied for lack of capacity, with a hint to retry later")
    public void batchResultIsDeniedForCapacity(int position) {
        ReserveResponse result = reserveResult(position);
        assertFalse(
                result.allowed(),
                () -> "result " + position + " should be denied: "
                        + world.lastBatch().describe());
        assertEquals("", result.error(), () -> world.lastBatch().describe());
        assertTrue(
                result.retryAfterMs() > 0,
                () -> "result " + position + " should say when to retry: "
                        + world.lastBatch().describe());
    }

    @Then("batch result {int} is denied with error {string}")
    public void batchResultIsDeniedWithError(int position, String error) {
        ReserveResponse result = reserveResult(position);
        assertFalse(
                result.allowed(),
                () -> "result " + position + " should be denied: "
                        + world.lastBatch().describe());
        assertEquals(
                world.names().error(error),
                result.error(),
                () -> world.lastBatch().describe());
    }

    @Then("batch result {int} is refused as invalid")
    public void batchResultIsRefusedAsInvalid(int position) {
        Answer answer = batchAnswer();
        if (answer.path().equals(Routes.RESERVE_BATCH)) {
            ReserveResponse result = reserveResult(position);
            assertFalse(result.allowed(), () -> "result " + position + " should be refused: " + answer.describe());
            assertEquals(ErrorCodes.INVALID_REQUEST, result.error(), () -> answer.describe());
        } else {
            CompleteResponse result = completeResult(position);
            assertFalse(result.ok(), () -> "result " + position + " should be refused: " + answer.describe());
            assertEquals(ErrorCodes.INVALID_REQUEST, result.error(), () -> answer.describe());
        }
    }

    @Then("batch result {int} is accepted")
    public void batchResultIsAccepted(int position) {
        CompleteResponse result = completeResult(position);
        assertTrue(
                result.ok(),
                () -> "result " + position + " should be accepted: "
                        + world.lastBatch().describe());
        assertEquals("", result.error(), () -> world.lastBatch().describe());
    }

    @Then("the batch response is returned within {long} milliseconds")
    public void theBatchResponseIsReturnedWithin(long milliseconds) {
        Answer answer = world.lastBatch();
        assertTrue(
                answer.elapsed().toMillis() <= milliseconds,
                () -> "expected the batch answered within " + milliseconds + " ms: " + answer.describe());
    }

    // ---- helpers -------------------------------------------------------------------------

    private static byte[] requests(List<String> items) {
        return RawJson.object().put("requests", RawJson.array(items)).bytes();
    }

    private Answer batchAnswer() {
        Answer answer = world.lastBatch();
        assertEquals(200, answer.status(), () -> "the batch should be answered item by item: " + answer.describe());
        return answer;
    }

    private ReserveResponse reserveResult(int position) {
        Answer answer = batchAnswer();
        List<ReserveResponse> results = world.decode(answer, world.codec()::readReserveResults);
        assertTrue(
                position >= 1 && position <= results.size(),
                () -> "no result " + position + " in " + answer.describe());
        return results.get(position - 1);
    }

    private CompleteResponse completeResult(int position) {
        Answer answer = batchAnswer();
        List<CompleteResponse> results = world.decode(answer, world.codec()::readCompleteResults);
        assertTrue(
                position >= 1 && position <= results.size(),
                () -> "no result " + position + " in " + answer.describe());
        return results.get(position - 1);
    }
}
