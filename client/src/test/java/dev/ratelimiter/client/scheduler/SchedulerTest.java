package dev.ratelimiter.client.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.testing.ManualExecutor;
import dev.ratelimiter.client.testing.ScriptedLimiter;
import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.client.timing.ManualTaskTimer;
import dev.ratelimiter.core.ids.Ulid;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scheduler against a scripted limiter, a manual timer and a manual worker pool: every step
 * runs on the test thread when the test says so, and time moves only when the test advances it.
 */
class SchedulerTest {
    private static final long START_MS = 1_700_000_000_000L;

    private final ManualTaskTimer timer = new ManualTaskTimer(START_MS);
    private final ScriptedLimiter limiter = new ScriptedLimiter(timer);
    private final ManualExecutor workers = new ManualExecutor();
    private final AtomicInteger leaseCounter = new AtomicInteger();

    private Scheduler scheduler(SchedulerConfig config) {
        return Scheduler.builder(limiter)
                .config(config)
                .timer(timer)
                .workers(workers)
                .leaseIds(() -> "lease-" + leaseCounter.incrementAndGet())
                .jitter(bound -> 0)
                .build();
    }

    private Scheduler scheduler(int maxConcurrentJobs) {
        return scheduler(SchedulerConfig.DEFAULT.withMaxConcurrentJobs(maxConcurrentJobs));
    }

    private static Job<String> job(String queue, String jobId) {
        return Job.builder(
                        queue,
                        List.of(new Requirement("global:llm:" + queue + ":rpm", 1)),
                        lease -> WorkResult.withoutActuals(jobId))
                .jobId(jobId)
                .build();
    }

    private static CompletableFuture<ReserveResponse> denied(long retryAfterMs) {
        return CompletableFuture.completedFuture(ReserveResponse.denied(retryAfterMs));
    }

    private CompletableFuture<ReserveResponse> allowed() {
        return CompletableFuture.completedFuture(ReserveResponse.allowed(timer.nowMillis()));
    }

    private static CompletableFuture<ReserveResponse> rejected(String error) {
        return CompletableFuture.completedFuture(ReserveResponse.refused(ErrorCodes.refusal(error)));
    }

    private static <T> CompletableFuture<T> unknown() {
        return CompletableFuture.failedFuture(
                new OutcomeUnknownException("connection reset", new IOException("reset")));
    }

    /** A script that answers the n-th reserve (from 0) with {@code answers[n]}, then allows. */
    private Function<ReserveRequest, CompletableFuture<ReserveResponse>> sequence(
            List<Function<ReserveRequest, CompletableFuture<ReserveResponse>>> answers) {
        AtomicInteger calls = new AtomicInteger();
        return request -> {
            int n = calls.getAndIncrement();
            return n < answers.size() ? answers.get(n).apply(request) : allowed();
        };
    }

