package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.ids.UlidGenerator;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker of the closed loop: reserve a call of leases, complete the admitted ones, repeat until
 * the run ends.
 *
 * <p>Each reserve names fresh ULID lease ids, as a real client does; a denied lease is not retried
 * under the same id (SPEC 2.2). A call that fails as a whole is counted as an error of each of its
 * items, and the worker pauses {@link #ERROR_PAUSE_MS} before its next call, so that a server that
 * is down is not hammered in a tight loop. The loop is bounded by the run's end: no call starts
 * after it, and every wait ends by it.
 *
 * <p>Not thread-safe: one thread runs one worker. Its statistics are read after the thread ended.
 */
final class Worker implements Runnable {
    static final long ERROR_PAUSE_MS = 10;

    private final LoadTarget target;
    private final CallMix calls;
    private final LoadConfig config;
    private final UlidGenerator leaseIds;
    private final long measureStartNanos;
    private final long endNanos;
    private final WorkerStats warmupStats;
    private final WorkerStats measuredStats;
    private long nextLease;

    /**
     * @param index this worker's number; spreads the workers' first leases over the providers
     */
    Worker(
            int index,
            LoadTarget target,
            CallMix calls,
            LoadConfig config,
            long measureStartNanos,
            long endNanos,
            Timeline timeline) {
        this.target = target;
        this.calls = calls;
        this.config = config;
        this.leaseIds = new UlidGenerator(
                Clock.system(), new SplittableRandom(System.nanoTime() ^ index * 0x9E3779B97F4A7C15L));
        this.measureStartNanos = measureStartNanos;
        this.endNanos = endNanos;
        this.warmupStats = new WorkerStats(new Timeline(measureStartNanos, 1));
        this.measuredStats = new WorkerStats(timeline);
        this.nextLease = index;
    }

    WorkerStats measured() {
        return measuredStats;
    }

    @Override
    public void run() {
        int batchSize = config.batchSize();
        List<ReserveRequest> reserves = new ArrayList<>(batchSize);
        long[] numbers = new long[batchSize];
        while (!Thread.currentThread().isInterrupted()) {
            long startNanos = System.nanoTime();
            if (startNanos - endNanos >= 0) {
                return;
            }
            WorkerStats stats = startNanos - measureStartNanos >= 0 ? measuredStats : warmupStats;
            reserves.clear();
            for (int i = 0; i < batchSize; i++) {
                numbers[i] = nextLease;
                reserves.add(calls.reserve(nextLease, leaseIds.nextString()));
                nextLease += config.concurrency();
            }
            List<ReserveResponse> responses;
            try {
                responses = target.reserve(reserves);
            } catch (RuntimeException e) {
                stats.reserveFailed(startNanos, System.nanoTime() - startNanos, batchSize, e);
                pause(TimeUnit.MILLISECONDS.toNanos(ERROR_PAUSE_MS));
                continue;
            }
            stats.reserved(startNanos, System.nanoTime() - startNanos, responses);
            long retryAfterMs = completeAdmitted(stats, reserves, numbers, responses);
            if (config.honorRetryAfter() && retryAfterMs > 0) {
                pause(TimeUnit.MILLISECONDS.toNanos(retryAfterMs));
            }
        }
    }

    /** Completes the admitted leases of one call; returns the largest retry hint of its denials. */
    private long completeAdmitted(
            WorkerStats stats, List<ReserveRequest> reserves, long[] numbers, List<ReserveResponse> responses) {
        List<CompleteRequest> completes = new ArrayList<>(responses.size());
        long retryAfterMs = 0;
        for (int i = 0; i < responses.size(); i++) {
            ReserveResponse response = responses.get(i);
            if (response.allowed()) {
                completes.add(calls.complete(numbers[i], reserves.get(i).leaseId()));
            } else {
                retryAfterMs = Math.max(retryAfterMs, response.retryAfterMs());
            }
        }
        if (completes.isEmpty()) {
            return retryAfterMs;
        }
        if (config.workMs() > 0) {
            pause(TimeUnit.MILLISECONDS.toNanos(config.workMs()));
        }
        long startNanos = System.nanoTime();
        try {
            List<CompleteResponse> answers = target.complete(completes);
            stats.completed(startNanos, System.nanoTime() - startNanos, answers);
        } catch (RuntimeException e) {
            stats.completeFailed(startNanos, System.nanoTime() - startNanos, completes.size(), e);
        }
        return retryAfterMs;
    }

    /** Waits {@code nanos}, but never past the end of the run. */
    private void pause(long nanos) {
        long untilNanos = Math.min(System.nanoTime() + nanos, endNanos);
        long remaining;
        while ((remaining = untilNanos - System.nanoTime()) > 0
                && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(remaining);
        }
    }
}
