package dev.ratelimiter.client.scheduler;

/**
 * Why a job ended without a result. The reason is a value callers can switch on; the message names
 * the job, its queue and what happened.
 */
public final class JobFailedException extends RuntimeException {

    /** Why a job failed. */
    public enum Reason {
        /** The limiter refused the request for good: {@code exceeds_capacity}, {@code unknown_limit_key},
         * {@code invalid_request} or another definitive error; see {@link #error()}. */
        REJECTED,
        /** The job used up its reserve attempts. */
        ATTEMPTS_EXHAUSTED,
        /** The job's deadline passed, or its next attempt could only come after it. */
        DEADLINE_EXCEEDED,
        /** The scheduler shut down before the job was admitted. */
        SHUTDOWN,
        /** The limiter failed in a way that retrying will not mend (closed, wrong URL, ...). */
        LIMITER_FAILED,
        /** The job's work threw; the cause is the work's exception. */
        WORK_FAILED
    }

    private final Reason reason;
    private final String error;

    public JobFailedException(Reason reason, String error, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.error = error == null ? "" : error;
    }

    public Reason reason() {
        return reason;
    }

    /** The limiter's error code behind a {@link Reason#REJECTED} or the last denial; "" otherwise. */
    public String error() {
        return error;
    }
}
