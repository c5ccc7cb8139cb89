package dev.ratelimiter.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small parts of the load generator: bounds, intervals, scales and option checks. */
class PartsTest {

    @Test
    void tallyCountsNamesPastItsBoundAsOther() {
        Tally tally = new Tally();
        for (int i = 0; i < Tally.MAX_NAMES + 5; i++) {
            tally.add("code" + i, 1);
        }
        tally.add("code0", 1);
        assertEquals(Tally.MAX_NAMES + 1, tally.asMap().size());
        assertEquals(5, tally.asMap().get(Tally.OTHER));
        assertEquals(2, tally.asMap().get("code0"));
        assertEquals(Tally.MAX_NAMES + 6, tally.total());
    }

    @Test
    void tallyCountsErrorCodesWithoutTheirKey() {
        assertEquals("unknown_limit_key", Tally.codeName("unknown_limit_key:global:llm:a:b:rpm"));
        assertEquals("backend_error", Tally.codeName("backend_error"));
    }

    @Test
    void timelineKeepsAboutSixtyIntervalsOfWholeTenthsOfASecond() {
        assertEquals(
                500_000_000L, Timeline.intervalNanosFor(Duration.ofSeconds(30).toNanos()));
        assertEquals(
                100_000_000L, Timeline.intervalNanosFor(Duration.ofSeconds(5).toNanos()));
        Timeline hour = new Timeline(0, Duration.ofHours(1).toNanos());
        assertTrue(hour.size() <= Timeline.MAX_INTERVALS);
        assertEquals(60, hour.size());
    }

    @Test
    void timelinePutsEventsOutsideTheRunIntoTheEdgeIntervals() {
        Timeline timeline = new Timeline(1_000, 1_000_000_000L);
        timeline.reserves(0, 1, 0);
        timeline.reserves(5_000_000_000L, 2, 1);
        assertEquals(1, timeline.reserves[0]);
        assertEquals(2, timeline.reserves[timeline.size() - 1]);
        assertEquals(1, timeline.denied[timeline.size() - 1]);
    }

    @Test
    void timelineMeasuresAShortLastInterval() {
        Timeline timeline = new Timeline(0, 1_050_000_000L);
        assertEquals(11, timeline.size());
        assertEquals(0.05, timeline.secondsOf(10), 1e-9);
        assertEquals(1.05, timeline.endSecondsOf(10), 1e-9);
    }

    @Test
    void chartAxisEndsAtARoundValue() {
        assertEquals(1, SvgChart.niceCeiling(0));
        assertEquals(250, SvgChart.niceCeiling(201));
        assertEquals(5000, SvgChart.niceCeiling(2600));
        assertEquals(1000, SvgChart.niceCeiling(1000));
        assertEquals("1.5k", SvgChart.compact(1500));
        assertEquals("2M", SvgChart.compact(2_000_000));
        assertEquals("0.5", SvgChart.compact(0.5));
    }

    @Test
    void configRejectsBadOptionsNamingThem() {
        IllegalArgumentException concurrency = assertThrows(IllegalArgumentException.class, () -> config(0, 1, false));
        assertTrue(concurrency.getMessage().startsWith("--concurrency must be from 1"), concurrency.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> config(1, 257, false));
        assertTrue(batch.getMessage().startsWith("--batch-size must be from 1 to 256"), batch.getMessage());
        IllegalArgumentException coalesce = assertThrows(IllegalArgumentException.class, () -> config(1, 4, true));
        assertTrue(coalesce.getMessage().startsWith("--coalesce:"), coalesce.getMessage());
    }

    @Test
    void seedsFourKeysPerProviderAndOnePerTenant() {
        LoadConfig config = new LoadConfig(
                Duration.ZERO,
                Duration.ofSeconds(1),
                1,
                3,
                2,
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
        assertEquals(3 * 3 + 2, config.limitDefinitions().size());
        assertEquals(
                "global:llm:loadtest-p2:model:rpm",
                config.limitDefinitions().get(6).key());
        assertEquals(
                "tenant:loadtest-t1:llm:daily_tokens",
                config.limitDefinitions().get(10).key());
    }

    @Test
    void callMixUsesEveryProviderAndTenantPair() {
        LoadConfig config = new LoadConfig(
                Duration.ZERO,
                Duration.ofSeconds(1),
                1,
                2,
                2,
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
        CallMix calls = new CallMix(config);
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (long n = 0; n < 4; n++) {
            var requirements = calls.reserve(n, "l" + n).requirements();
            pairs.add(requirements.get(0).key() + " " + requirements.get(3).key());
        }
        assertEquals(4, pairs.size());
    }

    private static LoadConfig config(int concurrency, int batchSize, boolean coalesce) {
        return new LoadConfig(
                Duration.ZERO,
                Duration.ofSeconds(1),
                concurrency,
                1,
                1,
                batchSize,
                coalesce,
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
    }
}
