package dev.ratelimiter.chaos.workload;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a worker does when it has nothing to do until a later instant on the run's clock: under
 * real time it parks until then (at most {@link #MAX_PARK_MILLIS}, so that it notices a stop);
 * under a manual clock, which another thread moves, it only yields.
 */
@FunctionalInterface
public interface Pacer {
    /** The longest single park of {@link #realTime()}. */
    long MAX_PARK_MILLIS = 20;

    void idle(long nowMillis, long untilMillis);

    /** For the system clock: parks until {@code untilMillis}, at most {@link #MAX_PARK_MILLIS}. */
    static Pacer realTime() {
        return (nowMillis, untilMillis) -> {
            long millis = Math.max(1, Math.min(MAX_PARK_MILLIS, untilMillis - nowMillis));
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
        };
    }

    /** For a manual clock: yields to the other threads, one of which moves the clock. */
    static Pacer manualClock() {
        return (nowMillis, untilMillis) -> Thread.yield();
    }
}
