package dev.ratelimiter.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints, from a JMH JSON result file ({@code -rf json}), a Markdown table that sets each of our
 * operations beside its baseline measured in the same run, with {@code ours / baseline} (throughput
 * ratio: above 1 we are faster) and {@code baseline / ours} (cost ratio: how many times the
 * baseline's cost ours is).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ratelimiter.bench.report.RatioTable
 * results.json...}. Several files may be given, one per run of a benchmark class: every pair lies
 * within one class, so each ratio still compares two numbers of one run. A pair whose benchmarks are
 * missing is named below the table, so the table also works for a run of a subset.
 *
 * <p>Stateless; thread-safe.
 */
public final class RatioTable {

    /**
     * One comparison: our benchmark and its baseline, each named {@code Class.method}, optionally
     * with {@code :secondary} for a JMH secondary metric and {@code [param=value]} for a parameter.
     */
    record Pair(String ours, String baseline, String what) {}

    static final List<Pair> PAIRS = List.of(
            new Pair(
                    "SingleKeyBenchmark.memoryReserve1Key",
                    "SingleKeyBenchmark.bucket4jTryConsume",
                    "reserve 1 key vs Bucket4j tryConsume"),
            new Pair(
                    "SingleKeyBenchmark.memoryReserve1Key",
                    "SingleKeyBenchmark.resilience4jAcquirePermission",
                    "reserve 1 key vs Resilience4j acquirePermission"),
            new Pair(
                    "MultiKeyBenchmark.memoryReserve4Keys",
                    "MultiKeyBenchmark.bucket4jReserve4Buckets",
                    "reserve 4 keys vs 4 buckets with compensation"),
            new Pair(
                    "MultiKeyBenchmark.memoryReserveComplete4Keys",
                    "MultiKeyBenchmark.bucket4jReserveRelease4Buckets",
                    "reserve + complete 4 keys vs 4 buckets + release"),
            new Pair(
                    "MultiKeyBenchmark.memoryReserveCompleteReconciled4Keys",
                    "MultiKeyBenchmark.bucket4jReserveReconcile4Buckets",
                    "reserve + complete with reconciliation vs 4 buckets + addTokens"),
            new Pair(
                    "MultiKeyBenchmark.serviceReserveComplete4Keys",
                    "MultiKeyBenchmark.bucket4jReserveRelease4Buckets",
                    "service (validation) reserve + complete vs 4 buckets + release"),
            new Pair(
                    "BatchReserveBenchmark.reserveAll",
                    "BatchReserveBenchmark.reserveLoop",
                    "memory batch of 256 (reserveAll) vs the loop of single reserves, leases/s"),
            new Pair(
                    "ConcurrencySlotBenchmark.memoryReserveCompleteConcurrency",
                    "ConcurrencySlotBenchmark.resilience4jBulkheadAcquireRelease",
                    "concurrency slot vs Resilience4j Bulkhead"),
            new Pair(
                    "ConcurrencySlotBenchmark.memoryReserveCompleteConcurrency",
                    "ConcurrencySlotBenchmark.bucket4jSemaphoreAcquireRelease",
                    "concurrency slot vs Bucket4j bucket as semaphore"),
            new Pair(
                    "ContendedBenchmark.memoryThreads01",
                    "ContendedBenchmark.bucket4jThreads01",
                    "contended, 1 thread vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryThreads02",
                    "ContendedBenchmark.bucket4jThreads02",
                    "contended, 2 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryThreads04",
                    "ContendedBenchmark.bucket4jThreads04",
                    "contended, 4 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryThreads16",
                    "ContendedBenchmark.bucket4jThreads16",
                    "contended, 16 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryThreads02",
                    "ContendedBenchmark.memoryThreads01",
                    "contended: 2 threads vs 1 thread (ours)"),
            new Pair(
                    "ContendedBenchmark.bucket4jThreads02",
                    "ContendedBenchmark.bucket4jThreads01",
                    "contended: 2 threads vs 1 thread (Bucket4j)"),
            new Pair(
                    "ContendedBenchmark.memoryTenantSharedThreads01",
                    "ContendedBenchmark.bucket4jTenantSharedThreads01",
                    "tenant key shared, 1 thread vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryTenantSharedThreads02",
                    "ContendedBenchmark.bucket4jTenantSharedThreads02",
                    "tenant key shared, 2 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryTenantSharedThreads04",
                    "ContendedBenchmark.bucket4jTenantSharedThreads04",
                    "tenant key shared, 4 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryTenantSharedThreads16",
                    "ContendedBenchmark.bucket4jTenantSharedThreads16",
                    "tenant key shared, 16 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryTenantSharedThreads02",
                    "ContendedBenchmark.memoryTenantSharedThreads01",
                    "tenant key shared: 2 threads vs 1 thread (ours)"),
            new Pair(
                    "ContendedBenchmark.bucket4jTenantSharedThreads02",
                    "ContendedBenchmark.bucket4jTenantSharedThreads01",
                    "tenant key shared: 2 threads vs 1 thread (Bucket4j)"),
            new Pair(
                    "ContendedBenchmark.memoryIndependentThreads01",
                    "ContendedBenchmark.bucket4jIndependentThreads01",
                    "no key shared, 1 thread vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryIndependentThreads02",
                    "ContendedBenchmark.bucket4jIndependentThreads02",
                    "no key shared, 2 threads vs Bucket4j"),
            new Pair(
                    "ContendedBenchmark.memoryIndependentThreads02",
                    "ContendedBenchmark.memoryIndependentThreads01",
                    "no key shared: 2 threads vs 1 thread (ours)"),
            new Pair(
                    "ContendedBenchmark.bucket4jIndependentThreads02",
                    "ContendedBenchmark.bucket4jIndependentThreads01",
                    "no key shared: 2 threads vs 1 thread (Bucket4j)"),
            new Pair(
                    "SchedulerBenchmark.scheduler",
                    "SchedulerBenchmark.executorWithBucket4j",
                    "scheduler jobs vs executor + Bucket4j"),
            new Pair(
                    "HttpBenchmark.reserveSingle[journal=off]",
                    "HttpBenchmark.healthz[journal=off]",
                    "HTTP single reserve vs the ceiling (GET /healthz), journal off"),
            new Pair(
                    "HttpBenchmark.reserveBatch:items[batchSize=16,journal=off]",
                    "HttpBenchmark.reserveSingle[journal=off]",
                    "HTTP batch of 16, leases/s vs single reserve, journal off"),
            new Pair(
                    "HttpBenchmark.reserveBatch:items[batchSize=256,journal=off]",
                    "HttpBenchmark.reserveSingle[journal=off]",
                    "HTTP batch of 256, leases/s vs single reserve, journal off"),
            new Pair(
                    "HttpBenchmark.reserveSingle[journal=on]",
                    "HttpBenchmark.reserveSingle[journal=off]",
                    "HTTP single reserve, journal on vs off"),
            new Pair(
                    "HttpBenchmark.reserveSingle[journal=pool]",
                    "HttpBenchmark.reserveSingle[journal=off]",
                    "HTTP single reserve, journal on the pool vs off"),
            new Pair(
                    "HttpBenchmark.reserveBatch:items[batchSize=256,journal=on]",
                    "HttpBenchmark.reserveBatch:items[batchSize=256,journal=off]",
                    "HTTP batch of 256, journal on vs off"),
            new Pair(
                    "JournalBenchmark.reserveComplete4KeysOneThread[journal=fsync]",
                    "JournalBenchmark.reserveComplete4KeysOneThread[journal=off]",
                    "reserve + complete, 1 thread, journal with fsync vs off"),
            new Pair(
                    "JournalBenchmark.reserveComplete4KeysEightThreads[journal=fsync]",
                    "JournalBenchmark.reserveComplete4KeysEightThreads[journal=off]",
                    "reserve + complete, 8 threads, journal with fsync vs off"));

