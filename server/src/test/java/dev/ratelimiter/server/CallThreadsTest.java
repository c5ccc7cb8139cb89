package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which thread runs a call: the event loop for small bodies on a backend that never blocks, the
 * admission and probe pools for large bodies, for a backend that may block, and for every call
 * when running on the event loop is switched off. The backend records the name of each thread that
 * calls it; every pool thread's name starts with {@code ratelimiter-<pool>-}.
 */
class CallThreadsTest {
    private static final String KEY = "global:llm:threads:model:rpm";
    private static final String RESERVE =
            "{\"lease_id\":\"%s\",\"requirements\":[{\"key\":\"" + KEY + "\",\"amount\":1}]}";
    /** Small enough for the tests to send bodies on both sides of it cheaply. */
    private static final int INLINE_BODY_BYTES_MAX = 1024;

    @TempDir
    Path directory;

    @Test
    void runsSmallCallsOnTheEventLoopWhenTheBackendNeverBlocks() {
        try (TestServer server = start(true, INLINE_BODY_BYTES_MAX)) {
            GatedBackend backend = backendWithLimit(server);

            ReserveResponse reserved = server.api
                    .codec()
                    .readReserveResponse(Api.ok(server.api.post("/v1/reserve", String.format(RESERVE, "small"))));
            HttpResponse<String> health = server.api.get("/healthz");

            assertTrue(reserved.allowed());
            assertEquals(200, health.statusCode());
            List<String> threads = backend.takeCallerThreads();
            assertEquals(2, threads.size(), threads.toString());
            for (String thread : threads) {
                assertFalse(thread.startsWith("ratelimiter-"), "no pool thread: " + thread);
                assertTrue(thread.toLowerCase(Locale.ROOT).contains("eventloop"), "an event loop thread: " + thread);
            }
        }
    }

    @Test
    void runsALargeBatchOnTheAdmissionPoolWhenTheBackendNeverBlocks() {
        try (TestServer server = start(true, INLINE_BODY_BYTES_MAX)) {
            GatedBackend backend = backendWithLimit(server);
            String batch = "{\"requests\":["
                    + IntStream.range(0, 20)
                            .mapToObj(i -> String.format(RESERVE, "large-" + i))
                            .collect(Collectors.joining(","))
                    + "]}";
            assertTrue(batch.length() > INLINE_BODY_BYTES_MAX, "the body is over the limit: " + batch.length());

            List<ReserveResponse> results =
                    server.api.codec().readReserveResults(Api.ok(server.api.post("/v1/reserve/batch", batch)));

            assertEquals(20, results.size());
            assertTrue(results.stream().allMatch(ReserveResponse::allowed), results.toString());
            List<String> threads = backend.takeCallerThreads();
            assertEquals(20, threads.size(), threads.toString());
            assertTrue(
                    threads.stream().allMatch(thread -> thread.startsWith("ratelimiter-admission-")),
                    threads.toString());
        }
    }

    @Test
    void runsEveryCallOnThePoolsWhenTheBackendMayBlock() {
        try (TestServer server = start(false, INLINE_BODY_BYTES_MAX)) {
            assertRunsOnThePools(server);
        }
    }

    @Test
    void runsEveryCallOnThePoolsWhenRunningOnTheEventLoopIsSwitchedOff() {
        try (TestServer server = start(true, 0)) {
            assertRunsOnThePools(server);
        }
    }

    private void assertRunsOnThePools(TestServer server) {
        GatedBackend backend = backendWithLimit(server);

        ReserveResponse reserved = server.api
                .codec()
                .readReserveResponse(Api.ok(server.api.post("/v1/reserve", String.format(RESERVE, "pooled"))));
        List<String> reserveThreads = backend.takeCallerThreads();
        HttpResponse<String> health = server.api.get("/healthz");
        List<String> healthThreads = backend.takeCallerThreads();

        assertTrue(reserved.allowed());
        assertEquals(200, health.statusCode());
        assertEquals(1, reserveThreads.size(), reserveThreads.toString());
        assertTrue(reserveThreads.get(0).startsWith("ratelimiter-admission-"), reserveThreads.toString());
        assertEquals(1, healthThreads.size(), healthThreads.toString());
        assertTrue(healthThreads.get(0).startsWith("ratelimiter-probe-"), healthThreads.toString());
    }

    private TestServer start(boolean neverBlocks, int inlineBodyBytesMax) {
        return TestServer.start(
                directory.resolve("registry.json"),
                Map.of(
                        "test.gated-backend",
                        "true",
                        "test.gated-backend-never-blocks",
                        neverBlocks,
                        "ratelimiter.inline-body-bytes-max",
                        inlineBodyBytesMax));
    }

    private static GatedBackend backendWithLimit(TestServer server) {
        GatedBackend backend = ((GatedBackendFactory) server.context.getBean(BackendFactory.class)).backend();
        server.api.putLimit(LimitDefinition.rolling(KEY, 1_000, 3600));
        backend.takeCallerThreads();
        return backend;
    }
}
