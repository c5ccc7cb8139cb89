package dev.ratelimiter.chaos.workload;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a {@link WorkloadRun}, updated by every worker. Thread-safe: adders and accumulators;
 * the per-key and per-code maps are concurrent and hold one entry per key or error code the run
 * meets, which the workload's limits bound.
 */
public final class RunStats {
    final LongAdder reserveCalls = new LongAdder();
    final LongAdder allowed = new LongAdder();
    final LongAdder denied = new LongAdder();
    final LongAdder reserveFailures = new LongAdder();
    final LongAdder backendErrors = new LongAdder();
    final LongAdder leasesLost = new LongAdder();
    final LongAdder completeCalls = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder completeFailures = new LongAdder();
    final LongAdder completionsUnknown = new LongAdder();
    final LongAdder abandoned = new LongAdder();
    final LongAccumulator longestCallMillis = new LongAccumulator(Math::max, 0);
    final ConcurrentHashMap<String, LongAdder> allowedByKey = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, LongAdder> deniedByKey = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, LongAdder> unexpected = new ConcurrentHashMap<>();

    /** Reserves sent, retries of one lease id included. */
    public long reserveCalls() {
        return reserveCalls.sum();
    }

    public long allowed() {
        return allowed.sum();
    }

    /** Denials for lack of capacity ({@code error=""}). */
    public long denied() {
        return denied.sum();
    }

    /** Reserves without an answer (transport error, timeout, unexpected status). */
    public long reserveFailures() {
        return reserveFailures.sum();
    }

    /** Answers with {@code backend_error}, to reserve or complete. */
    public long backendErrors() {
        return backendErrors.sum();
    }

    /**
     * Leases whose reserve got no answer and whose retry with the same id answered
     * {@code lease_expired} or never got an answer either: the admission, if there was one, is not
     * in the log (which keeps its sums lower bounds).
     */
    public long leasesLost() {
        return leasesLost.sum();
    }

    /** Completes sent, retries included. */
    public long completeCalls() {
        return completeCalls.sum();
    }

    /** Leases whose complete answered ok. */
    public long completed() {
        return completed.sum();
    }

    /** Completes without an answer or with a backend error. */
    public long completeFailures() {
        return completeFailures.sum();
    }

    /** Leases whose complete never answered ok within its attempts. */
    public long completionsUnknown() {
        return completionsUnknown.sum();
    }

    /** Leases never completed on purpose. */
    public long abandoned() {
        return abandoned.sum();
    }

    /** The longest single call, in milliseconds of real time. */
    public long longestCallMillis() {
        return longestCallMillis.get();
    }

    /** Per key: requests naming it that were admitted. */
    public Map<String, Long> allowedByKey() {
        return snapshot(allowedByKey);
    }

    /** Per key: requests naming it that were denied for lack of capacity. */
    public Map<String, Long> deniedByKey() {
        return snapshot(deniedByKey);
    }

    /**
     * Answers and failures a correct limiter never gives this workload, by kind: an error code
     * other than {@code backend_error}, a malformed-request refusal, or a complete that is not ok.
     */
    public Map<String, Long> unexpected() {
        return snapshot(unexpected);
    }

    void countUnexpected(String what) {
        unexpected.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    static void increment(ConcurrentHashMap<String, LongAdder> counters, String key) {
        counters.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    /** One line for a report. */
    public String describe() {
        return "reserves " + reserveCalls() + " (allowed " + allowed() + ", denied " + denied() + ", no answer "
                + reserveFailures() + ", backend_error " + backendErrors.sum() + ", lost " + leasesLost()
                + "), completes "
                + completeCalls() + " (ok " + completed() + ", failed " + completeFailures() + ", unknown "
                + completionsUnknown() + "), abandoned " + abandoned() + ", longest call " + longestCallMillis()
                + " ms, unexpected " + unexpected();
    }
}
