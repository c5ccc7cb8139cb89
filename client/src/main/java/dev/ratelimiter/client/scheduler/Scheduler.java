package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.LimiterOverloadedException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.timing.Backoff;
import dev.ratelimiter.client.timing.Cancellable;
import dev.ratelimiter.client.timing.SystemTaskTimer;
import dev.ratelimiter.client.timing.TaskTimer;
import dev.ratelimiter.core.ids.UlidGenerator;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs under limits: reserve, run the job's work, complete (SPEC 7).
 *
 * <p><b>Queues.</b> One queue per {@link Job#queue()} (normally {@code provider:model}), FIFO.
 * Dispatch serves the queues that are ready in round robin, while fewer than
 * {@link SchedulerConfig#maxConcurrentJobs()} jobs are in progress. A denied job goes back to the
 * head of its queue and the queue waits with it, so a throttled provider never holds up the others
 * (no head-of-line blocking across queues). Each queue also has an adaptive window on its jobs in
 * progress (grows with admissions, halves on a denial; see {@code ReadyQueues}), so that one queue
 * does not spend every slot on reserves that its limits will deny.
 *
 * <p><b>Outcomes of a reserve.</b>
 * <ul>
 *   <li>allowed: the work runs on a worker; then the lease is completed exactly once, with the
 *       work's actuals, or without actuals if the work threw (usage unknown: the reservation stands);
 *       the future gets the work's value or fails with {@link JobFailedException.Reason#WORK_FAILED};</li>
 *   <li>denied for capacity, or {@code limit_decreasing}: retried with a <em>new</em> lease id after
 *       {@code retry_after_ms} plus jitter;</li>
 *   <li>unknown outcome ({@link OutcomeUnknownException}, or {@code backend_error} from the server):
 *       retried with the <em>same</em> lease id after a bounded backoff;</li>
 *   <li>{@code lease_expired}: the lease is gone; retried at once with a new lease id;</li>
 *   <li>{@code exceeds_capacity}, {@code unknown_limit_key}, {@code invalid_request} and any other
 *       error code: the job fails at once ({@link JobFailedException.Reason#REJECTED}).</li>
 * </ul>
 * Every job has an attempt limit (its own or {@link SchedulerConfig#defaultMaxAttempts()}), a limit
 * on consecutive unknown outcomes ({@link SchedulerConfig#maxUnknownOutcomes()}), and may have a
 * deadline for admission; whichever comes first fails it. When a job gives up on a lease
 * whose last reserve had an unknown outcome, the scheduler completes that lease without actuals in
 * the background, so that a hold which did land is released early instead of at its expiry.
 *
 * <p><b>Shutdown.</b> {@link #shutdown()} refuses new jobs and fails every queued job with
 * {@link JobFailedException.Reason#SHUTDOWN}; jobs in progress finish (an admitted job runs its work
 * and completes; a job whose reserve is denied fails with SHUTDOWN). No job is left unresolved.
 * {@link #close()} also waits for the jobs in progress. The limiter is not the scheduler's: close it
 * yourself afterwards.
 *
 * <p><b>Thread-safety.</b> Thread-safe. One lock ({@code lock}) guards the queues, the count of jobs
 * in progress, the wake-up timer, the shutdown flag and the mutable fields of every {@link JobRun}.
 * The limiter, the work, the futures and the observer are always called outside the lock.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Limiter limiter;
    private final SchedulerConfig config;
    private final TaskTimer timer;
    private final SystemTaskTimer ownedTimer;
    private final Clock clock;
    private final Executor workers;
    private final ExecutorService ownedWorkers;
    private final Supplier<String> leaseIds;
    private final LongUnaryOperator jitter;
    private final SchedulerObserver observer;

    private final Object lock = new Object();
    private final ReadyQueues queues;
    private int jobsInProgress;
    private boolean shutdown;
    private Cancellable wakeUp;
    private long wakeUpAtMillis = Long.MAX_VALUE;

    private Scheduler(Builder builder) {
        this.limiter = builder.limiter;
        this.config = builder.config;
        this.ownedTimer = builder.timer == null ? new SystemTaskTimer() : null;
        this.timer = builder.timer == null ? ownedTimer : builder.timer;
        this.clock = timer.clock();
        this.ownedWorkers = builder.workers == null ? newWorkerPool(config.maxConcurrentJobs()) : null;
        this.workers = builder.workers == null ? ownedWorkers : builder.workers;
        // Lease ids are ULIDs on the scheduler's clock, so they sort in the order attempts were made.
        this.leaseIds =
                builder.leaseIds != null ? builder.leaseIds : new UlidGenerator(clock, new SecureRandom())::nextString;
        this.jitter = builder.jitter;
        this.observer = builder.observer;
        this.queues = new ReadyQueues(config.initialQueueWindow(), config.maxConcurrentJobs());
    }

    public static Builder builder(Limiter limiter) {
        return new Builder(limiter);
    }

    public SchedulerConfig config() {
        return config;
    }

    /**
     * Queues a job and returns its future: the work's value, or a {@link JobFailedException}.
     * Cancelling the future takes a queued job out of its queue; an admitted job then skips its work
     * and its lease is completed without actuals.
     *
     * @throws RejectedExecutionException when the scheduler is shut down, or
     *     {@link SchedulerConfig#maxQueuedJobs()} jobs are waiting already
     */
    public <T> CompletableFuture<T> submit(Job<T> job) {
        Objects.requireNonNull(job, "job");
        long now = clock.nowMillis();
        JobRun<T> run = new JobRun<>(job, now, job.maxAttempts() > 0 ? job.maxAttempts() : config.defaultMaxAttempts());
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException(job + " refused: the scheduler is shut down");
            }
            if (queues.size() >= config.maxQueuedJobs()) {
                throw new RejectedExecutionException(
                        job + " refused: " + config.maxQueuedJobs() + " jobs are queued already (maxQueuedJobs)");
            }
            queues.addLast(run);
            if (job.deadlineMillis() != Limiter.NO_DEADLINE) {
                run.deadlineTimer = schedule(job.deadlineMillis() - now, () -> deadlinePassed(run));
            }
        }
        run.future.whenComplete((value, failure) -> {
            if (run.future.isCancelled()) {
                cancelled(run);
            }
        });
        notify(o -> o.submitted(job));
        dispatch();
        return run.future;
    }

    /** Jobs waiting in queues now. */
    public int queuedJobs() {
        synchronized (lock) {
            return queues.size();
        }
    }

    /** Jobs between dispatch and the end of their complete now. */
    public int jobsInProgress() {
        synchronized (lock) {
            return jobsInProgress;
        }
    }

    /**
     * Refuses new jobs and fails every queued job with {@link JobFailedException.Reason#SHUTDOWN};
     * jobs in progress go on to their end. Idempotent; does not wait.
     */
    public void shutdown() {
        List<JobRun<?>> queued;
        synchronized (lock) {
            if (shutdown) {
                return;
            }
            shutdown = true;
            queued = queues.drain();
            for (JobRun<?> run : queued) {
                finish(run);
            }
            if (wakeUp != null) {
                wakeUp.cancel();
                wakeUp = null;
            }
            lock.notifyAll();
        }
        for (JobRun<?> run : queued) {
            fail(
                    run,
                    JobFailedException.Reason.SHUTDOWN,
                    "",
                    "the scheduler shut down before it was admitted",
                    null,
                    run.maybeHeld);
        }
    }

    /**
     * After {@link #shutdown()}: waits until no job is in progress any more, at most
     * {@code timeoutMs} of real time. Before shutdown it waits the whole timeout and returns false.
     *
     * @return whether the scheduler is shut down and every job has ended
     */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (lock) {
            while (!(shutdown && jobsInProgress == 0)) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(endNanos - System.nanoTime());
                if (leftMs <= 0) {
                    return false;
                }
                lock.wait(leftMs);
            }
            return true;
        }
    }

    /**
     * {@link #shutdown()}, waits at most {@link SchedulerConfig#closeTimeoutMs()} for the jobs in
     * progress, then stops the worker pool and timer if the scheduler made them. Does not close the
     * limiter.
     */
    @Override
    public void close() {
        shutdown();
        try {
            if (!awaitTermination(config.closeTimeoutMs())) {
                LOG.warn(jobsInProgress() + " jobs still in progress after " + config.closeTimeoutMs()
                        + " ms; stopping the scheduler anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownedWorkers != null) {
            ownedWorkers.shutdown();
        }
        if (ownedTimer != null) {
            ownedTimer.close();
        }
    }

    // ---- dispatch ---------------------------------------------------------------------------

    /** Starts as many ready jobs as there are free slots, then arranges a wake-up for the next one. */
    private void dispatch() {
        List<JobRun<?>> started = new ArrayList<>();
        synchronized (lock) {
            long now = clock.nowMillis();
            while (jobsInProgress < config.maxConcurrentJobs()) {
                JobRun<?> run = queues.pollReady(now);
                if (run == null) {
                    break;
                }
                jobsInProgress++;
                run.state = JobRun.State.RESERVING;
                run.attempts++;
                if (run.leaseId == null) {
                    run.leaseId = leaseIds.get();
                }
                started.add(run);
            }
            armWakeUp(now);
        }
        for (JobRun<?> run : started) {
            reserve(run);
        }
    }

    /** Caller holds the lock. */
    private void armWakeUp(long now) {
        if (shutdown || jobsInProgress >= config.maxConcurrentJobs()) {
            // A slot that frees up dispatches again; no timer is needed until then.
            return;
        }
        long earliest = queues.earliestNotBefore(now);
        if (earliest == Long.MAX_VALUE || (wakeUp != null && wakeUpAtMillis <= earliest)) {
            return;
        }
        if (wakeUp != null) {
            wakeUp.cancel();
        }
        wakeUpAtMillis = earliest;
        wakeUp = schedule(earliest - now, this::wokeUp);
    }

    private void wokeUp() {
        synchronized (lock) {
            wakeUp = null;
            wakeUpAtMillis = Long.MAX_VALUE;
        }
        dispatch();
    }

    // ---- reserve ----------------------------------------------------------------------------

    private <T> void reserve(JobRun<T> run) {
        String leaseId;
        int attempt;
        synchronized (lock) {
            leaseId = run.leaseId;
            attempt = run.attempts;
        }
        Job<T> job = run.job;
        notify(o -> o.reserving(job, leaseId, attempt));
        CompletableFuture<ReserveResponse> answer;
        try {
            answer = limiter.reserveAsync(
                    new ReserveRequest(leaseId, job.jobId(), job.requirements()), job.deadlineMillis());
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
            if (failure != null) {
                reserveFailed(run, leaseId, Limiter.unwrap(failure));
            } else if (response.allowed()) {
                admitted(run, leaseId, response);
            } else {
                refused(run, leaseId, response);
            }
        });
    }

    private void refused(JobRun<?> run, String leaseId, ReserveResponse response) {
        Refusal refusal = response.refusal();
        if (refusal == null || refusal instanceof Refusal.LimitDecreasing) {
            denied(run, leaseId, response);
        } else if (refusal instanceof Refusal.BackendError) {
            // The server's backend did not answer in time: the holds may or may not have been made.
            retrySameLease(run, leaseId, new LimiterException("the server answered backend_error"), true);
        } else if (refusal instanceof Refusal.LeaseExpired) {
            leaseGone(run, leaseId, response.error());
        } else {
            releaseSlotAndFail(
                    run,
                    JobFailedException.Reason.REJECTED,
                    response.error(),
                    "the limiter rejected it: " + response.error(),
                    null,
                    false);
        }
    }

    private void denied(JobRun<?> run, String leaseId, ReserveResponse response) {
        long delayMs = Math.max(1, response.retryAfterMs())
                + Math.max(0, Math.min(config.denialJitterMs(), jitter.applyAsLong(config.denialJitterMs())));
        synchronized (lock) {
            queues.denied(run.queue());
        }
        notify(o -> o.denied(run.job, leaseId, response.retryAfterMs(), response.error()));
        next(run, NextStep.Outcome.DENIED, delayMs, response.error(), null, false);
    }

    private void reserveFailed(JobRun<?> run, String leaseId, Throwable failure) {
        if (failure instanceof OutcomeUnknownException) {
            retrySameLease(run, leaseId, failure, true);
        } else if (failure instanceof LimiterOverloadedException) {
            // Nothing was sent; trying the same lease again later is safe.
            retrySameLease(run, leaseId, failure, false);
        } else if (failure instanceof DeadlineExceededException) {
            releaseSlotAndFail(
                    run,
                    JobFailedException.Reason.DEADLINE_EXCEEDED,
                    "",
                    "its deadline passed before its reserve was sent",
                    failure,
                    false);
        } else {
            // A LimiterException says nothing was held; anything else is a fault whose effect we
            // cannot know, so the lease is released to be safe.
            releaseSlotAndFail(
                    run,
                    JobFailedException.Reason.LIMITER_FAILED,
                    "",
                    "the limiter failed: " + failure.getMessage(),
                    failure,
                    !(failure instanceof LimiterException));
        }
    }

    /** Retries the same lease id after the unknown-outcome backoff, unless a bound says stop. */
    private void retrySameLease(JobRun<?> run, String leaseId, Throwable cause, boolean maybeHeld) {
        long delayMs;
        synchronized (lock) {
            delayMs = config.unknownOutcomeBackoff().delayMs(run.unknownStreak, jitter);
        }
        if (maybeHeld) {
            notify(o -> o.outcomeUnknown(run.job, leaseId, cause));
        }
        next(run, NextStep.Outcome.UNKNOWN, delayMs, "", cause, maybeHeld);
    }

    /** The lease expired or was completed before a repeat reached it: start over with a new one. */
    private void leaseGone(JobRun<?> run, String leaseId, String error) {
        next(run, NextStep.Outcome.LEASE_GONE, 0, error, null, false);
    }

    /**
     * Applies {@link NextStep#decide} to a job whose reserve did not admit it: frees its slot, then
     * queues it again (a new lease id unless the outcome was unknown) or fails it. A failed job whose
     * current lease may hold capacity releases it.
     *
     * @param maybeHeld whether this reserve's outcome leaves the lease possibly holding capacity
     */
    private void next(
            JobRun<?> run, NextStep.Outcome outcome, long delayMs, String error, Throwable cause, boolean maybeHeld) {
        NextStep.Decision decision;
        String why = null;
        boolean release;
        synchronized (lock) {
            releaseSlot(run);
            run.maybeHeld |= maybeHeld;
            decision = NextStep.decide(run, outcome, delayMs, shutdown, config.maxUnknownOutcomes(), clock.nowMillis());
            switch (decision.action()) {
                case RETRY:
                    if (outcome == NextStep.Outcome.UNKNOWN) {
                        run.unknownStreak++;
                    } else {
                        // A denied lease stays denied (SPEC 2.2), a gone one is gone: the next attempt
                        // needs a new lease id.
                        run.leaseId = null;
                        run.maybeHeld = false;
                        run.unknownStreak = 0;
                    }
                    requeue(run, decision.retryAtMillis());
                    break;
                case FAIL:
                    why = NextStep.why(decision, outcome, run, delayMs, config.maxUnknownOutcomes());
                    finish(run);
                    break;
                case FORGET:
                default:
                    finish(run);
                    break;
            }
            release = run.state == JobRun.State.DONE && run.maybeHeld;
        }
        if (decision.action() == NextStep.Action.FAIL) {
            fail(run, decision.reason(), error, why + (error.isEmpty() ? "" : " (" + error + ")"), cause, release);
        } else if (release) {
            releaseInBackground(run.job, run.leaseId);
        }
        dispatch();
    }

    // ---- work and complete ------------------------------------------------------------------

    private <T> void admitted(JobRun<T> run, String leaseId, ReserveResponse response) {
        boolean skip;
        int attempt;
        synchronized (lock) {
            queues.admitted(run.queue());
            attempt = run.attempts;
            skip = run.future.isDone();
            run.state = skip ? JobRun.State.COMPLETING : JobRun.State.WORKING;
            if (run.deadlineTimer != null) {
                run.deadlineTimer.cancel();
                run.deadlineTimer = null;
            }
        }
        long waitedMs = clock.nowMillis() - run.submittedAtMillis;
        notify(o -> o.admitted(run.job, leaseId, attempt, waitedMs));
        if (skip) {
            // Cancelled while its reserve was in progress: give the admission back at once.
            complete(run, leaseId, List.of(), null, null);
        } else {
            Lease lease = new Lease(leaseId, run.job.jobId(), response.reservedAtUnixMs(), attempt);
            try {
                workers.execute(() -> work(run, lease));
            } catch (RejectedExecutionException e) {
                complete(run, leaseId, List.of(), null, e);
            }
        }
        // The admission may have widened the queue's window.
        dispatch();
    }

    private <T> void work(JobRun<T> run, Lease lease) {
        WorkResult<T> result = null;
        Throwable failure = null;
        try {
            result = run.job.work().run(lease);
            if (result == null) {
                failure = new NullPointerException("the work of " + run.job + " returned no WorkResult");
            }
        } catch (Throwable t) {
            // Whatever the work threw, the lease must still be completed and the future resolved.
            failure = t;
        }
        synchronized (lock) {
            run.state = JobRun.State.COMPLETING;
        }
        List<Actual> actuals = failure == null ? result.actuals() : List.of();
        complete(run, lease.leaseId(), actuals, failure == null ? result : null, failure);
    }

    /**
     * Completes the job's lease exactly once, then resolves its future: with the work's value, with
     * the work's failure, or not at all when the caller already resolved it.
     */
    private <T> void complete(
            JobRun<T> run, String leaseId, List<Actual> actuals, WorkResult<T> result, Throwable failure) {
        CompletableFuture<CompleteResponse> answer;
        try {
            answer = limiter.completeAsync(
                    new CompleteRequest(leaseId, run.job.jobId(), actuals),
                    saturatingAdd(clock.nowMillis(), config.completeTimeoutMs()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, completeFailure) -> {
            boolean ok = completeFailure == null && response.ok();
            if (!ok) {
                LOG.warn("complete of lease " + leaseId + " of " + run.job + " failed ("
                        + (completeFailure != null ? Limiter.unwrap(completeFailure) : response.error())
                        + "); its holds expire by themselves");
            }
            notify(o -> o.completed(run.job, leaseId, ok));
            synchronized (lock) {
                releaseSlot(run);
                finish(run);
            }
            if (failure != null) {
                JobFailedException.Reason reason = failure instanceof RejectedExecutionException
                        ? JobFailedException.Reason.SHUTDOWN
                        : JobFailedException.Reason.WORK_FAILED;
                String why = reason == JobFailedException.Reason.SHUTDOWN
                        ? "admitted, but the worker pool refused its work: " + failure.getMessage()
                        : "its work failed: " + failure;
                fail(run, reason, "", why, failure, false);
            } else if (result != null && run.future.complete(result.value())) {
                long totalMs = clock.nowMillis() - run.submittedAtMillis;
                notify(o -> o.succeeded(run.job, totalMs));
            }
            dispatch();
        });
    }

    // ---- deadlines, cancellation, failure ---------------------------------------------------

    private void deadlinePassed(JobRun<?> run) {
        boolean release;
        synchronized (lock) {
            run.deadlineTimer = null;
            if (run.state != JobRun.State.QUEUED) {
                // In progress: the reserve carries the same deadline and ends by it; work that has
                // started is never interrupted.
                return;
            }
            queues.remove(run);
            finish(run);
            release = run.maybeHeld;
        }
        fail(
                run,
                JobFailedException.Reason.DEADLINE_EXCEEDED,
                "",
                "its deadline passed while it waited in its queue",
                null,
                release);
        dispatch();
    }

    private void cancelled(JobRun<?> run) {
        String abandonedLeaseId;
        synchronized (lock) {
            if (run.state != JobRun.State.QUEUED) {
                return;
            }
            queues.remove(run);
            finish(run);
            abandonedLeaseId = run.maybeHeld ? run.leaseId : null;
        }
        if (abandonedLeaseId != null) {
            releaseInBackground(run.job, abandonedLeaseId);
        }
    }

    private void releaseSlotAndFail(
            JobRun<?> run,
            JobFailedException.Reason reason,
            String error,
            String why,
            Throwable cause,
            boolean maybeHeld) {
        boolean release;
        synchronized (lock) {
            releaseSlot(run);
            finish(run);
            release = maybeHeld || run.maybeHeld;
        }
        fail(run, reason, error, why, cause, release);
        dispatch();
    }

    /** The job no longer holds a slot (it is done, or waits again). Caller holds the lock. */
    private void releaseSlot(JobRun<?> run) {
        jobsInProgress--;
        queues.released(run.queue());
    }

    /** Marks a job done. Caller holds the lock. */
    private void finish(JobRun<?> run) {
        run.state = JobRun.State.DONE;
        if (run.deadlineTimer != null) {
            run.deadlineTimer.cancel();
            run.deadlineTimer = null;
        }
        if (shutdown && jobsInProgress == 0) {
            lock.notifyAll();
        }
    }

    private void fail(
            JobRun<?> run,
            JobFailedException.Reason reason,
            String error,
            String why,
            Throwable cause,
            boolean releaseLease) {
        String leaseId;
        synchronized (lock) {
            leaseId = run.leaseId;
        }
        if (releaseLease && leaseId != null) {
            releaseInBackground(run.job, leaseId);
        }
        JobFailedException failure = new JobFailedException(
                reason, error, run.job + " failed after " + attemptsOf(run) + " reserve attempt(s): " + why, cause);
        if (run.future.completeExceptionally(failure)) {
            notify(o -> o.failed(run.job, failure));
        }
    }

    private int attemptsOf(JobRun<?> run) {
        synchronized (lock) {
            return run.attempts;
        }
    }

    /**
     * Gives up a lease whose reserve may have landed: a complete without actuals releases its holds
     * early (concurrency at once; rolling holds stay, as usage is unknown). Best effort, bounded by
     * the complete timeout; a failure only means the holds expire by themselves.
     */
    private void releaseInBackground(Job<?> job, String leaseId) {
        CompletableFuture<CompleteResponse> answer;
        try {
            answer = limiter.completeAsync(
                    new CompleteRequest(leaseId, job.jobId(), List.of()),
                    saturatingAdd(clock.nowMillis(), config.completeTimeoutMs()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> {
            if (failure != null || !response.ok()) {
                LOG.atDebug().log(() -> "release of abandoned lease " + leaseId + " failed ("
                        + (failure != null ? Limiter.unwrap(failure) : response.error())
                        + "); its holds expire by themselves");
            }
        });
    }

    /** Puts a job back at the head of its queue to wait until {@code notBeforeMillis}. Caller holds the lock. */
    private void requeue(JobRun<?> run, long notBeforeMillis) {
        run.state = JobRun.State.QUEUED;
        run.notBeforeMillis = notBeforeMillis;
        queues.addFirst(run);
    }

    private Cancellable schedule(long delayMs, Runnable task) {
        try {
            return timer.schedule(delayMs, task);
        } catch (RejectedExecutionException e) {
            // The timer was closed by its owner: run the task now rather than never; a wake-up
            // dispatches early, a deadline fails the job early.
            LOG.warn("the scheduler's timer refused a task; running it at once");
            CompletableFuture.runAsync(task);
            return () -> {};
        }
    }

    private void notify(Consumer<SchedulerObserver> event) {
        try {
            event.accept(observer);
        } catch (RuntimeException e) {
            // Metrics must never break scheduling.
            LOG.warn("a scheduler observer failed", e);
        }
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static ExecutorService newWorkerPool(int threads) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        // The queue never holds more than maxConcurrentJobs tasks: work is handed over only by a job
        // that holds one of the slots.
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread =
                    new Thread(runnable, "ratelimiter-scheduler-" + pool + "-worker-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Builds a {@link Scheduler}; not thread-safe. */
    public static final class Builder {
        private final Limiter limiter;
        private SchedulerConfig config = SchedulerConfig.DEFAULT;
        private TaskTimer timer;
        private Executor workers;
        private Supplier<String> leaseIds;
        private LongUnaryOperator jitter = Backoff.randomJitter();
        private SchedulerObserver observer = SchedulerObserver.NONE;

        private Builder(Limiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "limiter");
        }

        public Builder config(SchedulerConfig newConfig) {
            this.config = Objects.requireNonNull(newConfig, "config");
            return this;
        }

        /** Runs retry delays and deadlines; must use the limiter's clock. Default: a timer of its own. */
        public Builder timer(TaskTimer newTimer) {
            this.timer = newTimer;
            return this;
        }

        /**
         * Runs the jobs' work. Default: a pool of {@link SchedulerConfig#maxConcurrentJobs()} daemon
         * threads of the scheduler's own. A given executor must accept at least that many tasks.
         */
        public Builder workers(Executor newWorkers) {
            this.workers = newWorkers;
            return this;
        }

        /** Makes lease ids; must never repeat one. Default: spec ULIDs, monotonic on the timer's clock. */
        public Builder leaseIds(Supplier<String> newLeaseIds) {
            this.leaseIds = Objects.requireNonNull(newLeaseIds, "leaseIds");
            return this;
        }

        /** Given a bound {@code b}, a value in {@code [0, b]}; the jitter of retries. Default: random. */
        public Builder jitter(LongUnaryOperator newJitter) {
            this.jitter = Objects.requireNonNull(newJitter, "jitter");
            return this;
        }

        public Builder observer(SchedulerObserver newObserver) {
            this.observer = Objects.requireNonNull(newObserver, "observer");
            return this;
        }

        public Scheduler build() {
            return new Scheduler(this);
        }
    }
}
