package dev.ratelimiter.bench.loadtest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The report as one self-contained HTML page: the numbers of {@link TextReport} as tables, a chart
 * of latency by percentile and a chart of throughput over time, both inline SVG. Nothing is loaded
 * from elsewhere (no scripts, fonts, styles or images), so the file can be archived and opened
 * offline.
 *
 * <p>Stateless; thread-safe.
 */
final class HtmlReport {
    /** Percentiles on the latency chart's x axis: the chart spreads the tail, as HdrHistogram's plots do. */
    private static final double[] CHART_PERCENTILES = {
        0, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999
    };

    private static final String RESERVE_COLOR = "#1f77b4";
    private static final String COMPLETE_COLOR = "#ff7f0e";
    private static final String DENIED_COLOR = "#9467bd";
    private static final String ERROR_COLOR = "#d62728";

    private HtmlReport() {}

    static void write(LoadResult result, Path file) throws IOException {
        ReportFiles.write(file, of(result));
    }

    static String of(LoadResult result) {
        LoadConfig config = result.config();
        WorkerStats stats = result.stats();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Load test: ")
                .append(Html.escape(result.target()))
                .append("</title>\n")
                .append(
                        "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f4f4f4}")
                .append("td:first-child,th:first-child{text-align:left}.charts svg{margin:1em 1em 0 0}</style>\n")
                .append("</head>\n<body>\n");
        html.append("<h1>Load test report</h1>\n<p>Target <b>")
                .append(Html.escape(result.target()))
                .append("</b>, started ")
                .append(Html.escape(result.startedAt().toString()))
                .append(String.format(
                        Locale.ROOT,
                        ", %.1f s measured after %.1f s warm-up, %d workers, batch size %d%s.</p>%n",
                        result.measuredSeconds(),
                        config.warmup().toMillis() / 1000.0,
                        config.concurrency(),
                        config.batchSize(),
                        config.coalesce() ? " (coalesced by the client's batcher)" : ""));

        html.append(
                "<h2>Throughput and latency</h2>\n<p>Latency is per call as the client saw it; a batch call is one "
                        + "sample. The generator is a closed loop: each worker waits for its answer before the next call.</p>\n");
        html.append("<table>\n<tr><th>operation</th><th>items/s</th><th>p50 µs</th><th>p95 µs</th><th>p99 µs</th>"
                + "<th>max µs</th><th>mean µs</th><th>calls</th></tr>\n");
        row(html, "reserve", result.reservesPerSecond(), stats.reserveNanos, stats.reserveCalls);
        row(html, "complete", result.completesPerSecond(), stats.completeNanos, stats.completeCalls);
        html.append("</table>\n");

        html.append(
                "<h2>Outcomes</h2>\n<table>\n<tr><th>operation</th><th>items</th><th>allowed / ok</th><th>denied</th>"
                        + "<th>rejected (error code)</th><th>errors (call failed)</th></tr>\n");
        html.append(String.format(
                Locale.ROOT,
                "<tr><td>reserve</td><td>%,d</td><td>%,d</td><td>%,d</td><td>%s</td><td>%s</td></tr>%n",
                stats.reserveItems,
                stats.allowed,
                stats.denied,
                counts(stats.rejected),
                counts(stats.reserveErrors)));
        html.append(String.format(
                Locale.ROOT,
                "<tr><td>complete</td><td>%,d</td><td>%,d</td><td>-</td><td>%s</td><td>%s</td></tr>%n",
                stats.completeItems,
                stats.completeOk,
                counts(stats.completeFailed),
                counts(stats.completeErrors)));
        html.append("</table>\n");
        Histogram sizes = result.batchSizes();
        html.append("<p>Batch sizes: ");
        if (sizes.getTotalCount() == 0) {
            html.append("no calls reached the limiter.");
        } else {
            html.append(String.format(
                    Locale.ROOT,
                    "%,d calls reached the limiter, min %d, mean %.2f, p50 %d, max %d requests per call.",
                    sizes.getTotalCount(),
                    sizes.getMinValue(),
                    sizes.getMean(),
                    sizes.getValueAtPercentile(50),
                    sizes.getMaxValue()));
        }
        html.append("</p>\n");
        if (result.stuckWorkers() > 0) {
            html.append(String.format(
                    Locale.ROOT,
                    "<p><b>%d workers did not stop within %d s; their numbers are missing.</b></p>%n",
                    result.stuckWorkers(),
                    LoadDriver.STOP_GRACE.toSeconds()));
        }

        html.append("<div class=\"charts\">\n")
                .append(latencyChart(stats))
                .append(throughputChart(stats.timeline))
                .append("</div>\n");

        html.append("<h2>Configuration</h2>\n<table>\n");
        flatten(html, "", ReportData.of(result).get("config"));
        html.append("</table>\n<h2>Load generator's machine</h2>\n<table>\n");
        LoadResult.environment().forEach((name, value) -> keyValue(html, name, value));
        html.append("</table>\n</body>\n</html>\n");
        return html.toString();
    }

