package dev.ratelimiter.bench.support;

import dev.ratelimiter.core.time.Clock;

/**
 * A clock whose time passes {@code speedup} times faster than real time, from the moment it is made.
 *
 * <p>Why: a benchmark reserves millions of leases a second. On the real clock a one-second window
 * would keep millions of live holds per key, and the heap, the lease records and the garbage would
 * grow until the run measured the collector instead of the limiter. With time running faster, holds
 * expire while the benchmark runs, and the backend settles into the steady state of a production
 * key: every reserve adds one hold and, on average, one expired hold is purged. With speedup 100 and
 * one-second windows, a key keeps the holds of the last 10 ms of real time.
 *
 * <p>Thread-safe: immutable; {@link System#nanoTime()} is monotonic and safe from any thread.
 */
public final class AcceleratedClock implements Clock {
    private final long startMillis;
    private final long startNanos;
    private final long speedup;

    /**
     * @param speedup how many virtual milliseconds pass per real millisecond (1 to 1,000,000)
     */
    public AcceleratedClock(long speedup) {
        if (speedup < 1 || speedup > 1_000_000) {
            throw new IllegalArgumentException("speedup must be from 1 to 1000000, got " + speedup);
        }
        this.speedup = speedup;
        this.startMillis = System.currentTimeMillis();
        this.startNanos = System.nanoTime();
    }

    @Override
    public long nowMillis() {
        long elapsedNanos = System.nanoTime() - startNanos;
        // Multiplying first keeps sub-millisecond progress; at speedup 10^6 it overflows after about
        // 2.5 hours of real time, far beyond any benchmark run.
        return startMillis + elapsedNanos * speedup / 1_000_000L;
    }
}