    private static JobFailedException failureOf(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, future::get);
        return assertInstanceOf(JobFailedException.class, e.getCause());
    }

    private static boolean queueOf(ReserveRequest request, String queue) {
        return request.requirements().get(0).key().contains(":" + queue + ":");
    }

    @Test
    void runsAllowedProviderWhileAnotherIsDenied() throws Exception {
        limiter.onReserve(request -> queueOf(request, "slow:m") ? denied(1_000) : allowed());
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> slow1 = scheduler.submit(job("slow:m", "s1"));
        CompletableFuture<String> slow2 = scheduler.submit(job("slow:m", "s2"));
        CompletableFuture<String> fast1 = scheduler.submit(job("fast:m", "f1"));
        CompletableFuture<String> fast2 = scheduler.submit(job("fast:m", "f2"));

        workers.runAll();

        assertEquals("f1", fast1.getNow(null));
        assertEquals("f2", fast2.getNow(null));
        assertFalse(slow1.isDone());
        assertFalse(slow2.isDone());
        long slowReserves = limiter.reserves().stream()
                .filter(call -> queueOf(call.request(), "slow:m"))
                .count();
        assertEquals(1, slowReserves, "the denied queue waits as a whole instead of trying each of its jobs");

        limiter.onReserve(request -> allowed());
        timer.advanceMillis(999);
        workers.runAll();
        assertFalse(slow1.isDone(), "not before retry_after_ms");
        timer.advanceMillis(1);
        workers.runAll();
        assertEquals("s1", slow1.get());
        assertEquals("s2", slow2.get());
    }

    @Test
    void retriesWithNewLeaseAfterDenial() throws Exception {
        limiter.onReserve(sequence(List.of(request -> denied(200))));
        Scheduler scheduler = scheduler(4);
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));
        assertEquals(1, limiter.reserves().size());

        timer.advanceMillis(200);
        workers.runAll();

        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(2, leases.size());
        assertNotEquals(leases.get(0), leases.get(1), "a denied lease stays denied, so the retry needs a new one");
        assertEquals("j", result.get());
        assertEquals(List.of(leases.get(1)), limiter.completedLeaseIds());
    }

    @Test
    void addsJitterToRetryAfter() {
        limiter.onReserve(sequence(List.of(request -> denied(100))));
        Scheduler scheduler = Scheduler.builder(limiter)
                .config(SchedulerConfig.DEFAULT.withDenialJitterMs(25))
                .timer(timer)
                .workers(workers)
                .leaseIds(() -> "lease-" + leaseCounter.incrementAndGet())
                .jitter(bound -> bound)
                .build();
        scheduler.submit(job("p:m", "j"));

        timer.advanceMillis(124);
        assertEquals(1, limiter.reserves().size());
        timer.advanceMillis(1);
        assertEquals(2, limiter.reserves().size());
    }

    @Test
    void retriesSameLeaseAfterTransportError() throws Exception {
        limiter.onReserve(sequence(List.of(request -> unknown())));
        Scheduler scheduler =
                scheduler(SchedulerConfig.DEFAULT.withUnknownOutcomeBackoff(new Backoff(50, 2.0, 1_000, 0)));
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));

        timer.advanceMillis(49);
        assertEquals(1, limiter.reserves().size());
        timer.advanceMillis(1);
        workers.runAll();

        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(2, leases.size());
        assertEquals(leases.get(0), leases.get(1), "an unknown outcome is retried under the same lease id");
        assertEquals("j", result.get());
        assertEquals(List.of(leases.get(0)), limiter.completedLeaseIds());
    }

    @Test
    void retriesSameLeaseAfterBackendError() throws Exception {
        limiter.onReserve(sequence(List.of(request -> rejected("backend_error"))));
        Scheduler scheduler =
                scheduler(SchedulerConfig.DEFAULT.withUnknownOutcomeBackoff(new Backoff(10, 2.0, 100, 0)));
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));

        timer.advanceMillis(10);
        workers.runAll();

        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(List.of(leases.get(0), leases.get(0)), leases);
        assertEquals("j", result.get());
    }

    @Test
    void startsOverWithNewLeaseWhenLeaseExpired() throws Exception {
        limiter.onReserve(
                sequence(List.of(request -> unknown(), request -> rejected("lease_expired:" + request.leaseId()))));
        Scheduler scheduler =
                scheduler(SchedulerConfig.DEFAULT.withUnknownOutcomeBackoff(new Backoff(10, 2.0, 100, 0)));
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));

        timer.advanceMillis(10);
        workers.runAll();

        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(3, leases.size());
        assertEquals(leases.get(0), leases.get(1));
        assertNotEquals(leases.get(1), leases.get(2));
        assertEquals("j", result.get());
    }

    @Test
    void completesEachAdmittedJobExactlyOnce() throws Exception {
        Set<String> admitted = ConcurrentHashMap.newKeySet();
        AtomicInteger calls = new AtomicInteger();
        limiter.onReserve(request -> {
            if (calls.getAndIncrement() % 3 == 0) {
                return denied(10);
            }
            admitted.add(request.leaseId());
            return allowed();
        });
        Scheduler scheduler = scheduler(3);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            results.add(scheduler.submit(job("p" + (i % 3) + ":m", "j" + i)));
        }

        for (int round = 0; round < 100 && !results.stream().allMatch(CompletableFuture::isDone); round++) {
            workers.runAll();
            timer.advanceMillis(10);
        }

        for (int i = 0; i < 30; i++) {
            assertEquals("j" + i, results.get(i).get());
        }
        List<String> completed = limiter.completedLeaseIds();
        assertEquals(30, completed.size());
        assertEquals(admitted, new HashSet<>(completed), "every admitted lease is completed, and only those");
        assertEquals(30, new HashSet<>(completed).size(), "no lease is completed twice");
    }

    @Test
    void completesWithActualsOfTheWork() throws Exception {
        List<Actual> actuals = List.of(new Actual("global:llm:p:m:tpm", 42));
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(Job.builder(
                        "p:m",
                        List.of(new Requirement("global:llm:p:m:tpm", 100)),
                        lease -> WorkResult.of("done", actuals))
                .build());
        workers.runAll();

        assertEquals("done", result.get());
        assertEquals(actuals, limiter.completes().get(0).request().actuals());
    }

    @Test
    void completesWithoutActualsWhenWorkFails() {
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(
                Job.<String>builder("p:m", List.of(new Requirement("global:llm:p:m:tpm", 100)), lease -> {
                            throw new IOException("provider answered 500");
                        })
                        .build());
        workers.runAll();

        JobFailedException failure = failureOf(result);
        assertEquals(JobFailedException.Reason.WORK_FAILED, failure.reason());
        assertInstanceOf(IOException.class, failure.getCause());
        assertEquals(1, limiter.completes().size());
        assertEquals(
                List.of(),
                limiter.completes().get(0).request().actuals(),
                "usage is unknown, so the reservation must stand");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"exceeds_capacity:global:llm:p:m:rpm", "unknown_limit_key:global:llm:p:m:rpm", "invalid_request"
            })
    void failsAtOnceOnDefinitiveRejection(String error) {
        limiter.onReserve(request -> rejected(error));
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));
        timer.advanceMillis(60_000);
        workers.runAll();

        JobFailedException failure = failureOf(result);
        assertEquals(JobFailedException.Reason.REJECTED, failure.reason());
        assertEquals(error, failure.error());
        assertEquals(1, limiter.reserves().size());
        assertEquals(0, limiter.completes().size());
    }

    @Test
    void shutdownResolvesEveryJob() throws Exception {
        limiter.onReserve(request -> queueOf(request, "denied:m") ? denied(500) : allowed());
        Scheduler scheduler = scheduler(2);
        List<CompletableFuture<String>> results = new ArrayList<>();
        results.add(scheduler.submit(job("denied:m", "d0")));
        for (int i = 0; i < 9; i++) {
            results.add(scheduler.submit(job("ok:m", "j" + i)));
        }
        assertEquals(2, scheduler.jobsInProgress(), "two admitted jobs wait for a worker");

        scheduler.shutdown();
        assertThrows(RejectedExecutionException.class, () -> scheduler.submit(job("ok:m", "late")));
        workers.runAll();

        assertTrue(results.stream().allMatch(CompletableFuture::isDone), "no job is left unresolved");
        assertTrue(scheduler.awaitTermination(0));
        int succeeded = 0;
        for (CompletableFuture<String> result : results) {
            if (result.isCompletedExceptionally()) {
                assertEquals(
                        JobFailedException.Reason.SHUTDOWN, failureOf(result).reason());
            } else {
                succeeded++;
            }
        }
        assertEquals(2, succeeded, "the two admitted jobs finish their work");
        assertEquals(2, limiter.completes().size());
    }

    @Test
    void failsWhenAttemptsRunOut() {
        limiter.onReserve(request -> denied(10));
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(
                Job.<String>builder("p:m", List.of(new Requirement("k", 1)), lease -> WorkResult.withoutActuals("x"))
                        .maxAttempts(3)
                        .build());
        timer.advanceMillis(1_000);

        assertEquals(
                JobFailedException.Reason.ATTEMPTS_EXHAUSTED, failureOf(result).reason());
        assertEquals(3, limiter.reserves().size());
    }

    @Test
    void failsAtDeadlineWhileWaitingInQueue() {
        limiter.onReserve(request -> denied(5_000));
        Scheduler scheduler = scheduler(1);
        scheduler.submit(job("p:m", "first"));
        CompletableFuture<String> second = scheduler.submit(
                Job.<String>builder("p:m", List.of(new Requirement("k", 1)), lease -> WorkResult.withoutActuals("x"))
                        .deadlineMillis(timer.nowMillis() + 1_000)
                        .build());

        timer.advanceMillis(999);
        assertFalse(second.isDone());
        timer.advanceMillis(1);

        assertEquals(
                JobFailedException.Reason.DEADLINE_EXCEEDED, failureOf(second).reason());
        assertEquals(1, limiter.reserves().size(), "the second job never got to reserve");
        assertEquals(1, scheduler.queuedJobs(), "only the first job still waits");
    }

    @Test
    void failsAtOnceWhenRetryWouldComeAfterDeadline() {
        limiter.onReserve(request -> denied(5_000));
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(
                Job.<String>builder("p:m", List.of(new Requirement("k", 1)), lease -> WorkResult.withoutActuals("x"))
                        .deadlineMillis(timer.nowMillis() + 1_000)
                        .build());

        assertEquals(
                JobFailedException.Reason.DEADLINE_EXCEEDED, failureOf(result).reason());
        assertEquals(
                START_MS + 1_000, limiter.reserves().get(0).deadlineMillis(), "the reserve carries the job's deadline");
    }

    @Test
    void releasesLeaseWhenGivingUpAfterUnknownOutcome() {
        limiter.onReserve(request -> unknown());
        Scheduler scheduler =
                scheduler(SchedulerConfig.DEFAULT.withUnknownOutcomeBackoff(new Backoff(10, 2.0, 100, 0)));
        CompletableFuture<String> result = scheduler.submit(
                Job.<String>builder("p:m", List.of(new Requirement("k", 1)), lease -> WorkResult.withoutActuals("x"))
                        .maxAttempts(2)
                        .build());
        timer.advanceMillis(10);

        assertEquals(
                JobFailedException.Reason.ATTEMPTS_EXHAUSTED, failureOf(result).reason());
        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(List.of(leases.get(0), leases.get(0)), leases);
        assertEquals(List.of(leases.get(0)), limiter.completedLeaseIds(), "a hold that may have landed is released");
        assertEquals(List.of(), limiter.completes().get(0).request().actuals());
    }

    @Test
    void failsWithoutReleaseWhenLimiterFailsDefinitively() {
        limiter.onReserve(request -> CompletableFuture.failedFuture(new LimiterException("HTTP 404")));
        Scheduler scheduler = scheduler(1);
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));

        assertEquals(JobFailedException.Reason.LIMITER_FAILED, failureOf(result).reason());
        assertEquals(0, limiter.completes().size());
    }

    @Test
    void servesQueuesInRoundRobin() {
        Scheduler scheduler = scheduler(1);
        scheduler.submit(job("b:m", "b1"));
        for (String id : List.of("a1", "a2", "a3")) {
            scheduler.submit(job("a:m", id));
        }
        for (String id : List.of("b2", "b3")) {
            scheduler.submit(job("b:m", id));
        }
        workers.runAll();

        List<String> order =
                limiter.reserves().stream().map(call -> call.request().jobId()).toList();
        assertEquals(List.of("b1", "a1", "b2", "a2", "b3", "a3"), order);
    }

    @Test
    void boundsJobsInProgress() {
        Scheduler scheduler = scheduler(2);
        for (int i = 0; i < 5; i++) {
            scheduler.submit(job("p:m", "j" + i));
        }
        assertEquals(2, limiter.reserves().size());
        assertEquals(2, scheduler.jobsInProgress());
        assertEquals(3, scheduler.queuedJobs());

        workers.runOne();
        assertEquals(3, limiter.reserves().size(), "a finished job frees its slot for the next");
    }

    @Test
    void refusesJobsWhenQueuesAreFull() {
        limiter.onReserve(request -> new CompletableFuture<>());
        Scheduler scheduler =
                scheduler(SchedulerConfig.DEFAULT.withMaxConcurrentJobs(1).withMaxQueuedJobs(2));
        scheduler.submit(job("p:m", "in-progress"));
        scheduler.submit(job("p:m", "q1"));
        scheduler.submit(job("p:m", "q2"));

        RejectedExecutionException e =
                assertThrows(RejectedExecutionException.class, () -> scheduler.submit(job("p:m", "q3")));
        assertTrue(e.getMessage().contains("maxQueuedJobs"), e.getMessage());
    }

    @Test
    void cancelledJobLeavesItsQueue() {
        Scheduler scheduler = scheduler(1);
        scheduler.submit(job("p:m", "first"));
        CompletableFuture<String> second = scheduler.submit(job("p:m", "second"));
        second.cancel(false);
        workers.runAll();

        assertEquals(
                List.of("first"),
                limiter.reserves().stream().map(call -> call.request().jobId()).toList());
        assertEquals(0, scheduler.queuedJobs());
    }

    @Test
    void passesLeaseToWork() throws Exception {
        Scheduler scheduler = scheduler(1);
        CompletableFuture<Lease> result = scheduler.submit(
                Job.<Lease>builder("p:m", List.of(new Requirement("k", 1)), lease -> WorkResult.withoutActuals(lease))
                        .jobId("job-7")
                        .build());
        workers.runAll();

        Lease lease = result.get();
        assertEquals(limiter.reservedLeaseIds().get(0), lease.leaseId());
        assertEquals("job-7", lease.jobId());
        assertEquals(START_MS, lease.reservedAtUnixMs());
        assertEquals(1, lease.attempt());
    }

    @Test
    void reportsEveryStepToObserver() {
        List<String> log = new CopyOnWriteArrayList<>();
        SchedulerObserver observer = new SchedulerObserver() {
            @Override
            public void submitted(Job<?> job) {
                log.add("submitted");
            }

            @Override
            public void reserving(Job<?> job, String leaseId, int attempt) {
                log.add("reserving " + attempt);
            }

            @Override
            public void admitted(Job<?> job, String leaseId, int attempt, long waitedMs) {
                log.add("admitted after " + waitedMs);
            }

            @Override
            public void denied(Job<?> job, String leaseId, long retryAfterMs, String error) {
                log.add("denied " + retryAfterMs);
            }

            @Override
            public void completed(Job<?> job, String leaseId, boolean ok) {
                log.add("completed " + ok);
            }

            @Override
            public void succeeded(Job<?> job, long totalMs) {
                log.add("succeeded after " + totalMs);
            }
        };
        limiter.onReserve(sequence(List.of(request -> denied(30))));
        Scheduler scheduler = Scheduler.builder(limiter)
                .timer(timer)
                .workers(workers)
                .observer(observer)
                .leaseIds(() -> "lease-" + leaseCounter.incrementAndGet())
                .jitter(bound -> 0)
                .build();
        scheduler.submit(job("p:m", "j"));
        timer.advanceMillis(30);
        workers.runAll();

        assertEquals(
                List.of(
                        "submitted",
                        "reserving 1",
                        "denied 30",
                        "reserving 2",
                        "admitted after 30",
                        "completed true",
                        "succeeded after 30"),
                log);
    }

    @Test
    void keepsSchedulingWhenObserverThrows() throws Exception {
        SchedulerObserver broken = new SchedulerObserver() {
            @Override
            public void admitted(Job<?> job, String leaseId, int attempt, long waitedMs) {
                throw new IllegalStateException("metrics backend down");
            }
        };
        Scheduler scheduler = Scheduler.builder(limiter)
                .timer(timer)
                .workers(workers)
                .observer(broken)
                .leaseIds(() -> "lease-" + leaseCounter.incrementAndGet())
                .build();
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));
        workers.runAll();

        assertEquals("j", result.get());
    }

    @Test
    void makesSpecUlidLeaseIdsInOrderWithinOneMillisecond() {
        Scheduler scheduler =
                Scheduler.builder(limiter).timer(timer).workers(workers).build();
        for (int i = 0; i < 50; i++) {
            scheduler.submit(job("p" + (i % 5) + ":m", "j" + i));
        }

        List<String> leases = limiter.reservedLeaseIds();
        assertEquals(32, leases.size(), "immediate admissions widen every queue's window until all 32 slots are busy");
        for (int i = 0; i < leases.size(); i++) {
            String lease = leases.get(i);
            assertTrue(lease.matches("[0-9A-HJKMNP-TV-Z]{26}"), "Crockford base32 ULID: " + lease);
            assertEquals(START_MS, Ulid.parse(lease).timestampMillis(), "48-bit time part from the scheduler's clock");
            if (i > 0) {
                assertTrue(leases.get(i - 1).compareTo(lease) < 0, "ordered within one millisecond");
            }
        }
    }

    @Test
    void queuesLlmJobByProviderAndModel() throws Exception {
        LlmRequirements call =
                LlmRequirements.of("openai", "gpt-4o", "héllo", 100).withTenant("acme");
        Scheduler scheduler = scheduler(1);
        Job<Long> job =
                Job.forLlm(call, lease -> WorkResult.of(7L, call.actuals(3, 4))).build();
        CompletableFuture<Long> result = scheduler.submit(job);
        workers.runAll();

        assertEquals("openai:gpt-4o", job.queue());
        assertEquals(7L, result.get());
        assertEquals(call.requirements(), limiter.reserves().get(0).request().requirements());
        assertEquals(
                List.of(new Actual("global:llm:openai:gpt-4o:tpm", 7), new Actual("tenant:acme:llm:daily_tokens", 7)),
                limiter.completes().get(0).request().actuals());
    }

    @Test
    void widensQueueWindowWithAdmissionsAndHalvesItOnDenial() {
        List<CompletableFuture<ReserveResponse>> answers = new CopyOnWriteArrayList<>();
        limiter.onReserve(request -> {
            CompletableFuture<ReserveResponse> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        });
        Scheduler scheduler = scheduler(SchedulerConfig.DEFAULT.withInitialQueueWindow(2));
        for (int i = 0; i < 20; i++) {
            scheduler.submit(job("p:m", "j" + i));
        }
        scheduler.submit(job("other:m", "o"));
        assertEquals(3, limiter.reserves().size(), "2 of p:m within its window, 1 of other:m");

        answers.get(0).complete(ReserveResponse.allowed(START_MS));
        assertEquals(4, limiter.reserves().size(), "slow start: an admission widens the window by one");

        answers.get(1).complete(ReserveResponse.denied(100));
        workers.runAll();
        timer.advanceMillis(100);
        assertEquals(4, limiter.reserves().size(), "the denial halved the window to 1, and one p:m job is in progress");

        answers.get(3).complete(ReserveResponse.allowed(START_MS));
        assertEquals(5, limiter.reserves().size(), "after a denial the window grows by 1/window per admission");
        assertEquals("j1", limiter.reserves().get(4).request().jobId(), "the denied job is next in its queue");
    }

    @Test
    void failsAfterTooManyUnknownOutcomesInARow() {
        limiter.onReserve(request -> unknown());
        Scheduler scheduler = scheduler(SchedulerConfig.DEFAULT
                .withMaxUnknownOutcomes(3)
                .withUnknownOutcomeBackoff(new Backoff(10, 2.0, 100, 0)));
        CompletableFuture<String> result = scheduler.submit(job("p:m", "j"));
        timer.advanceMillis(10);
        timer.advanceMillis(20);

        JobFailedException failure = failureOf(result);
        assertEquals(JobFailedException.Reason.LIMITER_FAILED, failure.reason());
        assertEquals(3, limiter.reserves().size());
        assertEquals(
                List.of(limiter.reservedLeaseIds().get(0)),
                limiter.completedLeaseIds(),
                "the lease that may have landed is released");
    }
}
