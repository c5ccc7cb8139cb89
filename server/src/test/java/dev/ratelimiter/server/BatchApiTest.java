package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** POST /v1/reserve/batch and /v1/complete/batch: results in order, per-item invalid slots, envelope rules. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchApiTest implements TemporaryRegistry {
    private static final String KEY = "global:llm:batch:model:rpm";
    private static final String SMALL = "global:llm:batch:small:concurrency";

    @Inject
    EmbeddedServer server;

    Api api;

    @BeforeAll
    void createLimits() {
        api = new Api(server.getURI());
        api.putLimit(LimitDefinition.rolling(KEY, 1_000_000, 3600));
        api.putLimit(LimitDefinition.concurrency(SMALL, 1, 600));
    }

    @Test
    void answersEachReserveInRequestOrderAndMarksOnlyMalformedSlots() {
        HttpResponse<String> response = api.post(
                "/v1/reserve/batch",
                "{\"requests\":["
                        + reserve("b-ok-1", KEY, 1) + ","
                        + "{\"lease_id\":\"b-bad-type\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":\"1\"}]},"
                        + reserve("b-small-1", SMALL, 1) + ","
                        + reserve("b-small-2", SMALL, 1) + ","
                        + "{\"lease_id\":\"b:colon\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]},"
                        + reserve("b-unknown", "global:llm:batch:none:rpm", 1) + ","
                        + "{\"lease_id\":\"b-extra\",\"extra\":1,\"requirements\":[{\"key\":\"" + KEY
                        + "\",\"amount\":1}]}"
                        + "]}");

        List<ReserveResponse> results = api.codec().readReserveResults(Api.ok(response));
        assertEquals(7, results.size());
        assertTrue(results.get(0).allowed());
        assertInvalidSlot(results.get(1));
        assertTrue(results.get(2).allowed());
        assertFalse(results.get(3).allowed());
        assertEquals("", results.get(3).error());
        assertTrue(results.get(3).retryAfterMs() > 0);
        assertInvalidSlot(results.get(4));
        assertEquals(
                "unknown_limit_key:global:llm:batch:none:rpm", results.get(5).error());
        assertInvalidSlot(results.get(6));
    }

    @Test
    void answersEachCompleteInRequestOrder() {
        String key = "global:llm:batch:release:concurrency";
        api.putLimit(LimitDefinition.concurrency(key, 2, 600));
        assertTrue(api.reserve("bc-1", key, 1).allowed());
        assertTrue(api.reserve("bc-2", key, 1).allowed());

        HttpResponse<String> response = api.post(
                "/v1/complete/batch",
                "{\"requests\":["
                        + "{\"lease_id\":\"bc-1\"},"
                        + "{\"lease_id\":\"bc-bad\",\"actuals\":[{\"key\":\"" + key + "\",\"actual_amount\":1.5}]},"
                        + "{\"lease_id\":\"bc-2\",\"actuals\":[]}"
                        + "]}");

        List<CompleteResponse> results = api.codec().readCompleteResults(Api.ok(response));
        assertEquals(
                List.of(
                        CompleteResponse.succeeded(),
                        CompleteResponse.failed("invalid_request"),
                        CompleteResponse.succeeded()),
                results);
        assertEquals(0, api.limit(key).usage().reserved());
    }

    @Test
    void rejectsABatchThatIsNotJson() {
        assertInvalid(api.post("/v1/reserve/batch", "{\"requests\":["), "body: malformed JSON");
        assertInvalid(api.post("/v1/complete/batch", "requests"), "body: malformed JSON");
    }

    @Test
    void rejectsABatchWithoutRequests() {
        assertInvalid(api.post("/v1/reserve/batch", "{}"), "requests");
        assertInvalid(api.post("/v1/complete/batch", "{\"requests\":[]}"), "requests");
        assertInvalid(api.post("/v1/reserve/batch", "{\"requests\":{}}"), "requests");
        assertInvalid(api.post("/v1/reserve/batch", "{\"requests\":[],\"other\":1}"), "other");
    }

    @Test
    void rejectsMoreThanTheMaximumOfItems() {
        String items = IntStream.range(0, 257)
                .mapToObj(i -> reserve("many-" + i, KEY, 1))
                .collect(Collectors.joining(","));
        String justEnough = IntStream.range(0, 256)
                .mapToObj(i -> reserve("enough-" + i, KEY, 1))
                .collect(Collectors.joining(","));

        assertInvalid(api.post("/v1/reserve/batch", "{\"requests\":[" + items + "]}"), "requests: must hold 1 to 256");
        List<ReserveResponse> results = api.codec()
                .readReserveResults(Api.ok(api.post("/v1/reserve/batch", "{\"requests\":[" + justEnough + "]}")));
        assertEquals(256, results.size());
        assertTrue(results.stream().allMatch(ReserveResponse::allowed));
    }

    private static String reserve(String leaseId, String key, long amount) {
        return "{\"lease_id\":\"" + leaseId + "\",\"requirements\":[{\"key\":\"" + key + "\",\"amount\":" + amount
                + "}]}";
    }

    private static void assertInvalidSlot(ReserveResponse result) {
        assertEquals(ReserveResponse.refused(Refusal.INVALID_REQUEST), result);
    }

    private void assertInvalid(HttpResponse<String> response, String detailPart) {
        assertEquals(400, response.statusCode(), response.body());
        ErrorBody error = api.error(response);
        assertEquals("invalid_request", error.error());
        assertTrue(
                error.detail().contains(detailPart),
                () -> "detail should contain " + detailPart + ": " + error.detail());
    }
}
