package dev.ratelimiter.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.InvalidRequestException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP limiter against a scripted JDK HTTP server. Real time is unavoidable here, so retry
 * delays are 1 ms and every wait is bounded by a {@code get} timeout.
 */
class HttpLimiterTest {
    private static final String ALLOWED =
            "{\"allowed\":true,\"retry_after_ms\":0,\"reserved_at_unix_ms\":1234,\"error\":\"\"}";
    private static final Backoff FAST = new Backoff(1, 1.0, 1, 0);

    private final ScriptedHttpServer server;
    private HttpLimiter limiter;

    HttpLimiterTest() throws IOException {
        server = new ScriptedHttpServer();
    }

    @AfterEach
    void stop() {
        if (limiter != null) {
            limiter.close();
        }
        server.close();
    }

    private HttpLimiter limiter(HttpLimiterConfig config) {
        limiter = new HttpLimiter(config, null, bound -> 0);
        return limiter;
    }

    private HttpLimiter limiter() {
        return limiter(HttpLimiterConfig.of(server.baseUri()).withRetryBackoff(FAST));
    }

    private static ReserveRequest reserve(String leaseId) {
        return new ReserveRequest(leaseId, "job-1", List.of(new Requirement("global:llm:p:m:rpm", 1)));
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(20, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return assertThrows(ExecutionException.class, () -> future.get(20, TimeUnit.SECONDS))
                .getCause();
    }

    private long inMillis(long millis) {
        return limiter.clock().nowMillis() + millis;
    }

    @Test
    void sendsReserveAndDecodesAnswer() throws Exception {
        server.then(200, ALLOWED);
        ReserveResponse response = await(limiter().reserveAsync(reserve("lease-1")));

        assertEquals(ReserveResponse.allowed(1234), response);
        assertEquals(
                List.of("POST /v1/reserve {\"lease_id\":\"lease-1\",\"job_id\":\"job-1\",\"requirements\":"
                        + "[{\"key\":\"global:llm:p:m:rpm\",\"amount\":1}]}"),
                server.requests());
    }

    @Test
    void retriesSameLeaseAfterServerError() throws Exception {
        server.then(503, "{\"error\":\"backend_error\",\"detail\":\"down\"}")
                .then(500, "oops")
                .then(200, ALLOWED);
        ReserveResponse response = await(limiter().reserveAsync(reserve("lease-1")));

        assertTrue(response.allowed());
        List<String> requests = server.requests();
        assertEquals(3, requests.size());
        assertTrue(
                requests.stream().allMatch(request -> request.equals(requests.get(0))),
                "every attempt repeats the same lease id: " + requests);
    }

    @Test
    void retriesSameLeaseAfterTimeoutUntilDeadline() {
        server.thenHang();
        HttpLimiter limiter = limiter(
                HttpLimiterConfig.of(server.baseUri()).withTimeouts(1_000, 100).withRetryBackoff(FAST));
        CompletableFuture<ReserveResponse> answer = limiter.reserveAsync(reserve("lease-1"), inMillis(450));

        OutcomeUnknownException failure = assertInstanceOf(OutcomeUnknownException.class, failureOf(answer));
        assertTrue(failure.getMessage().contains("outcome unknown"), failure.getMessage());
        List<String> requests = server.requests();
        assertTrue(requests.size() >= 2, "timed-out attempts are repeated: " + requests);
        assertTrue(requests.stream().allMatch(request -> request.contains("\"lease_id\":\"lease-1\"")));
    }

    @Test
    void reportsUnknownOutcomeWhenServerIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpLimiter limiter = limiter(HttpLimiterConfig.of(URI.create("http://127.0.0.1:" + closedPort))
                .withRetryBackoff(new Backoff(5, 1.0, 5, 0)));
        CompletableFuture<ReserveResponse> answer = limiter.reserveAsync(reserve("lease-1"), inMillis(200));

        assertInstanceOf(OutcomeUnknownException.class, failureOf(answer));
    }

    @Test
    void usesCallBudgetWhenCallerGivesNoDeadline() {
        server.then(503, "");
        HttpLimiter limiter = limiter(HttpLimiterConfig.of(server.baseUri())
                .withCallBudgetMs(100)
                .withRetryBackoff(new Backoff(5, 1.0, 5, 0)));

        assertInstanceOf(OutcomeUnknownException.class, failureOf(limiter.reserveAsync(reserve("lease-1"))));
        assertTrue(server.requests().size() >= 2);
    }

    @Test
    void mapsBadRequestToInvalidRequestWithoutRetry() throws Exception {
        server.then(400, "{\"error\":\"invalid_request\",\"detail\":\"lease_id: must match [0-9A-Za-z_-]\"}");
        ReserveResponse response = await(limiter().reserveAsync(reserve("lease-1")));

        assertFalse(response.allowed());
        assertEquals("invalid_request", response.error());
        assertEquals(1, server.requests().size());
    }

