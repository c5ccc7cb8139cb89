package dev.ratelimiter.bench.loadtest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one load: seeds the limits, starts {@code concurrency} workers, lets them warm up and then
 * measures for the configured duration, stops them and adds up what they saw.
 *
 * <p>Bounded: after the run's end the driver waits at most {@link #STOP_GRACE} for the workers'
 * last calls (each is bounded by the limiter's own timeouts), then interrupts the rest and reports
 * how many did not stop; their numbers are left out. Workers are daemon threads, so a stuck one
 * never keeps the process alive.
 *
 * <p>Not thread-safe: one run at a time per driver.
 */
final class LoadDriver {
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final LoadConfig config;
    private final LoadTarget target;

    LoadDriver(LoadConfig config, LoadTarget target) {
        this.config = config;
        this.target = target;
    }

    LoadResult run() throws InterruptedException {
        if (config.seed()) {
            target.seed(config.limitDefinitions());
        }
        CallMix calls = new CallMix(config);
        long durationNanos = config.duration().toNanos();
        Instant startedAt = Instant.now();
        long startNanos = System.nanoTime();
        long measureStartNanos = startNanos + config.warmup().toNanos();
        long endNanos = measureStartNanos + durationNanos;
        Timeline total = new Timeline(measureStartNanos, durationNanos);

        List<Worker> workers = new ArrayList<>(config.concurrency());
        List<Thread> threads = new ArrayList<>(config.concurrency());
        for (int i = 0; i < config.concurrency(); i++) {
            Worker worker = new Worker(i, target, calls, config, measureStartNanos, endNanos, total.emptyCopy());
            Thread thread = new Thread(worker, "loadtest-worker-" + i);
            thread.setDaemon(true);
            workers.add(worker);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        waitUntil(measureStartNanos);
        // Batch sizes of the warm-up are dropped: the next interval is the measured one.
        target.takeBatchSizes();

        long stopDeadlineNanos = endNanos + STOP_GRACE.toNanos();
        WorkerStats merged = new WorkerStats(total);
        int stuck = 0;
        for (int i = 0; i < threads.size(); i++) {
            Thread thread = threads.get(i);
            long waitNanos = stopDeadlineNanos - System.nanoTime();
            if (waitNanos > 0) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
            }
            if (thread.isAlive()) {
                thread.interrupt();
                stuck++;
            } else {
                workers.get(i).measured().mergeInto(merged);
            }
        }
        long measuredNanos = Math.max(1, Math.min(System.nanoTime(), endNanos) - measureStartNanos);
        return new LoadResult(
                config, target.describe(), startedAt, measuredNanos, merged, target.takeBatchSizes(), stuck);
    }

    /** Sleeps until {@code deadlineNanos} on the real clock; the driver has nothing else to do. */
    private static void waitUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }
}
