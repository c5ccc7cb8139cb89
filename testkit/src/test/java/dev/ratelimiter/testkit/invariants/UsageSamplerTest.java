package dev.ratelimiter.testkit.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.testkit.invariants.UsageSampler.Report;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Each reading of the limiter's usage is checked; failed readings are counted, not blamed. */
class UsageSamplerTest {
    private static final LimitDefinition TPM = LimitDefinition.rolling("tpm", 100, 1);

    private static LimitInfo active(long reserved, long available, long debt) {
        return new LimitInfo(TPM, LimitStatus.ACTIVE, 0, new Usage(reserved, available, debt));
    }

    @Test
    void acceptsAConsistentReading() {
        assertEquals(Optional.empty(), UsageSampler.check(active(40, 60, 3)));
        assertEquals(
                Optional.empty(),
                UsageSampler.check(new LimitInfo(TPM, LimitStatus.DECREASING, 50, new Usage(100, 0, 0))));
    }

    @Test
    void rejectsReservedAboveTheCapacity() {
        assertTrue(UsageSampler.check(active(101, 0, 0)).orElseThrow().contains("reserved 101 outside 0..100"));
    }

    @Test
    void rejectsAvailableThatIsNotCapacityMinusReserved() {
        assertTrue(UsageSampler.check(active(40, 50, 0)).orElseThrow().contains("available 50"));
    }

    @Test
    void rejectsNegativeDebtAndAStatusThatDisagreesWithThePendingDecrease() {
        assertTrue(UsageSampler.check(active(0, 100, -1)).isPresent());
        assertTrue(UsageSampler.check(new LimitInfo(TPM, LimitStatus.ACTIVE, 50, new Usage(0, 100, 0)))
                .isPresent());
        assertTrue(UsageSampler.check(new LimitInfo(TPM, LimitStatus.DECREASING, 100, new Usage(0, 100, 0)))
                .isPresent());
    }

    @Test
    void countsReadingsFailuresViolationsAndPeaks() {
        Deque<List<LimitInfo>> readings = new ArrayDeque<>(
                List.of(List.of(active(30, 70, 0)), List.of(active(90, 10, 0)), List.of(active(120, 0, 0))));
        UsageSampler sampler = UsageSampler.start(
                "test",
                () -> {
                    List<LimitInfo> next = readings.poll();
                    if (next == null) {
                        throw new IllegalStateException("server down");
                    }
                    return next;
                },
                1_000_000);
        sampler.close();

        // The first reading ran at start (or not at all if close won the race); take the rest by hand.
        while (!readings.isEmpty()) {
            sampler.sampleNow();
        }
        sampler.sampleNow();
        Report report = sampler.report();

        assertEquals(3, report.samples());
        assertEquals(1, report.failedSamples());
        assertTrue(report.lastFailure().contains("server down"), report.lastFailure());
        assertEquals(1, report.violationCount());
        assertEquals(Map.of("tpm", 120L), report.peakReserved());
    }

    @Test
    void readsAtItsIntervalOnItsOwnThread() {
        AtomicInteger reads = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (UsageSampler sampler = UsageSampler.start(
                "interval",
                () -> {
                    reads.incrementAndGet();
                    return List.of(active(1, 99, 0));
                },
                1)) {
            while (sampler.report().samples() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }

        assertTrue(reads.get() >= 3, "fewer than three readings within 10 s: " + reads.get());
    }
}
