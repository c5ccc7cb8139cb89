package dev.ratelimiter.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.batch.Batcher;
import dev.ratelimiter.client.batch.BatcherConfig;
import dev.ratelimiter.client.scheduler.Job;
import dev.ratelimiter.client.scheduler.Scheduler;
import dev.ratelimiter.client.scheduler.SchedulerConfig;
import dev.ratelimiter.client.scheduler.SchedulerObserver;
import dev.ratelimiter.client.scheduler.WorkResult;
import dev.ratelimiter.core.ids.UlidGenerator;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Many LLM jobs across providers through the whole client stack (scheduler, batcher, limiter) with
 * real threads and real time. Subclasses supply the limiter: in process, or a server over HTTP.
 *
 * <p>The limits make one provider fast, one throttled by requests per window and one throttled by
 * tokens per window, each with a concurrency limit. Afterwards the admissions recorded by the jobs
 * are checked offline: in no window did a rolling key admit more than its capacity, and no
 * concurrency key ever had more jobs running than its capacity. Every job must finish.
 */
abstract class EndToEndContract {
    static final String MODEL = "m";
    static final int WINDOW_SECONDS = 1;
    static final long RPM_SLOW = 40;
    static final long TPM_TOKENS = 3_000;
    static final Map<String, Long> CONCURRENCY = Map.of("fast", 8L, "slow", 4L, "tokens", 4L);
    /** Every job reserves 50 prompt bytes plus 50 output tokens, and reports 60 tokens used. */
    static final String PROMPT = "x".repeat(50);

    static final long MAX_OUTPUT_TOKENS = 50;
    static final long USED_TOKENS = 60;
    private static final UlidGenerator LEASE_IDS = UlidGenerator.system();

    /** The limits every subclass must install before the test. */
    static List<LimitDefinition> limits() {
        List<LimitDefinition> limits = new ArrayList<>();
        for (String provider : List.of("fast", "slow", "tokens")) {
            String prefix = "global:llm:" + provider + ":" + MODEL + ":";
            limits.add(LimitDefinition.rolling(
                    prefix + "rpm",
                    provider.equals("slow") ? RPM_SLOW : 1_000_000,
                    provider.equals("slow") ? WINDOW_SECONDS : 60));
            limits.add(LimitDefinition.rolling(
                    prefix + "tpm",
                    provider.equals("tokens") ? TPM_TOKENS : 100_000_000,
                    provider.equals("tokens") ? WINDOW_SECONDS : 60));
            limits.add(LimitDefinition.concurrency(prefix + "concurrency", CONCURRENCY.get(provider), 30));
        }
        // Ample limits for the overhead measurement, which must never be denied.
        String bench = "global:llm:bench:" + MODEL + ":";
        limits.add(LimitDefinition.rolling(bench + "rpm", 1_000_000_000, 60));
        limits.add(LimitDefinition.rolling(bench + "tpm", 1_000_000_000_000L, 60));
        limits.add(LimitDefinition.concurrency(bench + "concurrency", 100_000, 30));
        return limits;
    }

    /** The limiter the stack talks to, with {@link #limits()} installed; closed by the batcher. */
    abstract Limiter newLimiter() throws Exception;

    /** A short name of the target, for the printed measurements. */
    abstract String target();

    /** One admission as a job saw it. */
    record Admission(String provider, long reservedAtUnixMs, long usedTokens) {}