    @Test
    void mapsBadBatchToInvalidRequestForEachItem() throws Exception {
        server.then(413, "{\"error\":\"invalid_request\",\"detail\":\"body: larger than 1048576 bytes\"}");
        List<ReserveResponse> responses =
                await(limiter().reserveBatchAsync(List.of(reserve("a"), reserve("b")), HttpLimiter.NO_DEADLINE));

        assertEquals(2, responses.size());
        assertTrue(responses.stream().allMatch(response -> response.error().equals("invalid_request")));
    }

    @Test
    void failsAtOnceOnUnexpectedStatus() {
        server.then(404, "{\"error\":\"not_found\",\"detail\":\"no route\"}");
        Throwable failure = failureOf(limiter().reserveAsync(reserve("lease-1")));

        assertEquals(LimiterException.class, failure.getClass());
        assertTrue(failure.getMessage().contains("404"), failure.getMessage());
        assertEquals(1, server.requests().size());
    }

    @Test
    void decodesBatchResultsInOrder() throws Exception {
        server.then(
                200,
                "{\"results\":[" + ALLOWED + ",{\"allowed\":false,\"retry_after_ms\":150,"
                        + "\"reserved_at_unix_ms\":0,\"error\":\"\"}]}");
        List<ReserveResponse> responses =
                await(limiter().reserveBatchAsync(List.of(reserve("a"), reserve("b")), HttpLimiter.NO_DEADLINE));

        assertEquals(List.of(ReserveResponse.allowed(1234), ReserveResponse.denied(150)), responses);
        assertTrue(server.requests().get(0).startsWith("POST /v1/reserve/batch {\"requests\":[{\"lease_id\":\"a\""));
    }

    @Test
    void retriesBatchWhoseAnswerHasWrongLength() throws Exception {
        server.then(200, "{\"results\":[" + ALLOWED + "]}")
                .then(200, "{\"results\":[" + ALLOWED + "," + ALLOWED + "]}");
        List<ReserveResponse> responses =
                await(limiter().reserveBatchAsync(List.of(reserve("a"), reserve("b")), HttpLimiter.NO_DEADLINE));

        assertEquals(2, responses.size());
        assertEquals(2, server.requests().size());
    }

    @Test
    void retriesCompleteAfterServerError() throws Exception {
        server.then(502, "").then(200, "{\"ok\":true,\"error\":\"\"}");
        CompleteResponse response = await(limiter()
                .completeAsync(new CompleteRequest("lease-1", "", List.of(new Actual("global:llm:p:m:tpm", 12)))));

        assertTrue(response.ok());
        assertEquals(2, server.requests().size());
        assertTrue(
                server.requests()
                        .get(1)
                        .startsWith("POST /v1/complete {\"lease_id\":\"lease-1\",\"actuals\":"
                                + "[{\"key\":\"global:llm:p:m:tpm\",\"actual_amount\":12}]}"),
                server.requests().get(1));
    }

    @Test
    void refusesEmptyOrOversizedBatch() {
        HttpLimiter limiter = limiter(HttpLimiterConfig.of(server.baseUri()).withMaxBatchItems(2));
        InvalidRequestException empty = assertThrows(
                InvalidRequestException.class, () -> limiter.reserveBatchAsync(List.of(), HttpLimiter.NO_DEADLINE));
        assertEquals("requests: must hold 1 to 2 items, got 0", empty.detail());
        assertThrows(
                InvalidRequestException.class,
                () -> limiter.completeBatchAsync(
                        List.of(
                                new CompleteRequest("a", "", List.of()),
                                new CompleteRequest("b", "", List.of()),
                                new CompleteRequest("c", "", List.of())),
                        HttpLimiter.NO_DEADLINE));
    }

    @Test
    void refusesCallWhoseDeadlineHasPassed() {
        HttpLimiter limiter = limiter();
        assertInstanceOf(
                DeadlineExceededException.class, failureOf(limiter.reserveAsync(reserve("lease-1"), inMillis(-1))));
        assertEquals(0, server.requests().size());
    }

    @Test
    void refusesCallsAfterClose() {
        HttpLimiter limiter = limiter();
        limiter.close();
        assertInstanceOf(LimiterClosedException.class, failureOf(limiter.reserveAsync(reserve("lease-1"))));
    }

    @Test
    void closeEndsCallsInProgress() {
        server.thenHang();
        HttpLimiter limiter = limiter();
        CompletableFuture<ReserveResponse> answer = limiter.reserveAsync(reserve("lease-1"));
        limiter.close();

        assertInstanceOf(OutcomeUnknownException.class, failureOf(answer));
    }

    @Test
    void synchronousFormRethrowsFailureUnwrapped() {
        server.then(404, "");
        HttpLimiter limiter = limiter();
        LimiterException failure = assertThrows(LimiterException.class, () -> limiter.reserve(reserve("lease-1")));
        assertTrue(failure.getMessage().contains("404"));
    }

    @Test
    void rejectsConfigurationOutOfRange() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> HttpLimiterConfig.of("http://localhost:8080").withTimeouts(0, 100));
        assertEquals("connectTimeoutMs must be from 1 to 600000, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HttpLimiterConfig.of("ftp://localhost"));
    }
}
