package dev.ratelimiter.bench.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The report of a run as a tree of maps and lists with snake_case keys: what the JSON file holds,
 * and the one place that decides which numbers a report carries.
 *
 * <p>Stateless; thread-safe.
 */
final class ReportData {
    /** The points of the latency percentile curves, from the median to the maximum. */
    static final double[] CURVE_PERCENTILES = {
        0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.999, 100
    };

    private ReportData() {}

    static Map<String, Object> of(LoadResult result) {
        LoadConfig config = result.config();
        WorkerStats stats = result.stats();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "ratelimiter loadtest");
        root.put("target", result.target());
        root.put("started_at", result.startedAt().toString());
        root.put("measured_seconds", round(result.measuredSeconds(), 3));
        root.put("config", config(config));
        root.put("environment", LoadResult.environment());

        Map<String, Object> reserve = new LinkedHashMap<>();
        reserve.put("items", stats.reserveItems);
        reserve.put("calls", stats.reserveCalls);
        reserve.put("per_second", round(result.reservesPerSecond(), 1));
        reserve.put("allowed", stats.allowed);
        reserve.put("denied", stats.denied);
        reserve.put("rejected", stats.rejected.asMap());
        reserve.put("errors", result.reserveErrorCount());
        reserve.put("errors_by_type", stats.reserveErrors.asMap());
        reserve.put("latency_us", latency(stats.reserveNanos));
        root.put("reserve", reserve);

        Map<String, Object> complete = new LinkedHashMap<>();
        complete.put("items", stats.completeItems);
        complete.put("calls", stats.completeCalls);
        complete.put("per_second", round(result.completesPerSecond(), 1));
        complete.put("ok", stats.completeOk);
        complete.put("failed", stats.completeFailed.asMap());
        complete.put("errors", result.completeErrorCount());
        complete.put("errors_by_type", stats.completeErrors.asMap());
        complete.put("latency_us", latency(stats.completeNanos));
        root.put("complete", complete);

        root.put("batch_sizes", batchSizes(result.batchSizes()));
        root.put("stuck_workers", result.stuckWorkers());
        root.put("timeline", timeline(stats.timeline));
        return root;
    }

    private static Map<String, Object> config(LoadConfig config) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("warmup_seconds", config.warmup().toMillis() / 1000.0);
        map.put("duration_seconds", config.duration().toMillis() / 1000.0);
        map.put("concurrency", config.concurrency());
        map.put("providers", config.providers());
        map.put("tenants", config.tenants());
        map.put("batch_size", config.batchSize());
        map.put("coalesce", config.coalesce());
        map.put("work_ms", config.workMs());
        map.put("honor_retry_after", config.honorRetryAfter());
        map.put("seeded", config.seed());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("rpm", config.rpm());
        limits.put("tpm", config.tpm());
        limits.put("concurrency", config.concurrencyCapacity());
        limits.put("daily_tokens", config.dailyTokens());
        limits.put("window_seconds", config.windowSeconds());
        limits.put("concurrency_timeout_seconds", config.concurrencyTimeoutSeconds());
        map.put("limits", limits);
        map.put("prompt_bytes", config.promptBytes());
        map.put("max_output_tokens", config.maxOutputTokens());
        map.put("actual_tokens", config.actualTokens());
        return map;
    }

    static Map<String, Object> latency(Histogram nanos) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("samples", nanos.getTotalCount());
        for (double percentile : LoadResult.LISTED_PERCENTILES) {
            map.put("p" + (int) percentile, round(LoadResult.micros(nanos, percentile), 1));
        }
        map.put("max", round(LoadResult.maxMicros(nanos), 1));
        map.put("mean", round(LoadResult.meanMicros(nanos), 1));
        List<Map<String, Object>> curve = new ArrayList<>();
        if (nanos.getTotalCount() > 0) {
            for (double percentile : CURVE_PERCENTILES) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("percentile", percentile);
                point.put("us", round(LoadResult.micros(nanos, percentile), 1));
                curve.add(point);
            }
        }
        map.put("percentiles", curve);
        return map;
    }

    private static Map<String, Object> batchSizes(Histogram sizes) {
        Map<String, Object> map = new LinkedHashMap<>();
        long calls = sizes.getTotalCount();
        map.put("calls", calls);
        map.put("min", calls == 0 ? 0 : sizes.getMinValue());
        map.put("mean", calls == 0 ? 0 : round(sizes.getMean(), 2));
        map.put("p50", calls == 0 ? 0 : sizes.getValueAtPercentile(50));
        map.put("max", calls == 0 ? 0 : sizes.getMaxValue());
        return map;
    }

    private static Map<String, Object> timeline(Timeline timeline) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("interval_ms", timeline.intervalNanos / 1_000_000);
        List<Map<String, Object>> points = new ArrayList<>(timeline.size());
        for (int i = 0; i < timeline.size(); i++) {
            double seconds = timeline.secondsOf(i);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("t_seconds", round(timeline.endSecondsOf(i), 3));
            point.put("reserves_per_second", round(timeline.reserves[i] / seconds, 1));
            point.put("completes_per_second", round(timeline.completes[i] / seconds, 1));
            point.put("denied_per_second", round(timeline.denied[i] / seconds, 1));
            point.put("errors_per_second", round(timeline.errors[i] / seconds, 1));
            points.add(point);
        }
        map.put("points", points);
        return map;
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
