package dev.ratelimiter.client.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.testing.Poll;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.core.registry.InvalidRegistryException;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalLimiterTest {
    private static final String LIMITS = """
            {"limits": [
              {"key": "global:llm:p:m:rpm", "kind": "rolling", "capacity": 2, "window_seconds": 60},
              {"key": "global:llm:p:m:concurrency", "kind": "concurrency", "capacity": 2, "timeout_seconds": 30}
            ]}
            """;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);

    private Path limitsFile() throws IOException {
        Path file = dir.resolve("limits.json");
        Files.writeString(file, LIMITS, StandardCharsets.UTF_8);
        return file;
    }

    private LocalLimiter.Builder manual() throws IOException {
        return LocalLimiter.builder().limitsFile(limitsFile()).clock(clock).decreaseCheckIntervalMs(0);
    }

    private static ReserveRequest reserve(String leaseId, String key, long amount) {
        return new ReserveRequest(leaseId, "", List.of(new Requirement(key, amount)));
    }

    @Test
    void enforcesTheLimitsOfItsFile() throws Exception {
        try (LocalLimiter limiter = manual().build()) {
            assertTrue(limiter.reserve(reserve("a", "global:llm:p:m:rpm", 1)).allowed());
            assertTrue(limiter.reserve(reserve("b", "global:llm:p:m:rpm", 1)).allowed());
            ReserveResponse third = limiter.reserve(reserve("c", "global:llm:p:m:rpm", 1));
            assertFalse(third.allowed());
            assertEquals("", third.error());
            assertTrue(third.retryAfterMs() > 0);

            clock.advanceSeconds(60);
            assertTrue(limiter.reserve(reserve("d", "global:llm:p:m:rpm", 1)).allowed(), "the window has passed");
        }
    }

    @Test
    void withAJournalHoldsSurviveARestartOfTheProcess() throws Exception {
        Path journal = dir.resolve("journal");
        try (LocalLimiter limiter = manual().journal(journal).build()) {
            assertTrue(limiter.reserve(reserve("a", "global:llm:p:m:rpm", 2)).allowed());
        }
        try (LocalLimiter limiter = manual().journal(journal).build()) {
            assertFalse(limiter.reserve(reserve("b", "global:llm:p:m:rpm", 1)).allowed(), "a's hold is back");
            clock.advanceSeconds(60);
            assertTrue(limiter.reserve(reserve("c", "global:llm:p:m:rpm", 1)).allowed(), "and expires as before");
        }
    }

    @Test
    void answersErrorsAsValuesLikeTheServer() throws Exception {
        try (LocalLimiter limiter = manual().build()) {
            assertEquals(
                    "unknown_limit_key:nope",
                    limiter.reserve(reserve("a", "nope", 1)).error());
            assertEquals(
                    "exceeds_capacity:global:llm:p:m:rpm",
                    limiter.reserve(reserve("b", "global:llm:p:m:rpm", 3)).error());
            assertEquals(
                    "invalid_request",
                    limiter.reserve(reserve("bad:lease", "global:llm:p:m:rpm", 1))
                            .error());
            assertEquals(
                    "invalid_request",
                    limiter.complete(new CompleteRequest("", "", List.of())).error());
        }
    }

    @Test
    void reconcilesOnComplete() throws Exception {
        try (LocalLimiter limiter = manual().build()) {
            limiter.reserve(reserve("a", "global:llm:p:m:rpm", 2));
            CompleteResponse done =
                    limiter.complete(new CompleteRequest("a", "", List.of(new Actual("global:llm:p:m:rpm", 0))));
            assertTrue(done.ok());
            assertEquals(
                    0, limiter.limit("global:llm:p:m:rpm").orElseThrow().usage().reserved());
        }
    }

    @Test
    void answersBatchesInOrder() throws Exception {
        try (LocalLimiter limiter = manual().build()) {
            List<ReserveResponse> results = limiter.reserveBatch(List.of(
                    reserve("a", "global:llm:p:m:rpm", 1),
                    reserve("b", "nope", 1),
                    reserve("c", "global:llm:p:m:rpm", 1)));
            assertTrue(results.get(0).allowed());
            assertEquals("unknown_limit_key:nope", results.get(1).error());
            assertTrue(results.get(2).allowed());
            List<CompleteResponse> completes = limiter.completeBatch(
                    List.of(new CompleteRequest("a", "", List.of()), new CompleteRequest("c", "", List.of())));
            assertTrue(completes.stream().allMatch(CompleteResponse::ok));
        }
    }

    @Test
    void appliesDecreaseOnceHoldsAreReleased() throws Exception {
        String key = "global:llm:p:m:concurrency";
        try (LocalLimiter limiter = manual().build()) {
            limiter.reserve(reserve("a", key, 1));
            limiter.reserve(reserve("b", key, 1));
            assertEquals(
                    LimitStatus.DECREASING,
                    limiter.putLimit(LimitDefinition.concurrency(key, 1, 30)).status());
            assertEquals(
                    "limit_decreasing:" + key,
                    limiter.reserve(reserve("c", key, 1)).error());

            assertEquals(0, limiter.applyDecreases(), "nothing is free yet");
            limiter.complete(new CompleteRequest("a", "", List.of()));
            assertEquals(1, limiter.applyDecreases());

            assertEquals(LimitStatus.ACTIVE, limiter.limit(key).orElseThrow().status());
            assertEquals(1, limiter.limit(key).orElseThrow().definition().capacity());
        }
    }

    @Test
    void runsTheDecreaseLoopByItself() throws Exception {
        String key = "global:llm:p:m:concurrency";
        try (LocalLimiter limiter = LocalLimiter.builder()
                .limitsFile(limitsFile())
                .decreaseCheckIntervalMs(5)
                .build()) {
            limiter.reserve(reserve("a", key, 2));
            limiter.putLimit(LimitDefinition.concurrency(key, 1, 30));
            limiter.complete(new CompleteRequest("a", "", List.of()));

            assertTrue(
                    Poll.until(() -> limiter.limit(key).orElseThrow().status() == LimitStatus.ACTIVE, 10_000),
                    "the loop applies the decrease without being asked");
            assertEquals(1, limiter.limit(key).orElseThrow().definition().capacity());
        }
    }

    @Test
    void keepsRuntimeChangesInADurableRegistry() throws Exception {
        Path registry = dir.resolve("registry.json");
        String key = "global:llm:p:m:rpm";
        try (LocalLimiter limiter =
                manual().registry(new FileRegistry(registry)).build()) {
            limiter.putLimit(LimitDefinition.rolling(key, 50, 60));
        }
        try (LocalLimiter limiter =
                manual().registry(new FileRegistry(registry)).build()) {
            assertEquals(
                    50,
                    limiter.limit(key).orElseThrow().definition().capacity(),
                    "the seed file never overwrites what the registry holds");
        }
    }

    @Test
    void refusesInvalidLimitsFileNamingTheEntry() throws IOException {
        Path file = dir.resolve("bad.json");
        Files.writeString(
                file, "{\"limits\":[{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":0,\"window_seconds\":1}]}");
        InvalidRegistryException e =
                assertThrows(InvalidRegistryException.class, () -> LocalLimiter.fromLimitsFile(file));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    @Test
    void refusesAKeyDefinedTwice() throws IOException {
        LocalLimiter.Builder builder = manual().limits(List.of(LimitDefinition.rolling("global:llm:p:m:rpm", 5, 60)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains("global:llm:p:m:rpm"), e.getMessage());
    }

    @Test
    void refusesCallsAfterCloseAndPastDeadlines() throws Exception {
        LocalLimiter limiter = manual().build();
        ExecutionException late = assertThrows(
                ExecutionException.class,
                () -> limiter.reserveAsync(reserve("a", "global:llm:p:m:rpm", 1), clock.nowMillis())
                        .get());
        assertInstanceOf(DeadlineExceededException.class, late.getCause());
        limiter.close();
        assertThrows(LimiterClosedException.class, () -> limiter.reserve(reserve("b", "global:llm:p:m:rpm", 1)));
    }
}
