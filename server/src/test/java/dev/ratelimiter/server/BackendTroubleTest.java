package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import dev.ratelimiter.server.lifecycle.GracefulShutdown;
import dev.ratelimiter.server.lifecycle.LimiterServiceFactory;
import dev.ratelimiter.server.lifecycle.WorkerPool;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that is stuck or down: health, metrics and admin reads still answer, a full admission
 * pool answers 503 at once, failures are {@code backend_error}, /healthz reports the backend, and a
 * graceful stop answers the request in flight before the backend is closed.
 */
class BackendTroubleTest {
    private static final String KEY = "global:llm:slow:model:rpm";
    private static final String RESERVE =
            "{\"lease_id\":\"%s\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]}";

    @TempDir
    Path directory;

    @Test
    void answersHealthMetricsAndAdminWhileReservesAreStuck() throws Exception {
        try (TestServer server = TestServer.start(
                directory.resolve("registry.json"),
                Map.of(
                        "test.gated-backend",
                        "true",
                        "ratelimiter.admission-threads",
                        2,
                        "ratelimiter.admission-queue-max",
                        2))) {
            GatedBackend backend = gatedBackend(server);
            server.api.putLimit(LimitDefinition.rolling(KEY, 100, 3600));
            backend.closeGate();
            List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String leaseId = "stuck-" + i;
                stuck.add(CompletableFuture.supplyAsync(
                        () -> server.api.post("/v1/reserve", String.format(RESERVE, leaseId))));
            }
            assertTrue(backend.awaitEntered(2), "two reserves reach the backend");
            Api.awaitTrue(
                    "the other two wait in the queue", Duration.ofSeconds(10), () -> admissionQueued(server) == 2);

            HttpResponse<String> overflow = server.api.post("/v1/reserve", String.format(RESERVE, "overflow"));
            HttpResponse<String> health = server.api.get("/healthz");
            HttpResponse<String> metrics = server.api.get("/prometheus");
            HttpResponse<String> limits = server.api.get("/v1/admin/limits/" + KEY);

            assertEquals(503, overflow.statusCode(), overflow.body());
            ErrorBody error = server.api.error(overflow);
            assertEquals("backend_error", error.error());
            assertTrue(error.detail().contains("admission"), error.detail());
            assertEquals(200, health.statusCode());
            assertEquals(200, metrics.statusCode());
            assertEquals(200, limits.statusCode());
            assertTrue(stuck.stream().noneMatch(CompletableFuture::isDone), "the stuck reserves are still waiting");

            backend.open();
            for (CompletableFuture<HttpResponse<String>> response : stuck) {
                assertEquals(200, response.get(30, TimeUnit.SECONDS).statusCode());
            }
        }
    }

    @Test
    void reportsAnUnhealthyBackendWith503() {
        try (TestServer server =
                TestServer.start(directory.resolve("registry.json"), Map.of("test.gated-backend", "true"))) {
            GatedBackend backend = gatedBackend(server);
            backend.healthy(false);

            HttpResponse<String> unhealthy = server.api.get("/healthz");
            backend.healthy(true);
            HttpResponse<String> healthy = server.api.get("/healthz");

            assertEquals(503, unhealthy.statusCode());
            assertEquals("backend_error", server.api.error(unhealthy).error());
            assertEquals(
                    "backend: does not answer",
                    server.api.error(unhealthy).detail(),
                    "the detail names the backend's own reason");
            assertEquals(200, healthy.statusCode());
            assertEquals("ok", healthy.body());
        }
    }

    @Test
    void answersBackendErrorWhenTheBackendFails() {
        try (TestServer server =
                TestServer.start(directory.resolve("registry.json"), Map.of("test.gated-backend", "true"))) {
            GatedBackend backend = gatedBackend(server);
            server.api.putLimit(LimitDefinition.rolling(KEY, 100, 3600));
            backend.failing(true);

            HttpResponse<String> reserve = server.api.post("/v1/reserve", String.format(RESERVE, "down-1"));
            HttpResponse<String> batch =
                    server.api.post("/v1/reserve/batch", "{\"requests\":[" + String.format(RESERVE, "down-2") + "]}");
            HttpResponse<String> put = server.api.put(
                    "/v1/admin/limits",
                    "{\"key\":\"" + KEY + "\",\"kind\":\"rolling\",\"capacity\":200,\"window_seconds\":3600}");
            HttpResponse<String> metrics = server.api.get("/prometheus");

            assertEquals(200, reserve.statusCode());
            assertEquals(
                    ReserveResponse.refused(Refusal.BACKEND_ERROR),
                    server.api.codec().readReserveResponse(Api.ok(reserve)));
            assertEquals(
                    List.of(ReserveResponse.refused(Refusal.BACKEND_ERROR)),
                    server.api.codec().readReserveResults(Api.ok(batch)));
            assertEquals(500, put.statusCode());
            assertEquals("backend_error", server.api.error(put).error());
            assertTrue(
                    metrics.body().contains("ratelimiter_admissions_total{key=\"" + KEY + "\",outcome=\"failed\"} 2.0"),
                    metrics.body());
        }
    }

    /** What the SIGTERM hook runs: the request in flight is answered, then the backend is closed. */
    @Test
    void answersTheRequestInFlightBeforeClosingTheBackend() throws Exception {
        TestServer server = TestServer.start(directory.resolve("registry.json"), Map.of("test.gated-backend", "true"));
        try {
            GatedBackend backend = gatedBackend(server);
            server.api.putLimit(LimitDefinition.rolling(KEY, 100, 3600));
            backend.closeGate();
            CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
                    () -> server.api.post("/v1/reserve", String.format(RESERVE, "in-flight")));
            assertTrue(backend.awaitEntered(1), "the reserve reaches the backend");

            CompletableFuture<Void> stopping =
                    CompletableFuture.runAsync(() -> GracefulShutdown.stop(server.context, server.server, 20_000));
            Api.awaitTrue(
                    "the server stops taking connections", Duration.ofSeconds(10), () -> refusesConnections(server));
            assertFalse(backend.closed(), "the backend stays open while a request is in flight");
            backend.open();

            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            stopping.get(30, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertTrue(server.api.codec().readReserveResponse(Api.ok(answer)).allowed());
            assertTrue(backend.closed(), "the limiter closed its backend");
            assertFalse(backend.closedWhileReserving(), "the backend was closed only after the reserve returned");
            assertFalse(server.context.isRunning());
        } finally {
            server.close();
        }
    }

    /** The backend is a bean only for the dispatchers; the limiter owns it, so stopping closes it exactly once. */
    @Test
    void closesTheBackendOnceWhenTheServerStops() {
        TestServer server = TestServer.start(directory.resolve("registry.json"), Map.of("test.gated-backend", "true"));
        GatedBackend backend = gatedBackend(server);

        server.close();

        assertEquals(1, backend.closeCalls());
    }

    private static GatedBackend gatedBackend(TestServer server) {
        return ((GatedBackendFactory) server.context.getBean(BackendFactory.class)).backend();
    }

    private static int admissionQueued(TestServer server) {
        return server.context
                .getBean(WorkerPool.class, Qualifiers.byName(LimiterServiceFactory.ADMISSION_POOL))
                .queued();
    }

    private static boolean refusesConnections(TestServer server) {
        try {
            new Socket(server.server.getHost(), server.server.getPort()).close();
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
