package dev.ratelimiter.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.ReserveResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The three reports of one made-up run: the same numbers, in every form. */
class ReportsTest {
    private static final long SECOND_NANOS = 1_000_000_000L;

    @Test
    void jsonCarriesRatesPercentilesOutcomesBatchSizesAndTimeline() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.of(result()));
        assertEquals(2.0, json.get("measured_seconds").asDouble());
        assertEquals(2.0, json.get("reserve").get("per_second").asDouble(), "4 items in 2 s");
        assertEquals(2, json.get("reserve").get("allowed").asLong());
        assertEquals(1, json.get("reserve").get("denied").asLong());
        assertEquals(
                1, json.get("reserve").get("rejected").get("unknown_limit_key").asLong());
        assertEquals(
                1,
                json.get("complete")
                        .get("errors_by_type")
                        .get("IllegalStateException")
                        .asLong());
        assertEquals(300.0, json.get("reserve").get("latency_us").get("max").asDouble(), 1.0);
        assertTrue(json.get("reserve").get("latency_us").get("p50").asDouble() > 0);
        assertEquals(4, json.get("batch_sizes").get("max").asLong());
        assertEquals(20, json.get("timeline").get("points").size(), "2 s in intervals of 100 ms");
        assertEquals(
                10.0,
                json.get("timeline")
                        .get("points")
                        .get(0)
                        .get("reserves_per_second")
                        .asDouble(),
                "1 item in the first 100 ms");
    }

    @Test
    void htmlIsSelfContainedWithBothCharts() {
        String html = HtmlReport.of(result());
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(2, html.split("<svg ", -1).length - 1, "a latency chart and a throughput chart");
        assertTrue(html.contains("Latency by percentile"));
        assertTrue(html.contains("Throughput over time"));
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link"), "no external styles or fonts");
        assertFalse(html.contains("@import"), "no imported styles");
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains("http"), "no external references");
    }

    @Test
    void textNamesEveryOutcome() {
        String text = TextReport.of(result());
        assertTrue(text.contains("allowed 2, denied 1, rejected 1 (unknown_limit_key 1), errors 0"), text);
        assertTrue(text.contains("errors 1 (IllegalStateException 1)"), text);
        assertTrue(text.contains("min 1, mean 2.50"), text);
    }

    @Test
    void reportEscapesWhatItDoesNotControl() {
        assertEquals("&lt;b a=&quot;1&quot;&gt;&amp;&#39;", Html.escape("<b a=\"1\">&'"));
    }

    private static LoadResult result() {
        long start = 0;
        Timeline timeline = new Timeline(start, 2 * SECOND_NANOS);
        WorkerStats stats = new WorkerStats(timeline);
        stats.reserved(start, 100_000, List.of(ReserveResponse.allowed(1)));
        stats.reserved(
                start + SECOND_NANOS,
                300_000,
                List.of(
                        ReserveResponse.allowed(1),
                        ReserveResponse.denied(100),
                        ReserveResponse.refused(new Refusal.UnknownLimitKey("k"))));
        stats.completed(start, 50_000, List.of(CompleteResponse.succeeded()));
        stats.completeFailed(start, 70_000, 1, new IllegalStateException("down"));
        Histogram sizes = new Histogram(3);
        sizes.recordValue(1);
        sizes.recordValue(4);
        LoadConfig config = new LoadConfig(
                Duration.ZERO,
                Duration.ofSeconds(2),
                1,
                1,
                1,
                1,
                false,
                0,
                false,
                true,
                10,
                10,
                10,
                10,
                1,
                1,
                10,
                10,
                5);
        return new LoadResult(config, "test", Instant.EPOCH, 2 * SECOND_NANOS, stats, sizes, 0);
    }
}
