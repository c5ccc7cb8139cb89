package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one worker saw during one phase (warm-up or measurement): call latencies, outcome counts and
 * per-interval counts for the throughput timeline.
 *
 * <p>Not thread-safe: each worker owns its instances and nobody reads them until the worker has
 * stopped; {@link #mergeInto} then adds them up. Latencies are recorded in nanoseconds per call (a
 * batch call is one sample), in histograms that resize themselves (3 significant digits).
 */
final class WorkerStats {
    final Histogram reserveNanos = new Histogram(3);
    final Histogram completeNanos = new Histogram(3);
    long reserveCalls;
    long reserveItems;
    long allowed;
    long denied;
    final Tally rejected = new Tally();
    final Tally reserveErrors = new Tally();
    long completeCalls;
    long completeItems;
    long completeOk;
    final Tally completeFailed = new Tally();
    final Tally completeErrors = new Tally();
    final Timeline timeline;

    WorkerStats(Timeline timeline) {
        this.timeline = timeline;
    }

    void reserved(long startNanos, long latencyNanos, List<ReserveResponse> responses) {
        reserveNanos.recordValue(latencyNanos);
        reserveCalls++;
        reserveItems += responses.size();
        long deniedNow = 0;
        for (ReserveResponse response : responses) {
            if (response.allowed()) {
                allowed++;
            } else if (response.error().isEmpty()) {
                deniedNow++;
            } else {
                rejected.add(Tally.codeName(response.error()), 1);
            }
        }
        denied += deniedNow;
        timeline.reserves(startNanos, responses.size(), deniedNow);
    }

    void reserveFailed(long startNanos, long latencyNanos, int items, Throwable failure) {
        reserveNanos.recordValue(latencyNanos);
        reserveCalls++;
        reserveItems += items;
        reserveErrors.add(failure.getClass().getSimpleName(), items);
        timeline.errors(startNanos, items);
    }

    void completed(long startNanos, long latencyNanos, List<CompleteResponse> responses) {
        completeNanos.recordValue(latencyNanos);
        completeCalls++;
        completeItems += responses.size();
        for (CompleteResponse response : responses) {
            if (response.ok()) {
                completeOk++;
            } else {
                completeFailed.add(Tally.codeName(response.error()), 1);
            }
        }
        timeline.completes(startNanos, responses.size());
    }

    void completeFailed(long startNanos, long latencyNanos, int items, Throwable failure) {
        completeNanos.recordValue(latencyNanos);
        completeCalls++;
        completeItems += items;
        completeErrors.add(failure.getClass().getSimpleName(), items);
        timeline.errors(startNanos, items);
    }

    /** Adds this worker's numbers to {@code total}. */
    void mergeInto(WorkerStats total) {
        total.reserveNanos.add(reserveNanos);
        total.completeNanos.add(completeNanos);
        total.reserveCalls += reserveCalls;
        total.reserveItems += reserveItems;
        total.allowed += allowed;
        total.denied += denied;
        total.rejected.addAll(rejected);
        total.reserveErrors.addAll(reserveErrors);
        total.completeCalls += completeCalls;
        total.completeItems += completeItems;
        total.completeOk += completeOk;
        total.completeFailed.addAll(completeFailed);
        total.completeErrors.addAll(completeErrors);
        total.timeline.addAll(timeline);
    }
}