    @Test
    void runsManyJobsAcrossProvidersWithinEveryLimit() throws Exception {
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> mostRunning = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Admission> admissions = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> completedLeases = new ConcurrentLinkedQueue<>();
        SchedulerObserver observer = new SchedulerObserver() {
            @Override
            public void completed(Job<?> job, String leaseId, boolean ok) {
                if (ok) {
                    completedLeases.add(leaseId);
                }
            }
        };
        List<CompletableFuture<String>> results = new ArrayList<>();
        try (Batcher batcher = new Batcher(newLimiter());
                Scheduler scheduler = Scheduler.builder(batcher)
                        .config(SchedulerConfig.DEFAULT)
                        .observer(observer)
                        .build()) {
            for (int i = 0; i < 670; i++) {
                String provider = pick(i);
                LlmRequirements call = LlmRequirements.of(provider, MODEL, PROMPT, MAX_OUTPUT_TOKENS);
                results.add(scheduler.submit(Job.forLlm(call, lease -> {
                            int now = running.computeIfAbsent(provider, p -> new AtomicInteger())
                                    .incrementAndGet();
                            mostRunning
                                    .computeIfAbsent(provider, p -> new AtomicInteger())
                                    .accumulateAndGet(now, Math::max);
                            admissions.add(new Admission(provider, lease.reservedAtUnixMs(), USED_TOKENS));
                            // An LLM call takes time; 1 ms is enough for jobs of one provider to overlap.
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                            running.get(provider).decrementAndGet();
                            return WorkResult.of(lease.leaseId(), call.actuals(USED_TOKENS - 10, 10));
                        })
                        .jobId(provider + "-" + i)
                        .build()));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }

        assertEquals(670, admissions.size(), "every job ran exactly once");
        for (CompletableFuture<String> result : results) {
            assertTrue(result.isDone() && !result.isCompletedExceptionally());
        }
        assertEquals(670, completedLeases.size(), "every admitted lease was completed");
        assertEquals(670, completedLeases.stream().distinct().count());
        for (Map.Entry<String, Long> limit : CONCURRENCY.entrySet()) {
            int most = mostRunning.get(limit.getKey()).get();
            assertTrue(
                    most <= limit.getValue(),
                    limit.getKey() + " ran " + most + " jobs at once, capacity " + limit.getValue());
        }
        assertWithinWindow(admissions, "slow", RPM_SLOW, admission -> 1L);
        assertWithinWindow(admissions, "tokens", TPM_TOKENS, Admission::usedTokens);
        System.out.printf(Locale.ROOT, "[%s] most jobs running at once: %s%n", target(), mostRunning);
    }

    /**
     * The measured overhead of the scheduler per job: the same number of reserve + complete pairs,
     * with the same concurrency and the same limiter stack, once through the scheduler and once
     * from plain threads; the difference divided by the jobs. Printed, never asserted (speed
     * depends on the machine).
     */
    @Test
    void measuresSchedulerOverheadPerJob() throws Exception {
        for (boolean batched : new boolean[] {true, false}) {
            Limiter limiter = batched ? new Batcher(newLimiter(), BatcherConfig.DEFAULT, null) : newLimiter();
            try (limiter) {
                // Without the batcher every call is its own exchange: fewer jobs keep the run short.
                measure(limiter, target() + (batched ? " + batcher" : ", no batcher"), batched ? 4_000 : 1_000);
            }
        }
    }

    private static void measure(Limiter limiter, String label, int jobs) throws Exception {
        int concurrency = 32;
        // Warm up both paths so that class loading and JIT do not count against either.
        runDirect(limiter, jobs / 4, concurrency);
        runScheduled(limiter, jobs / 4, concurrency, "warm-s", new StepTimes());
        long directNanos = runDirect(limiter, jobs, concurrency);
        StepTimes steps = new StepTimes();
        long scheduledNanos = runScheduled(limiter, jobs, concurrency, "sched", steps);
        double directUs = directNanos / 1_000.0 / jobs;
        double scheduledUs = scheduledNanos / 1_000.0 / jobs;
        System.out.printf(
                Locale.ROOT,
                "[%s] %d jobs, %d at once: direct %.1f us/job (%.0f jobs/s),"
                        + " scheduler %.1f us/job (%.0f jobs/s), overhead %.1f us/job%n",
                label,
                jobs,
                concurrency,
                directUs,
                1e6 / directUs,
                scheduledUs,
                1e6 / scheduledUs,
                scheduledUs - directUs);
        System.out.printf(
                Locale.ROOT,
                "[%s] per job, mean: queued for a slot %.1f us, reserve %.1f us,"
                        + " admitted->work started %.1f us, work end->complete answered %.1f us,"
                        + " complete answered->future resolved %.1f us%n",
                label,
                steps.mean(steps.dispatchNanos),
                steps.mean(steps.reserveNanos),
                steps.mean(steps.handOffNanos),
                steps.mean(steps.completeNanos),
                steps.mean(steps.resolveNanos));
    }

    /** 40 fast, 12 slow and 15 token-heavy jobs in every 67, interleaved so every queue has work from the start. */
    private static String pick(int i) {
        int cycle = i % 67;
        return cycle < 40 ? "fast" : cycle < 52 ? "slow" : "tokens";
    }

    private static void assertWithinWindow(
            ConcurrentLinkedQueue<Admission> admissions,
            String provider,
            long capacity,
            java.util.function.ToLongFunction<Admission> amount) {
        List<Admission> ofProvider = new ArrayList<>();
        for (Admission admission : admissions) {
            if (admission.provider().equals(provider)) {
                ofProvider.add(admission);
            }
        }
        ofProvider.sort((a, b) -> Long.compare(a.reservedAtUnixMs(), b.reservedAtUnixMs()));
        long windowMs = WINDOW_SECONDS * 1_000L;
        int start = 0;
        long sum = 0;
        int end = 0;
        // A sliding window over admissions sorted by time: every admission at t counts with all
        // those at (t - window, t]; admissions in the same millisecond are all counted together.
        while (end < ofProvider.size()) {
            long t = ofProvider.get(end).reservedAtUnixMs();
            while (end < ofProvider.size() && ofProvider.get(end).reservedAtUnixMs() == t) {
                sum += amount.applyAsLong(ofProvider.get(end));
                end++;
            }
            while (ofProvider.get(start).reservedAtUnixMs() <= t - windowMs) {
                sum -= amount.applyAsLong(ofProvider.get(start));
                start++;
            }
            assertTrue(
                    sum <= capacity,
                    provider + ": " + sum + " admitted within " + windowMs + " ms up to " + t + ", capacity "
                            + capacity);
        }
    }

    private static long runDirect(Limiter limiter, int jobs, int concurrency) throws Exception {
        LlmRequirements call = LlmRequirements.of("bench", MODEL, PROMPT, MAX_OUTPUT_TOKENS);
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long startNanos = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < jobs; i = next.getAndIncrement()) {
                        // Fresh ULIDs: a server shared by several runs remembers every lease id it saw.
                        String leaseId = LEASE_IDS.nextString();
                        ReserveResponse response =
                                limiter.reserve(new ReserveRequest(leaseId, "", call.requirements()));
                        if (!response.allowed()) {
                            failures.incrementAndGet();
                            continue;
                        }
                        limiter.complete(new CompleteRequest(leaseId, "", call.actuals(USED_TOKENS - 10, 10)));
                    }
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        assertTrue(done.await(120, TimeUnit.SECONDS), "the direct run finished");
        long elapsed = System.nanoTime() - startNanos;
        assertEquals(0, failures.get(), "the direct run was never denied (the bench limits are ample)");
        return elapsed;
    }

