package dev.ratelimiter.chaos.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.ChaosSettings;
import dev.ratelimiter.chaos.RunAssertions;
import dev.ratelimiter.chaos.RunReport;
import dev.ratelimiter.chaos.workload.InProcessTarget;
import dev.ratelimiter.chaos.workload.LimiterTarget;
import dev.ratelimiter.chaos.workload.LlmWorkload;
import dev.ratelimiter.chaos.workload.WorkerSettings;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.invariants.UsageSampler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The LLM-shaped workload against the memory backend in this JVM, through the same
 * {@link LimiterService} the server uses: many threads, a manual clock that one worker moves while
 * the others reserve and complete, several providers and tenants, random prompt sizes and work
 * durations, actual usage at or below the bound, failed work and abandoned leases.
 *
 * <p>Asserted: no over-admission (offline per key, and live for concurrency), every usage reading
 * consistent, no unexpected answer, progress with every limit really binding, and once every hold
 * has expired nothing is reserved any more.
 */
class InProcessStressTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    /** The clock moves by up to this much per step of the first worker. */
    private static final long CLOCK_STEP_MILLIS_MAX = 10;
    /** A bound on real time, far above what the run needs, so a stuck run fails instead of hanging. */
    private static final long REAL_TIME_BOUND_SECONDS = 600;

    private static final LlmWorkload WORKLOAD = new LlmWorkload(3, 2, 40, 10, 20_000, 20, 4, 30, 20_000, 60, 400, 600);
    private static final WorkerSettings WORKERS = new WorkerSettings(3, 0, 2_000, 5, 10, 200, 1, 1, 10);

    private final ChaosSettings settings = ChaosSettings.current();

    @Test
    void neverOverAdmitsWhileManyThreadsRunLlmCallsAsTimePasses() throws Exception {
        ManualClock clock = new ManualClock(START_MILLIS);
        MemoryBackend backend = new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock));
        try (LimiterService service = LimiterService.open(backend, new InMemoryStore(), RequestLimits.DEFAULT)) {
            for (LimitDefinition definition : WORKLOAD.definitions()) {
                service.putLimit(definition);
            }
            WorkloadRun run = WorkloadRun.manualClock(
                    "inproc",
                    WORKLOAD,
                    new InProcessTarget(service),
                    clock,
                    CLOCK_STEP_MILLIS_MAX,
                    WORKERS,
                    settings.inProcessThreads(),
                    settings.seed(),
                    settings.maxAdmissions());
            long endMillis = START_MILLIS + TimeUnit.SECONDS.toMillis(settings.inProcessSimulatedSeconds());
            long startNanos = System.nanoTime();
            UsageSampler.Report usage;
            try (UsageSampler sampler = UsageSampler.start("inproc", service::limits, 1)) {
                run.start();
                awaitClock(clock, endMillis, run);
                run.stop(60_000);
                usage = sampler.report();
            }
            long realMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            Verification verification = RunAssertions.assertSafe(run);
            RunAssertions.assertContendedProgress(run, verification);
            RunAssertions.assertUsageReadingsConsistent(usage, 1);
            assertNothingHeldOnceEveryHoldExpired(service, clock);

            RunReport.write(
                    settings,
                    "in-process-stress",
                    "duration: " + settings.inProcessSimulatedSeconds()
                            + " s on the manual clock, " + realMillis + " ms of real time, "
                            + settings.inProcessThreads()
                            + " threads\n" + RunAssertions.describe(run, verification, usage));
        }
    }

    /**
     * The harness must be able to fail: the same run against a limiter that admits every tenth
     * request it should deny is caught offline and live.
     */
    @Test
    void catchesALimiterThatAdmitsWhatItShouldDeny() throws Exception {
        ManualClock clock = new ManualClock(START_MILLIS);
        MemoryBackend backend = new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock));
        try (LimiterService service = LimiterService.open(backend, new InMemoryStore(), RequestLimits.DEFAULT)) {
            for (LimitDefinition definition : WORKLOAD.definitions()) {
                service.putLimit(definition);
            }
            InProcessTarget honest = new InProcessTarget(service);
            AtomicLong denials = new AtomicLong();
            LimiterTarget leaky = new LimiterTarget() {
                @Override
                public ReserveResult reserve(ReserveRequest request) {
                    ReserveResult result = honest.reserve(request);
                    if (result.isAnswered()
                            && !result.response().allowed()
                            && result.response().error().isEmpty()
                            && denials.incrementAndGet() % 10 == 0) {
                        return ReserveResult.answered(ReserveResponse.allowed(clock.nowMillis()));
                    }
                    return result;
                }

                @Override
                public CompleteResult complete(CompleteRequest request) {
                    return honest.complete(request);
                }
            };
            WorkloadRun run = WorkloadRun.manualClock(
                    "leaky",
                    WORKLOAD,
                    leaky,
                    clock,
                    CLOCK_STEP_MILLIS_MAX,
                    WORKERS,
                    4,
                    settings.seed(),
                    settings.maxAdmissions());
            run.start();
            awaitClock(clock, START_MILLIS + TimeUnit.SECONDS.toMillis(120), run);
            run.stop(60_000);

            Verification verification = run.log().verify();
            assertTrue(verification.violationCount() > 0, verification.describe());
            assertTrue(
                    run.checker().violationCount() > 0,
                    "the live check missed it: " + run.stats().describe());
        }
    }

    /**
     * Waits, with a real-time bound, until the first worker has moved the clock to {@code endMillis}.
     * The wait is for the workers' progress, not for a result: it only parks briefly between checks.
     */
    private static void awaitClock(ManualClock clock, long endMillis, WorkloadRun run) {
        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(REAL_TIME_BOUND_SECONDS);
        while (clock.nowMillis() < endMillis && !run.hasFailed()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("the run did not reach its end on the manual clock within "
                        + REAL_TIME_BOUND_SECONDS + " s of real time (seed " + run.seed() + "): "
                        + run.stats().describe());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void assertNothingHeldOnceEveryHoldExpired(LimiterService service, ManualClock clock) {
        clock.advanceMillis(WORKLOAD.longestHoldMillis());
        for (LimitInfo info : service.limits()) {
            assertEquals(0, info.usage().reserved(), info.definition().key() + " still holds: " + info);
            assertTrue(info.usage().debt() == 0, "no actual exceeds its bound, so no debt: " + info);
        }
    }
}
