package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle;
import dev.ratelimiter.testkit.tigerbeetle.TigerBeetleServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ratelimiterd in process on a real single-replica TigerBeetle, over HTTP: /healthz comes back to
 * 200 by itself once TigerBeetle answers, and a limit created through the admin API admits and
 * denies at once. The replica comes from the tigerbeetle module's fixture; without a way to start
 * one the class is skipped with one line naming {@code TB_BIN}.
 */
@Timeout(180)
@RequiresTigerBeetle
class ServerOnTigerBeetleTest {
    /** TigerBeetle's client reconnects with a back-off; this covers it and a slow container. */
    private static final Duration RECOVERY_DEADLINE = Duration.ofSeconds(60);

    private static TigerBeetleServer tigerBeetle;

    @TempDir
    Path directory;

    @BeforeAll
    static void startTigerBeetle() {
        tigerBeetle = TigerBeetleServer.startOrSkip();
    }

    @AfterAll
    static void stopTigerBeetle() {
        if (tigerBeetle != null) {
            tigerBeetle.close();
        }
    }

    /**
     * The gate drops every connection until it opens, so the server starts with no cluster at all:
     * a seeded key is known but not applied, which is a backend failure (retryable), never
     * {@code unknown_limit_key} (SPEC 5.2). Once the cluster answers, the key admits by itself.
     */
    @Test
    void healthReturnsTo200AndSeededKeysAdmitOnceTigerBeetleAnswers() throws IOException {
        String key = "global:llm:gate:rpm";
        Path seed = directory.resolve("seed.json");
        Files.writeString(
                seed,
                "{\"limits\":[{\"key\":\"" + key + "\",\"kind\":\"rolling\",\"capacity\":5,"
                        + "\"window_seconds\":60,\"timeout_seconds\":0}]}");
        try (TcpGate gate = TcpGate.shutInFrontOf(tigerBeetle.address());
                TestServer server =
                        start(gate.address(), 500, Map.of("ratelimiter.seed-limits-path", seed.toString()))) {
            Api.awaitTrue(
                    "/healthz answers 503 while TigerBeetle is out of reach",
                    Duration.ofSeconds(10),
                    () -> server.api.get("/healthz").statusCode() == 503);
            assertEquals(
                    "backend_error", server.api.reserve("while-away", key, 1).error());

            gate.open();

            Api.awaitTrue(
                    "/healthz answers 200 again; TigerBeetle output:\n" + tigerBeetle.outputTail(),
                    RECOVERY_DEADLINE,
                    () -> server.api.get("/healthz").statusCode() == 200);
            assertEquals("ok", server.api.get("/healthz").body());
            Api.awaitTrue(
                    "the seeded key admits once applied",
                    RECOVERY_DEADLINE,
                    () -> server.api.reserve("after-return", key, 1).allowed());
        }
    }

    @Test
    void aLimitCreatedThroughTheAdminApiIsUsableAtOnce() {
        String key = "global:llm:tigerbeetle:model:rpm";
        try (TestServer server = start(tigerBeetle.address(), 5_000)) {
            Api.awaitTrue(
                    "/healthz answers 200",
                    RECOVERY_DEADLINE,
                    () -> server.api.get("/healthz").statusCode() == 200);

            PutLimitResponse put = server.api.putLimit(LimitDefinition.rolling(key, 3, 60));
            ReserveResponse first = server.api.reserve("first", key, 2);
            ReserveResponse second = server.api.reserve("second", key, 1);
            ReserveResponse third = server.api.reserve("third", key, 1);

            assertEquals(new PutLimitResponse(true, LimitStatus.ACTIVE), put);
            assertTrue(first.allowed(), () -> first + "; TigerBeetle output:\n" + tigerBeetle.outputTail());
            assertTrue(second.allowed(), second::toString);
            assertFalse(third.allowed(), third::toString);
            assertEquals("", third.error());
            assertTrue(third.retryAfterMs() > 0, third::toString);
            assertEquals(Usage.of(3, 3, 0), server.api.limit(key).usage());
        }
    }

    private TestServer start(String address, long requestTimeoutMs) {
        return start(address, requestTimeoutMs, Map.of());
    }

    private TestServer start(String address, long requestTimeoutMs, Map<String, Object> more) {
        Map<String, Object> properties = new HashMap<>(more);
        properties.put("ratelimiter.backend", "tigerbeetle");
        properties.put("ratelimiter.tigerbeetle.addresses", List.of(address));
        properties.put("ratelimiter.tigerbeetle.request-timeout-ms", requestTimeoutMs);
        return TestServer.start(directory.resolve("registry.json"), properties);
    }
}
