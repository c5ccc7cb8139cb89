package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.settings.Bounds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one load run needs, checked once: a bad value is an {@link IllegalArgumentException}
 * naming the option and the rule.
 *
 * <p>Every lease is one LLM call of {@link #promptBytes} prompt bytes and {@link #maxOutputTokens}
 * output tokens for provider {@code loadtest-p<i>} (model {@code model}) and tenant {@code
 * loadtest-t<j>}: four keys per lease, as the benchmarks reserve (see {@link CallMix}). Its complete
 * reports {@link #actualTokens} tokens (reconciliation).
 *
 * @param warmup time spent before measuring starts (the JIT and the connection pool warm up)
 * @param duration the measured time
 * @param concurrency worker threads, each with at most one call in flight
 * @param providers provider:model key groups the workers rotate over
 * @param tenants tenants (daily token keys) the workers rotate over
 * @param batchSize leases per call: 1 sends single reserves and completes, more sends batches
 * @param coalesce send single calls through the client's batcher, which packs concurrent calls
 * @param workMs time each worker waits between an admission and its complete (the "LLM call")
 * @param honorRetryAfter whether a worker waits a denial's {@code retry_after_ms} before its next call
 * @param seed whether to install the limits below before the run
 * @param rpm capacity of each {@code ...:rpm} key
 * @param tpm capacity of each {@code ...:tpm} key
 * @param concurrencyCapacity capacity of each {@code ...:concurrency} key
 * @param dailyTokens capacity of each {@code tenant:...:daily_tokens} key
 * @param windowSeconds window of every rolling key (short by default, so that live holds stay few)
 * @param concurrencyTimeoutSeconds timeout of every concurrency hold nobody completes
 */
public record LoadConfig(
        Duration warmup,
        Duration duration,
        int concurrency,
        int providers,
        int tenants,
        int batchSize,
        boolean coalesce,
        long workMs,
        boolean honorRetryAfter,
        boolean seed,
        long rpm,
        long tpm,
        long concurrencyCapacity,
        long dailyTokens,
        long windowSeconds,
        long concurrencyTimeoutSeconds,
        int promptBytes,
        long maxOutputTokens,
        long actualTokens) {

    public static final Duration MAX_DURATION = Duration.ofHours(1);
    public static final int MAX_CONCURRENCY = 4096;
    public static final int MAX_KEY_GROUPS = 10_000;
    /** The server's default batch bound (SPEC 3). */
    public static final int MAX_BATCH_SIZE = 256;

    public LoadConfig {
        requireDuration("--warmup", warmup, Duration.ZERO);
        requireDuration("--duration", duration, Duration.ofMillis(100));
        Bounds.require("--concurrency", concurrency, 1, MAX_CONCURRENCY);
        Bounds.require("--providers", providers, 1, MAX_KEY_GROUPS);
        Bounds.require("--tenants", tenants, 1, MAX_KEY_GROUPS);
        Bounds.require("--batch-size", batchSize, 1, MAX_BATCH_SIZE);
        if (coalesce && batchSize != 1) {
            throw new IllegalArgumentException(
                    "--coalesce: the batcher packs single calls; use it with --batch-size 1, got " + batchSize);
        }
        Bounds.require("--work-ms", workMs, 0, 60_000);
        Bounds.require("--rpm", rpm, 1, Long.MAX_VALUE);
        Bounds.require("--tpm", tpm, 1, Long.MAX_VALUE);
        Bounds.require("--concurrency-limit", concurrencyCapacity, 1, Long.MAX_VALUE);
        Bounds.require("--daily-tokens", dailyTokens, 1, Long.MAX_VALUE);
        Bounds.require("--window-seconds", windowSeconds, 1, 86_400);
        Bounds.require("--concurrency-timeout-seconds", concurrencyTimeoutSeconds, 1, 86_400);
        Bounds.require("--prompt-bytes", promptBytes, 0, 1_000_000);
        Bounds.require("--max-output-tokens", maxOutputTokens, 1, 1_000_000);
        Bounds.require("--actual-tokens", actualTokens, 0, promptBytes + maxOutputTokens);
        if ((long) providers * tenants > MAX_KEY_GROUPS * 10L) {
            throw new IllegalArgumentException("--providers x --tenants: must be at most " + MAX_KEY_GROUPS * 10
                    + " combinations, got " + (long) providers * tenants);
        }
    }

    /** The requirements of a lease for provider {@code provider} and tenant {@code tenant} (0-based). */
    public LlmRequirements call(int provider, int tenant, String prompt) {
        return LlmRequirements.of("loadtest-p" + provider, "model", prompt, maxOutputTokens)
                .withTenant("loadtest-t" + tenant);
    }

    /** The limits to seed: four per provider and one per tenant. */
    public List<LimitDefinition> limitDefinitions() {
        List<LimitDefinition> definitions = new ArrayList<>();
        for (int i = 0; i < providers; i++) {
            LlmRequirements call = call(i, 0, "");
            definitions.add(LimitDefinition.rolling(call.rpmKey(), rpm, windowSeconds));
            definitions.add(LimitDefinition.rolling(call.tpmKey(), tpm, windowSeconds));
            definitions.add(
                    LimitDefinition.concurrency(call.concurrencyKey(), concurrencyCapacity, concurrencyTimeoutSeconds));
        }
        for (int j = 0; j < tenants; j++) {
            call(0, j, "")
                    .dailyTokensKey()
                    .ifPresent(key -> definitions.add(LimitDefinition.rolling(key, dailyTokens, windowSeconds)));
        }
        return definitions;
    }

    private static void requireDuration(String option, Duration value, Duration min) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(option + ": must be from " + min.toMillis() + " ms to "
                    + MAX_DURATION.toMinutes() + " minutes, got " + value);
        }
    }
}
