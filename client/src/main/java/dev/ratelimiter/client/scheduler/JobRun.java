package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.client.timing.Cancellable;
import java.util.concurrent.CompletableFuture;

/**
 * One submitted job on its way through the scheduler. The final fields are set at submission; the
 * others are guarded by the scheduler's lock.
 */
final class JobRun<T> {
    enum State {
        /** In a queue, waiting for a slot and for {@code notBeforeMillis}. */
        QUEUED,
        /** Holds a slot; its reserve is in progress. */
        RESERVING,
        /** Holds a slot; admitted, its work runs (or is about to). */
        WORKING,
        /** Holds a slot; its complete is in progress. */
        COMPLETING,
        /** Finished: the future is resolved (or was resolved by the caller), no slot held. */
        DONE
    }

    final Job<T> job;
    final CompletableFuture<T> future = new CompletableFuture<>();
    final long submittedAtMillis;
    final int maxAttempts;

    State state = State.QUEUED;
    /** The lease of the next or current reserve; null until one is chosen, and again after a denial. */
    String leaseId;
    /** Reserve attempts sent so far. */
    int attempts;
    /** Consecutive unknown outcomes of the current lease, for the backoff. */
    int unknownStreak;
    /** A reserve of the current lease had an unknown outcome: the lease may hold capacity. */
    boolean maybeHeld;
    /** The job may not be dispatched before this time. */
    long notBeforeMillis;

    Cancellable deadlineTimer;

    JobRun(Job<T> job, long submittedAtMillis, int maxAttempts) {
        this.job = job;
        this.submittedAtMillis = submittedAtMillis;
        this.notBeforeMillis = submittedAtMillis;
        this.maxAttempts = maxAttempts;
    }

    String queue() {
        return job.queue();
    }
}
