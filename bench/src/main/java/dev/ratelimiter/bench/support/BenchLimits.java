package dev.ratelimiter.bench.support;

import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.Clock;
import java.io.IOException;
import java.util.List;

/**
 * The limits the benchmarks reserve against, and the requests that name them.
 *
 * <p>The four-key set is what one LLM call needs (SPEC 7): requests per minute, tokens per minute,
 * concurrent calls of one provider and model, and the tenant's daily tokens. Capacities are so large
 * that no benchmark is ever denied: the benchmarks measure the admission path, and a denial would
 * turn them into measurements of the (cheaper) denial path. Windows and timeouts are one second of
 * {@link AcceleratedClock} time, so holds expire while the benchmark runs.
 *
 * <p>Immutable constants; thread-safe.
 */
public final class BenchLimits {
    /** Virtual milliseconds per real millisecond of the backends' clock (see {@link AcceleratedClock}). */
    public static final long CLOCK_SPEEDUP = 100;

    public static final String RPM_KEY = "global:llm:bench:model:rpm";
    public static final String TPM_KEY = "global:llm:bench:model:tpm";
    public static final String CONCURRENCY_KEY = "global:llm:bench:model:concurrency";
    public static final String DAILY_TOKENS_KEY = "tenant:bench:llm:daily_tokens";

    /** The upper bound of one call's tokens (prompt bytes plus max output tokens). */
    public static final long RESERVED_TOKENS = 1_500;
    /** The tokens the call really used, reported on complete. */
    public static final long ACTUAL_TOKENS = 900;

    private static final long HUGE_CAPACITY = 1_000_000_000_000_000L;

    public static final List<LimitDefinition> FOUR_KEY_DEFINITIONS = List.of(
            LimitDefinition.rolling(RPM_KEY, HUGE_CAPACITY, 1),
            LimitDefinition.rolling(TPM_KEY, HUGE_CAPACITY, 1),
            LimitDefinition.concurrency(CONCURRENCY_KEY, HUGE_CAPACITY, 1),
            LimitDefinition.rolling(DAILY_TOKENS_KEY, HUGE_CAPACITY, 1));

    /** One requirement of one rolling key. */
    public static final List<Requirement> ONE_KEY = List.of(new Requirement(RPM_KEY, 1));

    /** One requirement of the concurrency key. */
    public static final List<Requirement> CONCURRENCY_ONLY = List.of(new Requirement(CONCURRENCY_KEY, 1));

    /** The four requirements of one LLM call. */
    public static final List<Requirement> FOUR_KEYS = List.of(
            new Requirement(RPM_KEY, 1),
            new Requirement(TPM_KEY, RESERVED_TOKENS),
            new Requirement(CONCURRENCY_KEY, 1),
            new Requirement(DAILY_TOKENS_KEY, RESERVED_TOKENS));

    /** The actuals of that call: fewer tokens than reserved on both token keys (reconciliation). */
    public static final List<Actual> FOUR_KEY_ACTUALS = List.of(
            new Actual(RPM_KEY, 1), new Actual(TPM_KEY, ACTUAL_TOKENS), new Actual(DAILY_TOKENS_KEY, ACTUAL_TOKENS));

    /** How many provider key groups {@link #providerKeys} can name. */
    public static final int MAX_PROVIDERS = 16;

    private BenchLimits() {}

    /**
     * The four requirements of one LLM call to provider {@code provider} (0 to {@link
     * #MAX_PROVIDERS} - 1): its own rpm, tpm and concurrency keys, and the daily tokens of the one
     * tenant every provider shares.
     */
    public static List<Requirement> providerKeys(int provider) {
        String prefix = "global:llm:bench-p" + provider + ":model:";
        return List.of(
                new Requirement(prefix + "rpm", 1),
                new Requirement(prefix + "tpm", RESERVED_TOKENS),
                new Requirement(prefix + "concurrency", 1),
                new Requirement(DAILY_TOKENS_KEY, RESERVED_TOKENS));
    }

    /**
     * The four requirements of one LLM call to provider {@code provider} for a tenant of its own:
     * keys no other provider's calls touch.
     */
    public static List<Requirement> independentKeys(int provider) {
        List<Requirement> shared = providerKeys(provider);
        return List.of(
                shared.get(0),
                shared.get(1),
                shared.get(2),
                new Requirement("tenant:bench-t" + provider + ":llm:daily_tokens", RESERVED_TOKENS));
    }

    /** Installs the keys of every provider of {@link #providerKeys} and {@link #independentKeys} in {@code backend}. */
    public static void installProviders(MemoryBackend backend) {
        for (int provider = 0; provider < MAX_PROVIDERS; provider++) {
            backend.install(LimitState.created(
                    LimitDefinition.rolling("tenant:bench-t" + provider + ":llm:daily_tokens", HUGE_CAPACITY, 1)));
            String prefix = "global:llm:bench-p" + provider + ":model:";
            backend.install(LimitState.created(LimitDefinition.rolling(prefix + "rpm", HUGE_CAPACITY, 1)));
            backend.install(LimitState.created(LimitDefinition.rolling(prefix + "tpm", HUGE_CAPACITY, 1)));
            backend.install(LimitState.created(LimitDefinition.concurrency(prefix + "concurrency", HUGE_CAPACITY, 1)));
        }
    }

    /** Every definition as a fresh registry state. */
    public static List<LimitState> fourKeyStates() {
        return FOUR_KEY_DEFINITIONS.stream().map(LimitState::created).toList();
    }

    /** A memory backend on an accelerated clock with the four keys installed. */
    public static MemoryBackend memoryBackend() {
        Clock clock = new AcceleratedClock(CLOCK_SPEEDUP);
        return installed(new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock)));
    }

    /** As {@link #memoryBackend()}, keeping its books in a journal. */
    public static MemoryBackend memoryBackend(JournalSettings journal) throws IOException {
        Clock clock = new AcceleratedClock(CLOCK_SPEEDUP);
        return installed(MemoryBackend.withJournal(
                clock,
                new RetryHints(RetryPolicy.DEFAULT, clock),
                MemoryBackend.DEFAULT_MAX_TOMBSTONES,
                journal,
                JournalIo.files()));
    }

    private static MemoryBackend installed(MemoryBackend backend) {
        for (LimitState state : fourKeyStates()) {
            backend.install(state);
        }
        return backend;
    }
}