    private static long runScheduled(Limiter limiter, int jobs, int concurrency, String prefix, StepTimes steps)
            throws Exception {
        LlmRequirements call = LlmRequirements.of("bench", MODEL, PROMPT, MAX_OUTPUT_TOKENS);
        List<CompletableFuture<String>> results = new ArrayList<>(jobs);
        long startNanos = System.nanoTime();
        try (Scheduler scheduler = Scheduler.builder(limiter)
                .observer(steps)
                .config(SchedulerConfig.DEFAULT
                        .withMaxConcurrentJobs(concurrency)
                        .withMaxQueuedJobs(jobs))
                .build()) {
            for (int i = 0; i < jobs; i++) {
                results.add(scheduler.submit(Job.forLlm(call, lease -> {
                            steps.workStarted(lease.leaseId());
                            WorkResult<String> result =
                                    WorkResult.of(lease.leaseId(), call.actuals(USED_TOKENS - 10, 10));
                            steps.workEnded(lease.leaseId());
                            return result;
                        })
                        .jobId(prefix + "-" + i)
                        .build()));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        return System.nanoTime() - startNanos;
    }

    /** Timestamps of each step of each job, from the observer and the work; thread-safe. */
    static final class StepTimes implements SchedulerObserver {
        final List<Long> dispatchNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> reserveNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> handOffNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> completeNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> resolveNanos = Collections.synchronizedList(new ArrayList<>());
        private final Map<Job<?>, Long> submitted = new ConcurrentHashMap<>();
        private final Map<String, Long> reserving = new ConcurrentHashMap<>();
        private final Map<String, Long> admitted = new ConcurrentHashMap<>();
        private final Map<String, Long> workEnded = new ConcurrentHashMap<>();
        private final Map<Job<?>, Long> completed = new ConcurrentHashMap<>();

        @Override
        public void submitted(Job<?> job) {
            submitted.put(job, System.nanoTime());
        }

        @Override
        public void reserving(Job<?> job, String leaseId, int attempt) {
            long now = System.nanoTime();
            reserving.put(leaseId, now);
            Long at = submitted.remove(job);
            if (at != null && attempt == 1) {
                dispatchNanos.add(now - at);
            }
        }

        @Override
        public void admitted(Job<?> job, String leaseId, int attempt, long waitedMs) {
            long now = System.nanoTime();
            admitted.put(leaseId, now);
            Long at = reserving.remove(leaseId);
            if (at != null) {
                reserveNanos.add(now - at);
            }
        }

        void workStarted(String leaseId) {
            Long at = admitted.remove(leaseId);
            if (at != null) {
                handOffNanos.add(System.nanoTime() - at);
            }
        }

        void workEnded(String leaseId) {
            workEnded.put(leaseId, System.nanoTime());
        }

        @Override
        public void completed(Job<?> job, String leaseId, boolean ok) {
            long now = System.nanoTime();
            completed.put(job, now);
            Long at = workEnded.remove(leaseId);
            if (at != null) {
                completeNanos.add(now - at);
            }
        }

        @Override
        public void succeeded(Job<?> job, long totalMs) {
            Long at = completed.remove(job);
            if (at != null) {
                resolveNanos.add(System.nanoTime() - at);
            }
        }

        double mean(List<Long> nanos) {
            synchronized (nanos) {
                return nanos.stream().mapToLong(Long::longValue).average().orElse(Double.NaN) / 1_000.0;
            }
        }
    }
}
