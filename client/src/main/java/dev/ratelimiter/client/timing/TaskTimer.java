package dev.ratelimiter.client.timing;

import dev.ratelimiter.core.time.Clock;

/**
 * Runs tasks after a delay, measured on {@link #clock()}: the one seam through which the client's
 * flush intervals, deadlines and retry delays see time.
 *
 * <p>Tasks must be short and must not block: they run on the timer's own thread (or, for the manual
 * timer, on the thread that advances time). Implementations are thread-safe.
 */
public interface TaskTimer {

    /** The clock that delays and deadlines are measured on. */
    Clock clock();

    /**
     * Runs {@code task} once, {@code delayMs} milliseconds from now (at once when {@code delayMs <= 0}).
     * An exception thrown by the task is logged and does not stop the timer.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the timer is closed
     */
    Cancellable schedule(long delayMs, Runnable task);
}
