package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.wire.ErrorBody;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** POST /v1/reserve and /v1/complete over real HTTP: every outcome and every validation rule of SPEC 3. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReserveCompleteApiTest implements TemporaryRegistry {
    private static final String RPM = "global:llm:test:model:rpm";
    private static final String CONCURRENCY = "global:llm:test:model:concurrency";

    @Inject
    EmbeddedServer server;

    Api api;

    @BeforeAll
    void createLimits() {
        api = new Api(server.getURI());
        api.putLimit(LimitDefinition.rolling(RPM, 1000, 3600));
        api.putLimit(LimitDefinition.concurrency(CONCURRENCY, 1000, 600));
    }

    /** The codec's response reader requires all four fields, so decoding proves they are present. */
    @Test
    void allowsAReserveAndAnswersAllFourFields() {
        HttpResponse<String> response = api.post(
                "/v1/reserve",
                "{\"lease_id\":\"allow-1\",\"job_id\":\"job 7\",\"requirements\":[{\"key\":\"" + RPM
                        + "\",\"amount\":2}]}");

        assertEquals(200, response.statusCode());
        assertEquals(
                "application/json",
                response.headers().firstValue("content-type").orElse(""));
        ReserveResponse reserve =
                api.codec().readReserveResponse(response.body().getBytes(StandardCharsets.UTF_8));
        assertTrue(reserve.allowed());
        assertTrue(reserve.reservedAtUnixMs() > 0);
        assertEquals("", reserve.error());
        assertEquals(0, reserve.retryAfterMs());
    }

    @Test
    void deniesForCapacityWithARetryHintAndHoldsNothing() {
        String key = "global:llm:test:full:rpm";
        api.putLimit(LimitDefinition.rolling(key, 3, 3600));
        assertTrue(api.reserve("full-1", key, 3).allowed());

        HttpResponse<String> response = api.post(
                "/v1/reserve",
                "{\"lease_id\":\"full-2\",\"requirements\":[" + "{\"key\":\"" + RPM + "\",\"amount\":1},{\"key\":\""
                        + key + "\",\"amount\":1}]}");

        assertEquals(200, response.statusCode());
        ReserveResponse denied = api.codec().readReserveResponse(Api.ok(response));
        assertFalse(denied.allowed());
        assertEquals("", denied.error());
        assertEquals(0, denied.reservedAtUnixMs());
        assertTrue(denied.retryAfterMs() > 0);
        assertEquals(0, api.limit(key).usage().available());
        assertEquals(3, api.limit(key).usage().reserved());
    }

    @Test
    void deniesAnUnknownKeyWithItsName() {
        ReserveResponse reserve = api.reserve("unknown-1", "global:llm:nobody:none:rpm", 1);

        assertFalse(reserve.allowed());
        assertEquals("unknown_limit_key:global:llm:nobody:none:rpm", reserve.error());
    }

    @Test
    void deniesAnAmountAboveCapacityWithoutRetry() {
        ReserveResponse reserve = api.reserve("too-big-1", RPM, 1001);

        assertFalse(reserve.allowed());
        assertEquals("exceeds_capacity:" + RPM, reserve.error());
        assertEquals(0, reserve.retryAfterMs());
    }

    @Test
    void repeatsAnIdempotentReserveWithTheOriginalTime() {
        ReserveResponse first = api.reserve("repeat-1", RPM, 5);
        long reservedBefore = api.limit(RPM).usage().reserved();

        ReserveResponse second = api.reserve("repeat-1", RPM, 5);

        assertTrue(second.allowed());
        assertEquals(first.reservedAtUnixMs(), second.reservedAtUnixMs());
        assertEquals(reservedBefore, api.limit(RPM).usage().reserved());
    }

    @Test
    void rejectsTheSameLeaseWithOtherRequirements() {
        assertTrue(api.reserve("mismatch-1", RPM, 1).allowed());

        ReserveResponse second = api.reserve("mismatch-1", RPM, 2);

        assertFalse(second.allowed());
        assertEquals("invalid_request", second.error());
    }

    @Test
    void answersLeaseExpiredForAReserveAfterComplete() {
        assertTrue(api.reserve("expired-1", CONCURRENCY, 1).allowed());
        api.complete("expired-1", CONCURRENCY, 0);

        ReserveResponse again = api.reserve("expired-1", CONCURRENCY, 1);

        assertFalse(again.allowed());
        assertEquals("lease_expired:expired-1", again.error());
    }

    @Test
    void deniesAReserveOnADecreasingKey() {
        String key = "global:llm:test:shrinking:rpm";
        api.putLimit(LimitDefinition.rolling(key, 10, 3600));
        assertTrue(api.reserve("shrink-1", key, 10).allowed());
        assertEquals(
                "decreasing",
                api.putLimit(LimitDefinition.rolling(key, 5, 3600)).status().wireName());

        ReserveResponse reserve = api.reserve("shrink-2", key, 1);

        assertFalse(reserve.allowed());
        assertEquals("limit_decreasing:" + key, reserve.error());
        assertEquals(10_000, reserve.retryAfterMs());
    }

    @Test
    void completeAnswersOkAndReleasesConcurrency() {
        String key = "global:llm:test:release:concurrency";
        api.putLimit(LimitDefinition.concurrency(key, 2, 600));
        assertTrue(api.reserve("release-1", key, 2).allowed());
        assertEquals(2, api.limit(key).usage().reserved());

        HttpResponse<String> response = api.post("/v1/complete", "{\"lease_id\":\"release-1\"}");

        assertEquals(200, response.statusCode());
        assertEquals("{\"ok\":true,\"error\":\"\"}", response.body());
        LimitInfo info = api.limit(key);
        assertEquals(0, info.usage().reserved());
        assertEquals(2, info.usage().available());
    }

    @Test
    void completeOfAnUnknownLeaseIsOk() {
        HttpResponse<String> response = api.post("/v1/complete", "{\"lease_id\":\"never-reserved\",\"actuals\":[]}");

        CompleteResponse complete = api.codec().readCompleteResponse(Api.ok(response));
        assertTrue(complete.ok());
        assertEquals("", complete.error());
    }

    /**
     * Reconciliation on a rolling key: an actual below the reservation frees the rest at once; an
     * overage that fits is held; one that does not fit becomes debt (overage "debt").
     */
    @Test
    void usageShowsReconciliationAndDebt() {
        String key = "global:llm:test:tokens:tpm";
        api.putLimit(new LimitDefinition(key, LimitKind.ROLLING, 100, 3600, 0, "tokens", "", Overage.DEBT));
        assertTrue(api.reserve("tokens-1", key, 60).allowed());
        assertTrue(api.reserve("tokens-2", key, 40).allowed());
        assertEquals(new Usage(100, 0, 0), api.limit(key).usage());

        api.complete("tokens-1", key, 20);
        Usage afterUnder = api.limit(key).usage();
        api.complete("tokens-2", key, 70);
        Usage afterFittingOverage = api.limit(key).usage();
        assertTrue(api.reserve("tokens-3", key, 10).allowed());
        api.complete("tokens-3", key, 25);
        Usage afterDebt = api.limit(key).usage();

        assertEquals(new Usage(60, 40, 0), afterUnder);
        assertEquals(new Usage(90, 10, 0), afterFittingOverage);
        assertEquals(new Usage(100, 0, 15), afterDebt);
    }

    @Test
    void rejectsMalformedJson() {
        assertInvalid(api.post("/v1/reserve", "{\"lease_id\":"), "body: malformed JSON");
        assertInvalid(api.post("/v1/complete", "not json"), "body: malformed JSON");
        assertInvalid(api.post("/v1/reserve", "{} {}"), "body");
        assertInvalid(api.send("POST", "/v1/reserve", null, null), "body: must be a JSON document, got an empty body");
        assertInvalid(
                api.send("POST", "/v1/complete/batch", "", Api.JSON),
                "body: must be a JSON document, got an empty body");
        assertInvalid(
                api.send("PUT", "/v1/admin/limits", null, null), "body: must be a JSON document, got an empty body");
    }

    @Test
    void rejectsWrongJsonTypesNamingTheField() {
        assertInvalid(reserveWith("\"lease_id\":7,\"requirements\":[{\"key\":\"k\",\"amount\":1}]"), "lease_id");
        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":{}"), "requirements");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":\"1\"}]"),
                "requirements[0].amount");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":null}]"),
                "requirements[0].amount");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":1.5}]"),
                "requirements[0].amount");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":9223372036854775808}]"),
                "requirements[0].amount");
        // Micronaut must not bind these itself (a JSON array or string could become a byte[]).
        assertInvalid(api.post("/v1/reserve", "[]"), "body: must be a JSON object, got an array");
        assertInvalid(api.post("/v1/reserve", "[1,2]"), "body: must be a JSON object, got an array");
        assertInvalid(
                api.post("/v1/complete", "\"eyJsZWFzZV9pZCI6ImEifQ==\""),
                "body: must be a JSON object, got the string");
    }

    @Test
    void rejectsValuesOutsideTheRules() {
        assertInvalid(reserveWith("\"lease_id\":\"\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]"), "lease_id");
        assertInvalid(reserveWith("\"lease_id\":\"a:b\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]"), "lease_id");
        assertInvalid(
                reserveWith("\"lease_id\":\"" + "x".repeat(65) + "\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]"),
                "lease_id");
        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":0}]"), "amount");
        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":-1}]"), "amount");
        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"a b\",\"amount\":1}]"), "key");
        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":[]"), "requirements");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"job_id\":\"" + "j".repeat(129)
                        + "\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]"),
                "job_id");
        assertInvalid(
                api.post("/v1/complete", "{\"lease_id\":\"t-1\",\"actuals\":[{\"key\":\"k\",\"actual_amount\":-1}]}"),
                "actual_amount");
    }

    @Test
    void rejectsUnknownFields() {
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"priority\":1,\"requirements\":[{\"key\":\"k\",\"amount\":1}]"),
                "priority");
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"k\",\"amount\":1,\"unit\":\"x\"}]"),
                "requirements[0].unit");
        assertInvalid(api.post("/v1/complete", "{\"lease_id\":\"t-1\",\"extra\":true}"), "extra");
    }

    @Test
    void rejectsTooManyRequirementsAndDuplicateKeys() {
        String thirtyThree = IntStream.range(0, 33)
                .mapToObj(i -> "{\"key\":\"k" + i + "\",\"amount\":1}")
                .collect(Collectors.joining(","));
        String thirtyTwo = IntStream.range(0, 32)
                .mapToObj(i -> "{\"key\":\"k" + i + "\",\"amount\":1}")
                .collect(Collectors.joining(","));

        assertInvalid(reserveWith("\"lease_id\":\"t-1\",\"requirements\":[" + thirtyThree + "]"), "requirements");
        assertEquals(
                200,
                reserveWith("\"lease_id\":\"t-32\",\"requirements\":[" + thirtyTwo + "]")
                        .statusCode());
        assertInvalid(
                reserveWith("\"lease_id\":\"t-1\",\"requirements\":[{\"key\":\"" + RPM + "\",\"amount\":1},"
                        + "{\"key\":\"" + RPM + "\",\"amount\":1}]"),
                "requirements");
    }

    private HttpResponse<String> reserveWith(String fields) {
        return api.post("/v1/reserve", "{" + fields + "}");
    }

    private void assertInvalid(HttpResponse<String> response, String detailPart) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(
                "application/json",
                response.headers().firstValue("content-type").orElse(""));
        ErrorBody error = api.error(response);
        assertEquals("invalid_request", error.error());
        assertTrue(
                error.detail().contains(detailPart), () -> "detail should name " + detailPart + ": " + error.detail());
    }
}
