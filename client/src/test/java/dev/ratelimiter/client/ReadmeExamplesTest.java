package dev.ratelimiter.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.batch.Batcher;
import dev.ratelimiter.client.llm.ChatMessage;
import dev.ratelimiter.client.llm.TokenCounters;
import dev.ratelimiter.client.local.LocalLimiter;
import dev.ratelimiter.client.scheduler.Job;
import dev.ratelimiter.client.scheduler.Scheduler;
import dev.ratelimiter.client.scheduler.SchedulerConfig;
import dev.ratelimiter.client.scheduler.WorkResult;
import dev.ratelimiter.core.ids.UlidGenerator;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage examples of the README, kept compiling and running here (against the local limiter,
 * which answers like the server). If one of these changes, change the README with it.
 */
class ReadmeExamplesTest {
    private static final List<LimitDefinition> LIMITS = List.of(
            LimitDefinition.rolling("global:llm:openai:gpt-4o:rpm", 500, 60),
            LimitDefinition.rolling("global:llm:openai:gpt-4o:tpm", 200_000, 60),
            LimitDefinition.concurrency("global:llm:openai:gpt-4o:concurrency", 20, 120),
            LimitDefinition.rolling("tenant:acme:llm:daily_tokens", 1_000_000, 86_400));

    @TempDir
    Path dir;

    /** What an LLM provider reports after a call. */
    record Usage(long inputTokens, long outputTokens) {}

    static Usage callTheModel(String prompt) {
        return new Usage(prompt.length() / 4, 42);
    }

    /** README: single reserve and complete. */
    static void singleReserveAndComplete(Limiter limiter, String prompt) {
        LlmRequirements call =
                LlmRequirements.of("openai", "gpt-4o", prompt, 512).withTenant("acme");
        String leaseId = UlidGenerator.system().nextString();
        long deadline = limiter.clock().nowMillis() + 5_000;
        try {
            ReserveResponse reserved = limiter.reserve(call.reserveRequest(leaseId), deadline);
            if (reserved.allowed()) {
                Usage usage = callTheModel(prompt);
                limiter.complete(call.completeRequest(leaseId, usage.inputTokens(), usage.outputTokens()));
            } else if (reserved.error().isEmpty()) {
                System.out.println("denied: wait " + reserved.retryAfterMs() + " ms, then retry with a NEW lease id");
            } else {
                System.out.println("refused for good: " + reserved.error());
            }
        } catch (OutcomeUnknownException e) {
            // The reserve may have landed. Either retry with the SAME lease id, or give the lease up:
            limiter.completeAsync(new CompleteRequest(leaseId, "", List.of()));
        }
    }

    @Test
    void singleReserveAndCompleteRuns() throws Exception {
        try (LocalLimiter limiter = LocalLimiter.builder().limits(LIMITS).build()) {
            singleReserveAndComplete(limiter, "Summarise this text.");
            assertEquals(
                    1,
                    limiter.limit("global:llm:openai:gpt-4o:rpm")
                            .orElseThrow()
                            .usage()
                            .reserved());
            assertEquals(
                    0,
                    limiter.limit("global:llm:openai:gpt-4o:concurrency")
                            .orElseThrow()
                            .usage()
                            .reserved());
        }
    }

    @Test
    void schedulerWithBatcherRuns() throws Exception {
        // README: the batcher and the scheduler (over HTTP it would be
        // new Batcher(new HttpLimiter(HttpLimiterConfig.of("http://localhost:8080")))).
        try (Batcher limiter = new Batcher(LocalLimiter.builder().limits(LIMITS).build());
                Scheduler scheduler = Scheduler.builder(limiter)
                        .config(SchedulerConfig.DEFAULT.withMaxConcurrentJobs(16))
                        .build()) {
            String prompt = "Translate to French: good morning";
            LlmRequirements call =
                    LlmRequirements.of("openai", "gpt-4o", prompt, 256).withTenant("acme");
            CompletableFuture<String> answer = scheduler.submit(Job.forLlm(call, lease -> {
                        Usage usage = callTheModel(prompt);
                        return WorkResult.of("bonjour", call.actuals(usage.inputTokens(), usage.outputTokens()));
                    })
                    .jobId("translate-1")
                    .maxAttempts(20)
                    .deadlineMillis(limiter.clock().nowMillis() + 60_000)
                    .build());

            assertEquals("bonjour", answer.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void tokenCountedReservationRuns() throws Exception {
        try (LocalLimiter limiter = LocalLimiter.builder().limits(LIMITS).build()) {
            String prompt = "good morning";
            // README: the LLM helper with a token counter.
            TokenCounters counters = TokenCounters.defaults(); // build once, share: thread-safe
            LlmRequirements call = counters.requirements(
                            "openai",
                            "gpt-4o",
                            List.of(ChatMessage.system("Translate into French."), ChatMessage.user(prompt)),
                            256)
                    .withTenant("acme");
            String leaseId = UlidGenerator.system().nextString();
            assertTrue(limiter.reserve(call.reserveRequest(leaseId)).allowed());
            // 3 + 1 + 4 for the system message, 3 + 1 + 2 for the user's, 3 to prime the reply, 256 to answer.
            assertEquals(
                    17 + 256,
                    limiter.limit("global:llm:openai:gpt-4o:tpm")
                            .orElseThrow()
                            .usage()
                            .reserved());
            limiter.complete(call.completeRequest(leaseId, 17, 3));
            assertEquals(
                    20,
                    limiter.limit("global:llm:openai:gpt-4o:tpm")
                            .orElseThrow()
                            .usage()
                            .reserved());
        }
    }

    @Test
    void localModeFromLimitsFileRuns() throws Exception {
        Path limitsFile = dir.resolve("limits.json");
        Files.writeString(limitsFile, """
                {"limits": [
                  {"key": "global:llm:openai:gpt-4o:rpm", "kind": "rolling", "capacity": 500, "window_seconds": 60},
                  {"key": "global:llm:openai:gpt-4o:tpm", "kind": "rolling", "capacity": 200000, "window_seconds": 60},
                  {"key": "global:llm:openai:gpt-4o:concurrency", "kind": "concurrency", "capacity": 20,
                   "timeout_seconds": 120}
                ]}
                """);
        // README: local mode.
        try (LocalLimiter limiter = LocalLimiter.fromLimitsFile(limitsFile)) {
            LlmRequirements call = LlmRequirements.of("openai", "gpt-4o", "hello", 64);
            String leaseId = UlidGenerator.system().nextString();
            assertTrue(limiter.reserve(call.reserveRequest(leaseId)).allowed());
            limiter.complete(call.completeRequest(leaseId, 2, 10));
            limiter.putLimit(LimitDefinition.rolling("global:llm:openai:gpt-4o:rpm", 100, 60));
        }
    }
}
