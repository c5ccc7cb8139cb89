package dev.ratelimiter.bench.client;

import dev.ratelimiter.bench.baseline.Bucket4jFourBuckets;
import dev.ratelimiter.bench.support.BenchLimits;
import dev.ratelimiter.client.local.LocalLimiter;
import dev.ratelimiter.client.scheduler.Job;
import dev.ratelimiter.client.scheduler.Scheduler;
import dev.ratelimiter.client.scheduler.SchedulerConfig;
import dev.ratelimiter.client.scheduler.WorkResult;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.LimitDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What: jobs per second through the client's {@link Scheduler} on the local limiter. Each
 * invocation submits {@link #JOBS} jobs at once, spread over four provider queues, and waits for
 * all of them; each job reserves the four LLM keys, runs work that does nothing but report its
 * actual tokens, and is completed with reconciliation. The score is jobs per second.
 *
 * <p>Why: the scheduler is how an application runs calls under limits; this is its overhead on top
 * of the limiter (queues, round-robin dispatch, hand-off to workers, futures, lease ids), with work
 * that costs nothing so that only the overhead is measured.
 *
 * <p>Baseline: what a user builds without it: a fixed pool of as many threads as the scheduler's
 * default concurrency, running the same jobs, each guarded by Bucket4j's four buckets
 * ({@code tryConsume} with compensation, then {@code addTokens} for the concurrency slot and the
 * unused tokens). It has no queues per provider, no retries and no lease records.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class SchedulerBenchmark {
    static final int JOBS = 256;
    static final int PROVIDERS = 4;
    static final int PROMPT_BYTES = 1_000;
    static final long HUGE_CAPACITY = 1_000_000_000_000_000L;

    /** The scheduler on a local limiter with the four keys of each provider. */
    @State(Scope.Benchmark)
    public static class Scheduled {
        LocalLimiter limiter;
        Scheduler scheduler;
        List<Job<Void>> jobs;

        @Setup
        public void setUp() throws IOException {
            List<LlmRequirements> calls = new ArrayList<>();
            List<LimitDefinition> definitions = new ArrayList<>();
            for (int p = 0; p < PROVIDERS; p++) {
                LlmRequirements call = LlmRequirements.of(
                                "bench-p" + p,
                                "model",
                                "x".repeat(PROMPT_BYTES),
                                BenchLimits.RESERVED_TOKENS - PROMPT_BYTES)
                        .withTenant("bench");
                calls.add(call);
                definitions.add(LimitDefinition.rolling(call.rpmKey(), HUGE_CAPACITY, 1));
                definitions.add(LimitDefinition.rolling(call.tpmKey(), HUGE_CAPACITY, 1));
                definitions.add(LimitDefinition.concurrency(call.concurrencyKey(), HUGE_CAPACITY, 1));
            }
            definitions.add(
                    LimitDefinition.rolling(calls.get(0).dailyTokensKey().orElseThrow(), HUGE_CAPACITY, 1));
            // The system clock, not an accelerated one: the scheduler measures deadlines on its timer's
            // clock, which must be the limiter's. One-second windows keep the live holds few.
            limiter = LocalLimiter.builder().limits(definitions).build();
            scheduler =
                    Scheduler.builder(limiter).config(SchedulerConfig.DEFAULT).build();
            jobs = new ArrayList<>(JOBS);
            for (int i = 0; i < JOBS; i++) {
                LlmRequirements call = calls.get(i % PROVIDERS);
                List<Actual> actuals = call.actuals(BenchLimits.ACTUAL_TOKENS, 0);
                jobs.add(Job.<Void>forLlm(call, lease -> WorkResult.of(null, actuals))
                        .build());
            }
        }

        @TearDown
        public void tearDown() {
            scheduler.close();
            limiter.close();
        }
    }

    /** The baseline pool and one set of four buckets per provider. */
    @State(Scope.Benchmark)
    public static class Pool {
        ExecutorService executor;
        Bucket4jFourBuckets[] buckets;
        long actualTokens;

        @Setup
        public void setUp() {
            executor = Executors.newFixedThreadPool(SchedulerConfig.DEFAULT.maxConcurrentJobs());
            buckets = new Bucket4jFourBuckets[PROVIDERS];
            for (int i = 0; i < PROVIDERS; i++) {
                buckets[i] = new Bucket4jFourBuckets();
            }
            actualTokens = BenchLimits.ACTUAL_TOKENS;
        }

        @TearDown
        public void tearDown() throws InterruptedException {
            executor.shutdown();
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the baseline pool did not stop within 10 s");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void scheduler(Scheduled scheduled) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[JOBS];
        for (int i = 0; i < JOBS; i++) {
            futures[i] = scheduled.scheduler.submit(scheduled.jobs.get(i));
        }
        CompletableFuture.allOf(futures).join();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public void executorWithBucket4j(Pool pool) {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[JOBS];
        for (int i = 0; i < JOBS; i++) {
            Bucket4jFourBuckets buckets = pool.buckets[i % PROVIDERS];
            futures[i] = CompletableFuture.runAsync(
                    () -> {
                        long[] amounts = buckets.amounts();
                        if (!buckets.tryReserve(amounts)) {
                            throw new IllegalStateException("the baseline refused a job; it would measure refusals");
                        }
                        buckets.reconcile(amounts, pool.actualTokens);
                    },
                    pool.executor);
        }
        CompletableFuture.allOf(futures).join();
    }
}