    private RatioTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: RatioTable <jmh-result.json>...");
            System.exit(2);
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (String file : args) {
            scores.putAll(read(Path.of(file)));
        }
        System.out.print(markdown(scores));
    }

    /** Score and error per name ({@code Class.method[:secondary][[param=value]]}) from a JMH JSON file. */
    static Map<String, double[]> read(Path file) throws IOException {
        JsonNode results = new ObjectMapper().readTree(file.toFile());
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (JsonNode result : results) {
            String benchmark = result.get("benchmark").asText();
            String[] parts = benchmark.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            String params = params(result.get("params"));
            scores.put(name + params, score(result.get("primaryMetric")));
            JsonNode secondaries = result.get("secondaryMetrics");
            if (secondaries != null) {
                for (Map.Entry<String, JsonNode> entry : secondaries.properties()) {
                    scores.put(name + ":" + entry.getKey() + params, score(entry.getValue()));
                }
            }
        }
        return scores;
    }

    static String markdown(Map<String, double[]> scores) {
        StringBuilder table = new StringBuilder();
        table.append("| comparison | ours (ops/s) | baseline (ops/s) | ours / baseline | baseline / ours "
                + "| CPU µs/op ours | CPU µs/op baseline |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|\n");
        List<String> missing = new ArrayList<>();
        for (Pair pair : PAIRS) {
            double[] ours = scores.get(pair.ours());
            double[] baseline = scores.get(pair.baseline());
            if (ours == null || baseline == null) {
                missing.add(pair.what());
                continue;
            }
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.2f | %.2f | %s | %s |%n",
                    pair.what(),
                    format(ours),
                    format(baseline),
                    ours[0] / baseline[0],
                    baseline[0] / ours[0],
                    cpu(scores, pair.ours()),
                    cpu(scores, pair.baseline())));
        }
        if (!missing.isEmpty()) {
            table.append("\nNot in this result file: ")
                    .append(String.join("; ", missing))
                    .append(".\n");
        }
        return table.toString();
    }

    /**
     * The CPU time per unit of {@code name} from {@link dev.ratelimiter.bench.support.CpuTimeProfiler}'s
     * {@code cpu.us/op}, or "-" when the run had no such profiler. For an {@code items} counter the
     * unit is one item: the CPU time per call divided by the {@code batchSize} parameter.
     */
    static String cpu(Map<String, double[]> scores, String name) {
        int bracket = name.indexOf('[');
        String params = bracket < 0 ? "" : name.substring(bracket);
        String base = bracket < 0 ? name : name.substring(0, bracket);
        int colon = base.indexOf(':');
        String method = colon < 0 ? base : base.substring(0, colon);
        double[] cpu = scores.get(method + ":cpu.us/op" + params);
        if (cpu == null) {
            return "-";
        }
        double perUnit = cpu[0];
        if (colon >= 0 && base.substring(colon + 1).equals("items") && params.startsWith("[batchSize=")) {
            String value = params.substring("[batchSize=".length(), params.length() - 1);
            int comma = value.indexOf(',');
            perUnit /= Integer.parseInt(comma < 0 ? value : value.substring(0, comma));
        }
        return String.format(Locale.ROOT, "%.2f", perUnit);
    }

    private static String params(JsonNode params) {
        if (params == null || params.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("[");
        for (Map.Entry<String, JsonNode> entry : params.properties()) {
            text.append(text.length() > 1 ? "," : "")
                    .append(entry.getKey())
                    .append('=')
                    .append(entry.getValue().asText());
        }
        return text.append(']').toString();
    }

    private static double[] score(JsonNode metric) {
        JsonNode error = metric.get("scoreError");
        double errorValue = error == null || !error.isNumber() ? Double.NaN : error.asDouble();
        return new double[] {metric.get("score").asDouble(), errorValue};
    }

    /** {@code 1,234,567 ± 12,345}, or just the score when JMH gave no error (a single iteration). */
    private static String format(double[] score) {
        if (Double.isNaN(score[1])) {
            return String.format(Locale.ROOT, "%,.0f", score[0]);
        }
        return String.format(Locale.ROOT, "%,.0f ± %,.0f", score[0], score[1]);
    }
}
