package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.ReserveResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry file is the durable truth: limits and pending decreases survive a restart; the seed only adds keys. */
class RestartTest {
    private static final String KEY = "global:llm:restart:model:tpm";

    @TempDir
    Path directory;

    @Test
    void keepsLimitsAcrossARestart() {
        Path registry = directory.resolve("nested/registry.json");
        LimitDefinition definition =
                new LimitDefinition(KEY, LimitKind.ROLLING, 1234, 60, 0, "tokens", "kept", Overage.DENY);
        try (TestServer first = TestServer.start(registry, Map.of())) {
            first.api.putLimit(definition);
        }

        try (TestServer second = TestServer.start(registry, Map.of())) {
            LimitInfo info = second.api.limit(KEY);

            assertEquals(definition, info.definition());
            assertEquals(LimitStatus.ACTIVE, info.status());
            assertTrue(second.api.reserve("after-restart", KEY, 1).allowed());
        }
    }

    /**
     * A decrease that could not be applied before the stop is still pending after the start (a long
     * check interval keeps it visible), and the loop of a later start applies it. The journal is off
     * here, so the restart forgets the hold and nothing blocks the decrease once the loop runs (with
     * the journal the hold would block it for its hour, as it should).
     */
    @Test
    void resumesADecreaseAfterARestart() {
        Path registry = directory.resolve("registry.json");
        Map<String, Object> noJournal = Map.of("ratelimiter.memory.journal-path", "");
        try (TestServer first = TestServer.start(registry, noJournal)) {
            first.api.putLimit(LimitDefinition.rolling(KEY, 10, 3600));
            assertTrue(first.api.reserve("hold-all", KEY, 10).allowed());
            assertEquals(
                    LimitStatus.DECREASING,
                    first.api.putLimit(LimitDefinition.rolling(KEY, 4, 3600)).status());
        }

        try (TestServer paused = TestServer.start(
                registry,
                Map.of("ratelimiter.decrease-check-interval-ms", 60_000, "ratelimiter.memory.journal-path", ""))) {
            LimitInfo info = paused.api.limit(KEY);
            ReserveResponse reserve = paused.api.reserve("while-decreasing", KEY, 1);

            assertEquals(LimitStatus.DECREASING, info.status());
            assertEquals(4, info.pendingDecreaseTo());
            assertEquals(10, info.definition().capacity());
            assertFalse(reserve.allowed());
            assertEquals("limit_decreasing:" + KEY, reserve.error());
        }

        try (TestServer resumed = TestServer.start(
                registry,
                Map.of("ratelimiter.decrease-check-interval-ms", 20, "ratelimiter.memory.journal-path", ""))) {
            Api.awaitTrue(
                    "the resumed decrease is applied",
                    Duration.ofSeconds(10),
                    () -> resumed.api.limit(KEY).status() == LimitStatus.ACTIVE);

            assertEquals(4, resumed.api.limit(KEY).definition().capacity());
        }
        try (TestServer later = TestServer.start(registry, noJournal)) {
            assertEquals(4, later.api.limit(KEY).definition().capacity());
            assertEquals(LimitStatus.ACTIVE, later.api.limit(KEY).status());
        }
    }

    @Test
    void seedsOnlyKeysTheRegistryDoesNotHave() throws IOException {
        Path registry = directory.resolve("registry.json");
        Path seed = directory.resolve("limits.json");
        Files.writeString(
                seed,
                "{\"limits\":["
                        + "{\"key\":\"" + KEY + "\",\"kind\":\"rolling\",\"capacity\":100,\"window_seconds\":60},"
                        + "{\"key\":\"global:llm:restart:model:concurrency\",\"kind\":\"concurrency\",\"capacity\":3,\"timeout_seconds\":30}"
                        + "]}");
        try (TestServer first = TestServer.start(registry, Map.of("ratelimiter.seed-limits-path", seed.toString()))) {
            assertEquals(100, first.api.limit(KEY).definition().capacity());
            first.api.putLimit(LimitDefinition.rolling(KEY, 250, 60));
        }

        try (TestServer second = TestServer.start(registry, Map.of("ratelimiter.seed-limits-path", seed.toString()))) {
            assertEquals(250, second.api.limit(KEY).definition().capacity());
            assertEquals(
                    3,
                    second.api
                            .limit("global:llm:restart:model:concurrency")
                            .definition()
                            .capacity());
        }
    }
}
