package dev.ratelimiter.bench.loadtest;

import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The report printed at the end of a run: one line per operation with its rate and latency
 * percentiles, then the outcome counts and the batch sizes.
 *
 * <p>Stateless; thread-safe.
 */
final class TextReport {
    private TextReport() {}

    static String of(LoadResult result) {
        LoadConfig config = result.config();
        WorkerStats stats = result.stats();
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "loadtest: %s, %.1f s measured after %.1f s warm-up, %d workers, "
                        + "%d providers, %d tenants, batch size %d%s%n",
                result.target(),
                result.measuredSeconds(),
                config.warmup().toMillis() / 1000.0,
                config.concurrency(),
                config.providers(),
                config.tenants(),
                config.batchSize(),
                config.coalesce() ? " (coalesced by the client's batcher)" : ""));
        text.append(String.format(
                Locale.ROOT,
                "%-9s %14s %10s %10s %10s %10s %12s%n",
                "",
                "items/s",
                "p50 us",
                "p95 us",
                "p99 us",
                "max us",
                "calls"));
        line(text, "reserve", result.reservesPerSecond(), stats.reserveNanos, stats.reserveCalls);
        line(text, "complete", result.completesPerSecond(), stats.completeNanos, stats.completeCalls);
        text.append(String.format(
                Locale.ROOT,
                "reserve:  %,d items: allowed %,d, denied %,d, rejected %,d%s, errors %,d%s%n",
                stats.reserveItems,
                stats.allowed,
                stats.denied,
                stats.rejected.total(),
                details(stats.rejected.asMap()),
                result.reserveErrorCount(),
                details(stats.reserveErrors.asMap())));
        text.append(String.format(
                Locale.ROOT,
                "complete: %,d items: ok %,d, failed %,d%s, errors %,d%s%n",
                stats.completeItems,
                stats.completeOk,
                stats.completeFailed.total(),
                details(stats.completeFailed.asMap()),
                result.completeErrorCount(),
                details(stats.completeErrors.asMap())));
        Histogram sizes = result.batchSizes();
        if (sizes.getTotalCount() == 0) {
            text.append("batch sizes: no calls reached the limiter\n");
        } else {
            text.append(String.format(
                    Locale.ROOT,
                    "batch sizes: %,d calls reached the limiter: min %d, mean %.2f, "
                            + "p50 %d, max %d requests per call%n",
                    sizes.getTotalCount(),
                    sizes.getMinValue(),
                    sizes.getMean(),
                    sizes.getValueAtPercentile(50),
                    sizes.getMaxValue()));
        }
        if (result.stuckWorkers() > 0) {
            text.append(String.format(
                    Locale.ROOT,
                    "%d workers did not stop within %d s; their numbers are missing%n",
                    result.stuckWorkers(),
                    LoadDriver.STOP_GRACE.toSeconds()));
        }
        return text.toString();
    }

    private static void line(StringBuilder text, String name, double perSecond, Histogram nanos, long calls) {
        text.append(String.format(
                Locale.ROOT,
                "%-9s %,14.1f %10.1f %10.1f %10.1f %10.1f %,12d%n",
                name,
                perSecond,
                LoadResult.micros(nanos, 50),
                LoadResult.micros(nanos, 95),
                LoadResult.micros(nanos, 99),
                LoadResult.maxMicros(nanos),
                calls));
    }

    private static String details(Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(" (");
        counts.forEach((name, count) -> text.append(text.length() > 2 ? ", " : "")
                .append(name)
                .append(' ')
                .append(count));
        return text.append(')').toString();
    }
}
