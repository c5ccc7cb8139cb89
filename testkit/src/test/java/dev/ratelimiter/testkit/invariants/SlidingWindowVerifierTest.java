package dev.ratelimiter.testkit.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.testkit.invariants.SlidingWindowVerifier.Violation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The verifier the stress test relies on: it must pass admissions that respect the capacity and,
 * above all, catch the ones that do not (a verifier that cannot fail would prove nothing).
 */
class SlidingWindowVerifierTest {
    private static final long WINDOW_MILLIS = 1000;

    private final SlidingWindowVerifier rolling = new SlidingWindowVerifier("rpm", 10, WINDOW_MILLIS);

    @Test
    void passesAdmissionsThatFillTheCapacityExactly() {
        rolling.admitted("a", 0, 4);
        rolling.admitted("b", 10, 6);

        assertEquals(Optional.empty(), rolling.firstViolation());
        assertEquals(10, rolling.peakHeldAmount());
    }

    @Test
    void catchesTwoAdmissionsInOneWindowAboveTheCapacity() {
        rolling.admitted("a", 0, 4);
        rolling.admitted("b", 999, 7);

        Violation violation = rolling.firstViolation().orElseThrow();

        assertEquals(new Violation("rpm", 999, 11, 10, List.of("a=4", "b=7")), violation);
    }

    @Test
    void anAdmissionOneWholeWindowLaterFitsAgain() {
        rolling.admitted("a", 0, 10);
        rolling.admitted("b", WINDOW_MILLIS, 10);
        rolling.admitted("c", 2 * WINDOW_MILLIS, 10);

        assertEquals(Optional.empty(), rolling.firstViolation());
    }

    @Test
    void catchesAnOverAdmissionAfterManyCorrectOnes() {
        for (int i = 0; i < 100; i++) {
            rolling.admitted("ok" + i, i * WINDOW_MILLIS, 10);
        }
        rolling.admitted("late", 57 * WINDOW_MILLIS + 500, 1);

        Violation violation = rolling.firstViolation().orElseThrow();

        assertEquals(57 * WINDOW_MILLIS + 500, violation.atMillis());
        assertEquals(List.of("ok57=10", "late=1"), violation.leaseIds());
    }

    @Test
    void aShrinkAtCompleteFreesCapacityForLaterAdmissions() {
        rolling.admitted("a", 0, 8, 100, 100, 3);
        rolling.admitted("b", 200, 7);

        assertEquals(Optional.empty(), rolling.firstViolation());
    }

    @Test
    void catchesAnAdmissionThatOnlyFitsIfTheShrinkHadAlreadyHappened() {
        rolling.admitted("a", 0, 8, 300, 300, 3);
        rolling.admitted("b", 200, 7);

        assertEquals(200, rolling.firstViolation().orElseThrow().atMillis());
    }

    @Test
    void aShrunkHoldStillExpiresAtItsOriginalEnd() {
        rolling.admitted("a", 0, 8, 100, 100, 3);
        rolling.admitted("b", 200, 7);
        rolling.admitted("c", 999, 1);

        assertEquals(
                new Violation("rpm", 999, 11, 10, List.of("a=3", "b=7", "c=1")),
                rolling.firstViolation().orElseThrow());
    }

    @Test
    void catchesAnOverageThatGrewTheHoldPastTheCapacity() {
        rolling.admitted("a", 0, 4, 500, 500, 6);
        rolling.admitted("b", 100, 5);

        Violation violation = rolling.firstViolation().orElseThrow();

        assertEquals(500, violation.atMillis());
        assertEquals(11, violation.heldAmount());
    }

    @Test
    void withinTheCompletionIntervalTheSmallerAmountCounts() {
        rolling.admitted("a", 0, 5, 100, 200, 2);
        rolling.admitted("b", 150, 8);

        assertEquals(Optional.empty(), rolling.firstViolation(), "the shrink may have happened before b");
    }

    @Test
    void aGrowthCountsFromTheEndOfItsCompletionInterval() {
        rolling.admitted("a", 0, 5, 100, 200, 6);
        rolling.admitted("b", 150, 5);

        assertEquals(200, rolling.firstViolation().orElseThrow().atMillis());
    }

    @Test
    void completionAfterTheWindowChangesNothing() {
        rolling.admitted("a", 0, 5, 2000, 2000, 50);
        rolling.admitted("b", WINDOW_MILLIS, 10);

        assertEquals(Optional.empty(), rolling.firstViolation());
    }

    @Test
    void aCompleteWithAnUnknownOutcomeCountsTheSmallerAmountUntilTheHoldExpires() {
        rolling.admitted("a", 0, 6, 100, Long.MAX_VALUE, 2);
        rolling.admitted("b", 500, 8);

        assertEquals(Optional.empty(), rolling.firstViolation(), "the shrink may have happened at 100");

        rolling.admitted("c", 999, 1);

        assertEquals(
                new Violation("rpm", 999, 11, 10, List.of("a=2", "b=8", "c=1")),
                rolling.firstViolation().orElseThrow());
    }

    @Test
    void takesCapacityAndHoldTimeFromADefinition() {
        SlidingWindowVerifier verifier = SlidingWindowVerifier.of(LimitDefinition.concurrency("conc", 2, 3));
        verifier.admitted("a", 0, 2);
        verifier.admitted("b", 2999, 1);

        assertEquals(
                new Violation("conc", 2999, 3, 2, List.of("a=2", "b=1")),
                verifier.firstViolation().orElseThrow());
    }

    @Test
    void concurrencyHoldsAreFreedAtCompleteOrTimeout() {
        SlidingWindowVerifier concurrency = new SlidingWindowVerifier("conc", 2, 1000);
        concurrency.admitted("a", 0, 1, 100, 120, 0);
        concurrency.admitted("b", 50, 1);
        concurrency.admitted("c", 120, 1);
        concurrency.admitted("d", 1120, 2);

        assertEquals(Optional.empty(), concurrency.firstViolation());

        concurrency.admitted("e", 1500, 1);

        assertEquals(
                new Violation("conc", 1500, 3, 2, List.of("d=2", "e=1")),
                concurrency.firstViolation().orElseThrow());
    }

    @Test
    void holdsSummingPastTheLargestLongAreAViolation() {
        SlidingWindowVerifier huge = new SlidingWindowVerifier("huge", Long.MAX_VALUE, Long.MAX_VALUE);
        huge.admitted("a", 0, Long.MAX_VALUE);
        huge.admitted("b", Long.MAX_VALUE - 5, 1);

        Violation violation = huge.firstViolation().orElseThrow();

        assertEquals(Long.MAX_VALUE - 5, violation.atMillis());
        assertTrue(violation.heldAmount() > violation.capacity() - 1);
    }

    @Test
    void recordsThatCannotHappenAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> rolling.admitted("a", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> rolling.admitted("a", 0, 1, 10, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> rolling.admitted("a", 10, 1, 5, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> rolling.admitted("a", 0, 1, 5, 20, -1));
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindowVerifier("k", 0, 1000));
        assertEquals(0, rolling.admissionCount());
    }
}
