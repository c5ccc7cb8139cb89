package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.testkit.process.Ports;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real TigerBeetle client pointed at a port where nothing listens: the client never answers
 * (nothing in it times out), so every bound here is the backend's own. Needs no TigerBeetle server.
 * The native client logs {@code ConnectionRefused} to stderr meanwhile; that is expected.
 */
@Timeout(60)
class UnreachableClusterTest {
    private static final long TIMEOUT_MS = 500;
    private static final long GRACE_MS = 1_000;

    private LimiterService service;

    @BeforeEach
    void startOnAClosedPort() throws IOException {
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("127.0.0.1:" + Ports.free()))
                .withRequestTimeout(Duration.ofMillis(TIMEOUT_MS));
        Clock clock = Clock.system();
        TigerBeetleBackend backend =
                TigerBeetleBackend.connect(settings, new RetryHints(RetryPolicy.DEFAULT, clock), clock);
        InMemoryStore store = new InMemoryStore(List.of(
                LimitState.created(LimitDefinition.rolling("rpm", 10, 60)),
                LimitState.created(LimitDefinition.concurrency("concurrency", 2, 30))));
        service = LimiterService.open(backend, store, RequestLimits.DEFAULT);
    }

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void reserveAnswersBackendErrorWithinTheTimeout() {
        for (int attempt = 0; attempt < 3; attempt++) {
            long startNanos = System.nanoTime();
            ReserveResponse response = service.reserve(new ReserveRequest(
                    "lease-" + attempt, "", List.of(new Requirement("rpm", 1), new Requirement("concurrency", 1))));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            assertFalse(response.allowed());
            assertEquals(ErrorCodes.BACKEND_ERROR, response.error());
            assertTrue(elapsedMs <= TIMEOUT_MS + GRACE_MS, "answered after " + elapsedMs + " ms");
        }
    }

    @Test
    void keepsAnsweringAdminReads() {
        List<LimitInfo> limits = service.limits();
        assertEquals(
                List.of("concurrency", "rpm"),
                limits.stream().map(info -> info.definition().key()).toList());
        assertEquals(10, service.limit("rpm").orElseThrow().definition().capacity());
    }

    @Test
    void reportsUnhealthy() {
        assertFalse(service.isHealthy());
    }

    @Test
    void refusesAdminChangesItCannotApplyButKeepsThemForLater() {
        assertThrows(BackendException.class, () -> service.putLimit(LimitDefinition.rolling("tpm", 1_000, 60)));
        assertEquals(1_000, service.limit("tpm").orElseThrow().definition().capacity());
        ReserveResponse response =
                service.reserve(new ReserveRequest("lease-tpm", "", List.of(new Requirement("tpm", 1))));
        assertEquals(ErrorCodes.BACKEND_ERROR, response.error());
    }

    @Test
    void completeOfAnUnknownLeaseStillAnswersOk() {
        assertTrue(service.complete(new CompleteRequest("never-reserved", "", List.of()))
                .ok());
    }

    @Test
    void shutsDownPromptlyWithCallersWaiting() throws Exception {
        CompletableFuture<ReserveResponse> waiting = CompletableFuture.supplyAsync(
                () -> service.reserve(new ReserveRequest("waiting", "", List.of(new Requirement("rpm", 1)))));
        long startNanos = System.nanoTime();
        service.close();
        service = null;
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        ReserveResponse response = waiting.get(TIMEOUT_MS + GRACE_MS, TimeUnit.MILLISECONDS);
        assertEquals(ErrorCodes.BACKEND_ERROR, response.error());
        assertTrue(elapsedMs < 5_000, "shutdown took " + elapsedMs + " ms");
    }
}
