package dev.ratelimiter.client.timing;

/** A handle to a task scheduled on a {@link TaskTimer}. */
@FunctionalInterface
public interface Cancellable {

    /** Stops the task from running if it has not started yet; does nothing otherwise. Idempotent. */
    void cancel();
}
