package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.client.scheduler.JobFailedException.Reason;

/**
 * What the scheduler does with a job whose reserve did not admit it: the one decision chain (done,
 * shutdown, attempts, unknown outcomes, deadline, retry) for every kind of refusal, as a pure
 * function of the job's run, the outcome and the time, so that a table test can pin it down.
 */
final class NextStep {
    private NextStep() {}

    /** How a reserve that did not admit the job ended. */
    enum Outcome {
        /** Denied for capacity, or the limit is decreasing: retry later with a new lease id. */
        DENIED,
        /** No definitive answer (backend_error, timeout, overload): retry later with the same lease id. */
        UNKNOWN,
        /** The lease was completed or a hold expired before the repeat reached it: start over at once. */
        LEASE_GONE
    }

    /** What happens to the job. */
    enum Action {
        /** Its future is resolved already (cancelled by the caller): only forget it. */
        FORGET,
        /** Queue it again, not before the returned time. */
        RETRY,
        /** Fail it for {@link Decision#reason}. */
        FAIL
    }

    /**
     * @param retryAtMillis when the retry may be dispatched (RETRY)
     * @param reason why the job fails (FAIL); null otherwise
     */
    record Decision(Action action, long retryAtMillis, Reason reason) {
        static Decision forget() {
            return new Decision(Action.FORGET, 0, null);
        }

        static Decision retryAt(long retryAtMillis) {
            return new Decision(Action.RETRY, retryAtMillis, null);
        }

        static Decision fail(Reason reason) {
            return new Decision(Action.FAIL, 0, reason);
        }
    }

    /**
     * The decision for {@code run} after {@code outcome}, whose retry would wait {@code delayMs}, at
     * {@code nowMillis}. Reads the run's fields; the caller holds the scheduler's lock.
     *
     * @param shutdown whether the scheduler was shut down
     * @param maxUnknownOutcomes how many unknown outcomes in a row make the limiter count as failed
     */
    static Decision decide(
            JobRun<?> run, Outcome outcome, long delayMs, boolean shutdown, int maxUnknownOutcomes, long nowMillis) {
        if (run.future.isDone()) {
            return Decision.forget();
        }
        if (shutdown) {
            return Decision.fail(Reason.SHUTDOWN);
        }
        if (run.attempts >= run.maxAttempts) {
            return Decision.fail(Reason.ATTEMPTS_EXHAUSTED);
        }
        if (outcome == Outcome.UNKNOWN && run.unknownStreak + 1 >= maxUnknownOutcomes) {
            return Decision.fail(Reason.LIMITER_FAILED);
        }
        if (outcome != Outcome.LEASE_GONE && delayMs >= run.job.deadlineMillis() - nowMillis) {
            return Decision.fail(Reason.DEADLINE_EXCEEDED);
        }
        return Decision.retryAt(nowMillis + delayMs);
    }

    /** Why the job failed, in words for its {@link JobFailedException}. */
    static String why(Decision decision, Outcome outcome, JobRun<?> run, long delayMs, int maxUnknownOutcomes) {
        String what = switch (outcome) {
            case DENIED -> "denied";
            case UNKNOWN -> "its reserve had no definitive answer";
            case LEASE_GONE -> "its lease " + run.leaseId + " was gone";
        };
        return switch (decision.reason()) {
            case SHUTDOWN -> what + ", and the scheduler shut down meanwhile";
            case ATTEMPTS_EXHAUSTED -> what + " on its last of " + run.maxAttempts + " attempts";
            case LIMITER_FAILED -> maxUnknownOutcomes + " reserves in a row had no definitive answer from the limiter";
            case DEADLINE_EXCEEDED -> what + ", and the retry in " + delayMs + " ms would come after its deadline";
            default -> what;
        };
    }
}
