package dev.ratelimiter.bench.loadtest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one load run, as every report shows it: rates, latency percentiles, outcome
 * counts, batch sizes and the throughput timeline.
 *
 * <p>Effectively immutable once the driver made it (nothing changes its statistics afterwards);
 * safe to read from any thread after publication.
 *
 * @param target what was driven, e.g. {@code http http://127.0.0.1:8080}
 * @param measuredNanos the measured time (warm-up excluded)
 * @param stats every worker's measured numbers, added up
 * @param batchSizes requests per call that reached the limiter
 * @param stuckWorkers workers that did not stop within the grace period; their numbers are missing
 */
record LoadResult(
        LoadConfig config,
        String target,
        Instant startedAt,
        long measuredNanos,
        WorkerStats stats,
        Histogram batchSizes,
        int stuckWorkers) {

    /** The percentiles each report lists. */
    static final double[] LISTED_PERCENTILES = {50, 95, 99};

    double measuredSeconds() {
        return measuredNanos / 1e9;
    }

    double reservesPerSecond() {
        return stats.reserveItems / measuredSeconds();
    }

    double completesPerSecond() {
        return stats.completeItems / measuredSeconds();
    }

    long reserveErrorCount() {
        return stats.reserveErrors.total();
    }

    long completeErrorCount() {
        return stats.completeErrors.total();
    }

    /** Whether any call failed as a whole, any answer carried an error code, or a worker got stuck. */
    boolean hasErrors() {
        return stuckWorkers > 0
                || reserveErrorCount() > 0
                || completeErrorCount() > 0
                || stats.rejected.total() > 0
                || stats.completeFailed.total() > 0;
    }

    /** The machine and JVM the generator ran on (the server may run elsewhere in http mode). */
    static Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        environment.put(
                "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        environment.put("max_heap_mb", Long.toString(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        return environment;
    }

    /** A latency in microseconds from a histogram of nanoseconds (0 for an empty histogram). */
    static double micros(Histogram nanos, double percentile) {
        return nanos.getTotalCount() == 0 ? 0 : nanos.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMicros(Histogram nanos) {
        return nanos.getTotalCount() == 0 ? 0 : nanos.getMaxValue() / 1000.0;
    }

    static double meanMicros(Histogram nanos) {
        return nanos.getTotalCount() == 0 ? 0 : nanos.getMean() / 1000.0;
    }
}
