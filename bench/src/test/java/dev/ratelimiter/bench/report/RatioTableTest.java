package dev.ratelimiter.bench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ratio table from a small JMH result file in JMH's own JSON shape. */
class RatioTableTest {
    @TempDir
    Path directory;

    @Test
    void setsOurScoreBesideItsBaselineWithBothRatios() throws IOException {
        Map<String, double[]> scores = RatioTable.read(write("""
                [
                  {"benchmark": "dev.ratelimiter.bench.memory.MultiKeyBenchmark.memoryReserveComplete4Keys",
                   "primaryMetric": {"score": 500000.0, "scoreError": 1000.0}},
                  {"benchmark": "dev.ratelimiter.bench.memory.MultiKeyBenchmark.bucket4jReserveRelease4Buckets",
                   "primaryMetric": {"score": 2000000.0, "scoreError": "NaN"}}
                ]
                """));
        String table = RatioTable.markdown(scores);
        assertTrue(
                table.contains(
                        "| reserve + complete 4 keys vs 4 buckets + release | 500,000 ± 1,000 | 2,000,000 | 0.25 | 4.00 "
                                + "| - | - |"),
                table);
        assertTrue(table.contains("Not in this result file:"), "pairs without results are named, not invented");
    }

    @Test
    void readsSecondaryMetricsWithTheirParameters() throws IOException {
        Map<String, double[]> scores = RatioTable.read(write("""
                [
                  {"benchmark": "dev.ratelimiter.bench.http.HttpBenchmark.reserveBatch", "params": {"batchSize": "16"},
                   "primaryMetric": {"score": 100.0, "scoreError": 1.0},
                   "secondaryMetrics": {"items": {"score": 1600.0, "scoreError": 16.0}}}
                ]
                """));
        assertArrayEquals(new double[] {1600.0, 16.0}, scores.get("HttpBenchmark.reserveBatch:items[batchSize=16]"));
        assertArrayEquals(new double[] {100.0, 1.0}, scores.get("HttpBenchmark.reserveBatch[batchSize=16]"));
    }

    @Test
    void reportsCpuTimePerItemOfABatch() throws IOException {
        Map<String, double[]> scores = RatioTable.read(write("""
                [
                  {"benchmark": "dev.ratelimiter.bench.http.HttpBenchmark.reserveBatch", "params": {"batchSize": "16"},
                   "primaryMetric": {"score": 100.0, "scoreError": 1.0},
                   "secondaryMetrics": {"items": {"score": 1600.0, "scoreError": 16.0},
                                        "cpu.us/op": {"score": 320.0, "scoreError": 3.0}}}
                ]
                """));
        assertEquals(
                "20.00",
                RatioTable.cpu(scores, "HttpBenchmark.reserveBatch:items[batchSize=16]"),
                "320 us per call of 16");
        assertEquals("320.00", RatioTable.cpu(scores, "HttpBenchmark.reserveBatch[batchSize=16]"));
        assertEquals("-", RatioTable.cpu(scores, "HttpBenchmark.healthz"));
    }

    private Path write(String json) throws IOException {
        Path file = directory.resolve("result.json");
        Files.writeString(file, json);
        return file;
    }
}
