package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.server.lifecycle.GracefulShutdown;
import dev.ratelimiter.testkit.process.Ports;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ratelimiterd on the TigerBeetle backend with the real TigerBeetle client pointed at a port where
 * nothing listens (SPEC 5.2): the client itself never gives up, so every bound seen here is the
 * server's. Reserves answer {@code backend_error} within the request timeout, admin reads keep
 * answering, an admin change is durable although the cluster did not take it, /healthz says 503,
 * and a stop finishes promptly. Needs no TigerBeetle server; the native client logs
 * {@code ConnectionRefused} meanwhile, which is expected.
 *
 * <p>The bounds below are the deadlines SPEC 5.2 promises (an answer by the request timeout, a stop
 * that never waits for the cluster), with a second of slack for a shared machine; they are not
 * speed measurements.
 */
@Timeout(120)
class UnreachableTigerBeetleTest {
    private static final long REQUEST_TIMEOUT_MS = 500;
    private static final long SLACK_MS = 1_000;
    private static final long STOP_BOUND_MS = 5_000;
    private static final String KEY = "global:llm:unreachable:model:rpm";
    private static final String OTHER_KEY = "global:llm:unreachable:model:tpm";

    @TempDir
    Path directory;

    private Path registry;
    private TestServer server;

    @BeforeEach
    void startOnAClosedPort() throws IOException {
        registry = directory.resolve("registry.json");
        new FileRegistry(registry).save(List.of(LimitState.created(LimitDefinition.rolling(KEY, 10, 60))));
        server = TestServer.start(
                registry,
                Map.of(
                        "ratelimiter.backend",
                        "tigerbeetle",
                        "ratelimiter.tigerbeetle.addresses",
                        List.of("127.0.0.1:" + Ports.free()),
                        "ratelimiter.tigerbeetle.request-timeout-ms",
                        REQUEST_TIMEOUT_MS));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void reserveAnswersBackendErrorWithinTheRequestTimeout() {
        for (int attempt = 0; attempt < 3; attempt++) {
            String leaseId = "lease-" + attempt;
            Timed<ReserveResponse> reserve = timed(() -> server.api.reserve(leaseId, KEY, 1));

            assertEquals(ReserveResponse.refused(Refusal.BACKEND_ERROR), reserve.value());
            assertWithinRequestTimeout(reserve, "reserve " + attempt);
        }
        Timed<HttpResponse<String>> batch = timed(() -> server.api.post(
                "/v1/reserve/batch",
                "{\"requests\":[{\"lease_id\":\"b-1\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]}]}"));
        assertEquals(
                List.of(ReserveResponse.refused(Refusal.BACKEND_ERROR)),
                server.api.codec().readReserveResults(Api.ok(batch.value())));
        assertWithinRequestTimeout(batch, "the batch reserve");
    }

    @Test
    void adminReadsKeepAnswering() {
        Timed<HttpResponse<String>> all = timed(() -> server.api.get("/v1/admin/limits"));
        Timed<LimitInfo> one = timed(() -> server.api.limit(KEY));

        List<LimitInfo> limits = server.api.codec().readLimits(Api.ok(all.value()));
        assertEquals(
                List.of(KEY),
                limits.stream().map(info -> info.definition().key()).toList());
        assertEquals(LimitDefinition.rolling(KEY, 10, 60), one.value().definition());
        assertEquals(LimitStatus.ACTIVE, one.value().status());
        assertEquals(Usage.of(10, 0, 0), one.value().usage());
        assertWithinRequestTimeout(all, "GET /v1/admin/limits");
        assertWithinRequestTimeout(one, "GET /v1/admin/limits/{key}");
    }

    /** LimiterService saves before it installs; the decrease loop retries the install once the cluster answers. */
    @Test
    void anAdminChangeAnswers500ButIsDurable() throws IOException {
        HttpResponse<String> put = server.api.put(
                "/v1/admin/limits",
                "{\"key\":\"" + OTHER_KEY + "\",\"kind\":\"rolling\",\"capacity\":1000,\"window_seconds\":60}");

        assertEquals(500, put.statusCode(), put.body());
        assertEquals("backend_error", server.api.error(put).error());
        List<String> saved =
                new FileRegistry(registry).load().stream().map(LimitState::key).toList();
        assertEquals(List.of(KEY, OTHER_KEY), saved);
        assertEquals(
                LimitDefinition.rolling(OTHER_KEY, 1000, 60),
                server.api.limit(OTHER_KEY).definition());
        ReserveResponse reserve = server.api.reserve("after-put", OTHER_KEY, 1);
        assertEquals("backend_error", reserve.error(), "a saved key not yet in the cluster is not unknown");
    }

    @Test
    void healthzAnswers503() {
        Timed<HttpResponse<String>> health = timed(() -> server.api.get("/healthz"));

        assertEquals(503, health.value().statusCode(), health.value().body());
        assertEquals("backend_error", server.api.error(health.value()).error());
        assertWithinRequestTimeout(health, "/healthz");
    }

    /**
     * What the SIGTERM hook runs. The requests of the start-up install and of a reserve are still
     * outstanding in the TigerBeetle client (it resends them for ever); the stop must not wait for them.
     */
    @Test
    void stopsPromptlyWhileRequestsAreStuckInTheClient() {
        assertEquals("backend_error", server.api.reserve("before-stop", KEY, 1).error());

        Timed<Void> stop = timed(() -> {
            GracefulShutdown.stop(server.context, server.server, 15_000);
            return null;
        });

        assertTrue(stop.elapsedMs() < STOP_BOUND_MS, "the stop took " + stop.elapsedMs() + " ms");
        assertFalse(server.context.isRunning());
    }

    private static void assertWithinRequestTimeout(Timed<?> call, String what) {
        assertTrue(
                call.elapsedMs() <= REQUEST_TIMEOUT_MS + SLACK_MS,
                what + " answered after " + call.elapsedMs() + " ms; the request timeout is " + REQUEST_TIMEOUT_MS
                        + " ms");
    }

    private static <T> Timed<T> timed(Supplier<T> call) {
        long startNanos = System.nanoTime();
        T value = call.get();
        return new Timed<>(value, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    private record Timed<T>(T value, long elapsedMs) {}
}