    private static String latencyChart(WorkerStats stats) {
        SvgChart chart = new SvgChart("Latency by percentile", "percentile", "latency (µs, log scale)").logY();
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i < labels.length; i++) {
            chart.xTick(i, labels[i]);
        }
        addCurve(chart, "reserve", RESERVE_COLOR, stats.reserveNanos);
        addCurve(chart, "complete", COMPLETE_COLOR, stats.completeNanos);
        return chart.render(560, 320);
    }

    private static void addCurve(SvgChart chart, String name, String color, Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return;
        }
        double[] xs = new double[CHART_PERCENTILES.length];
        double[] ys = new double[CHART_PERCENTILES.length];
        for (int i = 0; i < CHART_PERCENTILES.length; i++) {
            xs[i] = -Math.log10(1 - CHART_PERCENTILES[i] / 100);
            ys[i] = LoadResult.micros(nanos, CHART_PERCENTILES[i]);
        }
        chart.add(new SvgChart.Series(name, color, name.equals("complete"), xs, ys));
    }

    private static String throughputChart(Timeline timeline) {
        SvgChart chart = new SvgChart("Throughput over time", "seconds since measuring started", "items per second");
        int points = timeline.size();
        double[] xs = new double[points];
        List<double[]> rates = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            rates.add(new double[points]);
        }
        for (int i = 0; i < points; i++) {
            xs[i] = timeline.endSecondsOf(i);
            double seconds = timeline.secondsOf(i);
            rates.get(0)[i] = timeline.reserves[i] / seconds;
            rates.get(1)[i] = timeline.completes[i] / seconds;
            rates.get(2)[i] = timeline.denied[i] / seconds;
            rates.get(3)[i] = timeline.errors[i] / seconds;
        }
        chart.xTick(0, "0");
        double end = timeline.durationNanos / 1e9;
        for (int i = 1; i <= 5; i++) {
            chart.xTick(end * i / 5, SvgChart.compact(end * i / 5));
        }
        chart.add(new SvgChart.Series("reserves/s", RESERVE_COLOR, false, xs, rates.get(0)));
        chart.add(new SvgChart.Series("completes/s", COMPLETE_COLOR, true, xs, rates.get(1)));
        if (sum(timeline.denied) > 0) {
            chart.add(new SvgChart.Series("denied/s", DENIED_COLOR, false, xs, rates.get(2)));
        }
        if (sum(timeline.errors) > 0) {
            chart.add(new SvgChart.Series("errors/s", ERROR_COLOR, false, xs, rates.get(3)));
        }
        return chart.render(560, 320);
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }

    private static void row(StringBuilder html, String name, double perSecond, Histogram nanos, long calls) {
        html.append(String.format(
                Locale.ROOT,
                "<tr><td>%s</td><td>%,.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%,d</td></tr>%n",
                name,
                perSecond,
                LoadResult.micros(nanos, 50),
                LoadResult.micros(nanos, 95),
                LoadResult.micros(nanos, 99),
                LoadResult.maxMicros(nanos),
                LoadResult.meanMicros(nanos),
                calls));
    }

    private static String counts(Tally tally) {
        if (tally.total() == 0) {
            return "0";
        }
        StringBuilder text = new StringBuilder();
        tally.asMap()
                .forEach((name, count) -> text.append(text.length() > 0 ? "<br>" : "")
                        .append(Html.escape(name))
                        .append(": ")
                        .append(String.format(Locale.ROOT, "%,d", count)));
        return text.toString();
    }

    private static void flatten(StringBuilder html, String prefix, Object value) {
        if (value instanceof Map<?, ?> map) {
            map.forEach(
                    (name, inner) -> flatten(html, prefix.isEmpty() ? name.toString() : prefix + "." + name, inner));
        } else {
            keyValue(html, prefix, String.valueOf(value));
        }
    }

    private static void keyValue(StringBuilder html, String name, String value) {
        html.append("<tr><td>")
                .append(Html.escape(name))
                .append("</td><td>")
                .append(Html.escape(value))
                .append("</td></tr>\n");
    }
}
