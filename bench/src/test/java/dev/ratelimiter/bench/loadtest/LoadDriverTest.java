package dev.ratelimiter.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Runs the real driver for a fraction of a second against core's service in process. The run is
 * short and real time is unavoidable (the driver runs for a duration); the assertions are about
 * counts that must add up, never about speed.
 */
class LoadDriverTest {

    @Test
    void countsEveryReserveAsAllowedDeniedOrRejectedAndCompletesEveryAdmission() throws Exception {
        LoadResult result = run(config(1, 1_000_000));
        WorkerStats stats = result.stats();
        assertTrue(stats.reserveItems > 0, "the run made progress");
        assertEquals(
                stats.reserveItems, stats.allowed + stats.denied + stats.rejected.total() + result.reserveErrorCount());
        assertEquals(stats.allowed, stats.completeItems, "every admitted lease is completed");
        assertEquals(stats.completeItems, stats.completeOk);
        assertFalse(result.hasErrors());
        assertEquals(stats.reserveCalls, stats.reserveNanos.getTotalCount(), "one latency sample per call");
    }

    @Test
    void deniesWhenTheSeededLimitIsTight() throws Exception {
        LoadResult result = run(config(1, 5));
        assertTrue(result.stats().denied > 0, "an rpm of 5 per minute-long window denies most reserves");
        assertTrue(result.stats().allowed <= 5 * 2, "at most the capacity of each of the two providers was admitted");
    }

    @Test
    void sendsBatchesOfTheConfiguredSize() throws Exception {
        LoadResult result = run(config(8, 1_000_000));
        assertEquals(8, result.batchSizes().getMinValue());
        assertEquals(8, result.batchSizes().getMaxValue());
        assertEquals(result.stats().reserveCalls * 8, result.stats().reserveItems);
    }

    @Test
    void timelineAddsUpToTheTotals() throws Exception {
        LoadResult result = run(config(1, 1_000_000));
        long reserves = 0;
        for (long count : result.stats().timeline.reserves) {
            reserves += count;
        }
        assertEquals(result.stats().reserveItems, reserves);
    }

    private static LoadResult run(LoadConfig config) throws InterruptedException {
        try (ServiceTarget target = new ServiceTarget()) {
            return new LoadDriver(config, target).run();
        }
    }

    private static LoadConfig config(int batchSize, long rpm) {
        return new LoadConfig(
                Duration.ofMillis(100),
                Duration.ofMillis(300),
                2,
                2,
                1,
                batchSize,
                false,
                0,
                false,
                true,
                rpm,
                1_000_000_000L,
                1_000,
                1_000_000_000L,
                60,
                60,
                100,
                50,
                80);
    }
}
