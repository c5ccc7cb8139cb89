package dev.ratelimiter.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.time.ManualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The retry-after hints of SPEC 6 with the default policy: base, factor and cap per kind, the
 * denial streak (growth, reset, decay, cap) and the jitter bounds. Jitter is a fixed function so
 * that every hint is exact; time is a {@link ManualClock}.
 */
class RetryHintsTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final LongUnaryOperator NO_JITTER = bound -> 0;
    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    private final ManualClock clock = new ManualClock(START_MILLIS);

    private RetryHints hints(LongUnaryOperator jitter) {
        return new RetryHints(POLICY, clock, jitter);
    }

    private static List<Long> deny(RetryHints hints, LimitDefinition definition, int times) {
        List<Long> answers = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            answers.add(hints.denied(definition));
        }
        return answers;
    }

    // ---- Base, factor and cap per kind ----

    @Test
    void concurrencyHintStartsAt50MsAndDoublesUpTo2000Ms() {
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);

        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1600L, 2000L, 2000L), deny(hints(NO_JITTER), conc, 8));
    }

    @Test
    void concurrencyCapIsTheTimeoutWhenItIsShorterThan2000Ms() {
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 1);

        assertEquals(List.of(50L, 100L, 200L, 400L, 800L, 1000L, 1000L), deny(hints(NO_JITTER), conc, 7));
    }

    @Test
    void rollingBaseIsTenPercentOfTheWindowAndGrowsByOneAndAHalfUpTo5000Ms() {
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 10, 10);

        assertEquals(List.of(1000L, 1500L, 2250L, 3375L, 5000L, 5000L), deny(hints(NO_JITTER), rpm, 6));
    }

    @Test
    void rollingBaseIsAtLeast100MsForAShortWindow() {
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 10, 1);

        // 100 x 1.5^3 = 337.5: the fraction is dropped, never rounded up past the formula.
        assertEquals(List.of(100L, 150L, 225L, 337L), deny(hints(NO_JITTER), rpm, 4));
    }

    @Test
    void rollingBaseAboveTheCapGivesTheCapAtOnce() {
        LimitDefinition daily = LimitDefinition.rolling("daily", 1_000_000, 86_400);

        assertEquals(List.of(5000L, 5000L), deny(hints(NO_JITTER), daily, 2));
    }

    @Test
    void longestWindowAndTimeoutNeverOverflowTheHint() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition rolling = LimitDefinition.rolling("rolling", 1, 4_294_967_295L);
        LimitDefinition concurrency = LimitDefinition.concurrency("conc", 1, 4_294_967_295L);
        LimitDefinition beyondTheWire = LimitDefinition.rolling("beyond", 1, Long.MAX_VALUE);

        assertEquals(5000, hints.denied(rolling));
        assertEquals(50, hints.denied(concurrency));
        assertEquals(5000, hints.denied(beyondTheWire));
    }

    @Test
    void decreasingHintIsFixedAt10000MsWhateverTheStreaks() {
        RetryHints hints = hints(bound -> bound);
        deny(hints, LimitDefinition.rolling("rpm", 10, 60), 100);

        assertEquals(10_000, hints.decreasingMs());
        assertEquals(10_000, hints.decreasingMs());
    }

    @Test
    void hintIsAtLeastOneMillisecondEvenWithTheSmallestPolicy() {
        RetryPolicy smallest = new RetryPolicy(1, 1.0, 1, 0, 1, 0, 1.0, 1, 0, 1, 1);
        RetryHints hints = new RetryHints(smallest, clock, NO_JITTER);

        assertEquals(1, hints.denied(LimitDefinition.concurrency("conc", 1, 1)));
        assertEquals(1, hints.denied(LimitDefinition.rolling("rpm", 1, 1)));
    }

    @Test
    void aConcurrencyDefinitionWithoutTimeoutStillGetsAPositiveHint() {
        // Validation never lets such a definition reach a backend; the hint must not be 0 anyway,
        // because 0 tells a client that retrying is pointless.
        LimitDefinition broken = LimitDefinition.concurrency("conc", 1, 0);

        assertEquals(1, hints(NO_JITTER).denied(broken));
    }

    // ---- The streak ----

    @Test
    void admissionResetsTheStreak() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        deny(hints, conc, 3);

        hints.admitted("conc");

        assertEquals(List.of(50L, 100L), deny(hints, conc, 2));
    }

    @Test
    void admissionOfAnUntrackedKeyChangesNothing() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        deny(hints, conc, 2);

        hints.admitted("other");

        assertEquals(200, hints.denied(conc));
    }

    @Test
    void eachKeyHasItsOwnStreak() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition a = LimitDefinition.concurrency("a", 4, 60);
        LimitDefinition b = LimitDefinition.concurrency("b", 4, 60);
        deny(hints, a, 4);

        assertEquals(50, hints.denied(b));
        assertEquals(800, hints.denied(a));
        hints.admitted("a");
        assertEquals(100, hints.denied(b));
    }

    @Test
    void streakSurvivesAPauseShorterThanTheDecay() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        deny(hints, conc, 2);

        clock.advanceMillis(POLICY.streakDecayMs() - 1);

        assertEquals(200, hints.denied(conc));
    }

    @Test
    void streakDecaysToTheBaseAfterTheDecayWithoutADenial() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        deny(hints, conc, 5);

        clock.advanceMillis(POLICY.streakDecayMs());

        assertEquals(List.of(50L, 100L), deny(hints, conc, 2));
    }

    @Test
    void decayCountsFromTheLastDenialNotTheFirst() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        List<Long> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(hints.denied(conc));
            clock.advanceMillis(POLICY.streakDecayMs() - 1);
        }

        assertEquals(List.of(50L, 100L, 200L, 400L, 800L), answers);
    }

    /** SPEC 11: the reference's streak overflowed and fell back to the base delay. */
    @Test
    void millionsOfDenialsStayAtTheCapAndNeverFallBackToTheBase() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 10, 60);
        deny(hints, conc, 10);
        deny(hints, rpm, 10);

        long lowestConcurrency = Long.MAX_VALUE;
        long lowestRolling = Long.MAX_VALUE;
        for (int i = 0; i < 3_000_000; i++) {
            lowestConcurrency = Math.min(lowestConcurrency, hints.denied(conc));
            lowestRolling = Math.min(lowestRolling, hints.denied(rpm));
        }

        assertEquals(2000, lowestConcurrency);
        assertEquals(5000, lowestRolling);
        assertEquals(2000, hints.denied(conc));
        assertEquals(5000, hints.denied(rpm));
    }

    @Test
    void hintOfAnyStreakIsWithinTheCap() {
        RetryHints hints = hints(NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 4, 60);
        RetryPolicy steepest = new RetryPolicy(3_600_000, 10.0, 3_600_000, 0, 3_600_000, 100, 10.0, 3_600_000, 0, 1, 1);
        RetryHints steep = new RetryHints(steepest, clock, NO_JITTER);

        assertEquals(2000, hints.hint(conc, Integer.MAX_VALUE));
        assertEquals(2000, hints.hint(conc, RetryHints.MAX_STREAK));
        assertEquals(3_600_000, steep.hint(LimitDefinition.rolling("rpm", 1, 4_294_967_295L), Integer.MAX_VALUE));
        assertEquals(60_000, steep.hint(conc, Integer.MAX_VALUE), "capped at the 60 s timeout");
    }

    /** Every concurrent denial is counted exactly once: compute per key is atomic. */
    @Test
    void concurrentDenialsOfOneKeyEachCountOnce() throws Exception {
        // Base 1 ms, factor 2 and a cap far away, so the hint is 2^streak and shows the exact count.
        RetryPolicy doubling = new RetryPolicy(1, 2.0, 3_600_000, 0, 1, 0, 2.0, 3_600_000, 0, 10_000, 10_000);
        RetryHints hints = new RetryHints(doubling, clock, NO_JITTER);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 1, 3_600);
        int threads = 4;
        int perThread = 5;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    assertTrue(start.await(10, TimeUnit.SECONDS));
                    deny(hints, conc, perThread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(1L << (threads * perThread), hints.denied(conc));
    }

    // ---- The bounded map of streaks ----

    @Test
    void streaksOfMoreKeysThanTheBoundClearTheMapAndStartOver() {
        RetryHints hints = new RetryHints(POLICY, clock, NO_JITTER, 3);
        List<LimitDefinition> tracked = List.of(
                LimitDefinition.concurrency("a", 1, 60),
                LimitDefinition.concurrency("b", 1, 60),
                LimitDefinition.concurrency("c", 1, 60));
        for (LimitDefinition definition : tracked) {
            deny(hints, definition, 2);
        }
        assertEquals(3, hints.trackedKeyCount());

        assertEquals(50, hints.denied(LimitDefinition.concurrency("d", 1, 60)));

        assertEquals(1, hints.trackedKeyCount());
        assertEquals(50, hints.denied(tracked.get(0)), "a forgotten streak restarts at the base");
        assertEquals(2, hints.trackedKeyCount());
    }

    @Test
    void denialOfATrackedKeyWhenTheMapIsFullKeepsEveryStreak() {
        RetryHints hints = new RetryHints(POLICY, clock, NO_JITTER, 2);
        LimitDefinition a = LimitDefinition.concurrency("a", 1, 60);
        LimitDefinition b = LimitDefinition.concurrency("b", 1, 60);
        deny(hints, a, 2);
        deny(hints, b, 2);

        assertEquals(200, hints.denied(a));
        assertEquals(200, hints.denied(b));
        assertEquals(2, hints.trackedKeyCount());
    }

    @Test
    void admissionForgetsTheKeysStreak() {
        RetryHints hints = hints(NO_JITTER);
        hints.denied(LimitDefinition.concurrency("a", 1, 60));
        hints.denied(LimitDefinition.concurrency("b", 1, 60));

        hints.admitted("a");

        assertEquals(1, hints.trackedKeyCount());
    }

    @Test
    void defaultBoundHoldsUnderManyKeys() {
        RetryHints hints = hints(NO_JITTER);
        for (int i = 0; i < RetryHints.MAX_TRACKED_KEYS + 10; i++) {
            hints.denied(LimitDefinition.rolling("key" + i, 1, 60));
        }

        assertTrue(hints.trackedKeyCount() <= RetryHints.MAX_TRACKED_KEYS, "tracked " + hints.trackedKeyCount());
        assertEquals(10, hints.trackedKeyCount());
    }

    // ---- Jitter ----

    @Test
    void jitterIsAskedForTheBoundOfTheKindAndAddedToTheDelay() {
        List<Long> bounds = new ArrayList<>();
        RetryHints hints = hints(bound -> {
            bounds.add(bound);
            return bound;
        });

        assertEquals(50 + 25, hints.denied(LimitDefinition.concurrency("conc", 1, 60)));
        assertEquals(1000 + 50, hints.denied(LimitDefinition.rolling("rpm", 1, 10)));
        assertEquals(10_000, hints.decreasingMs(), "the decreasing hint is fixed, without jitter");
        assertEquals(List.of(25L, 50L), bounds);
    }

    @Test
    void jitterAtTheCapIsAddedOnTopOfTheCap() {
        RetryHints hints = hints(bound -> bound);
        LimitDefinition conc = LimitDefinition.concurrency("conc", 1, 60);
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 1, 60);

        assertEquals(2025, deny(hints, conc, 20).get(19));
        assertEquals(5050, deny(hints, rpm, 20).get(19));
    }

    @Test
    void jitterOutsideItsBoundIsClamped() {
        LimitDefinition conc = LimitDefinition.concurrency("conc", 1, 60);

        assertEquals(50 + 25, hints(bound -> Long.MAX_VALUE).denied(conc));
        assertEquals(50, hints(bound -> Long.MIN_VALUE).denied(conc));
        assertEquals(50, hints(bound -> -1).denied(conc));
    }

    @Test
    void randomJitterStaysWithinZeroAndItsBound() {
        LongUnaryOperator random = RetryHints.randomJitter();
        boolean sawZero = false;
        boolean sawBound = false;
        for (int i = 0; i < 10_000; i++) {
            long drawn = random.applyAsLong(25);
            assertTrue(drawn >= 0 && drawn <= 25, "drawn " + drawn);
            sawZero |= drawn == 0;
            sawBound |= drawn == 25;
        }

        assertTrue(sawZero && sawBound, "both ends of [0, 25] are reachable");
        assertEquals(0, random.applyAsLong(0));
        assertEquals(0, random.applyAsLong(-5));
    }

    @Test
    void randomHintsStayBetweenTheDelayAndTheDelayPlusJitter() {
        RetryHints hints = new RetryHints(POLICY, clock);
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 1, 60);
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < 1000; i++) {
            long hint = hints.denied(rpm);
            lowest = Math.min(lowest, hint);
            highest = Math.max(highest, hint);
        }

        // A 60 s window has a base of 6000 ms, above the 5000 ms cap: every hint is the cap plus jitter.
        assertTrue(lowest >= 5000 && highest <= 5050, lowest + ".." + highest);
        assertTrue(highest > lowest, "the jitter varies");
    }
}
