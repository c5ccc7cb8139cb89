package dev.ratelimiter.testkit.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.testkit.invariants.ConcurrencyChecker.InFlight;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live concurrency check: passes holds within the capacity, catches any above it. */
class ConcurrencyCheckerTest {
    private final ManualClock clock = new ManualClock(10_000);
    private final ConcurrencyChecker checker = new ConcurrencyChecker(
            clock, List.of(LimitDefinition.concurrency("conc", 3, 2), LimitDefinition.rolling("tpm", 10, 1)));

    private InFlight acquire(String leaseId, long amount) {
        return checker.acquired(
                leaseId, clock.nowMillis(), List.of(new Requirement("conc", amount), new Requirement("tpm", 5)));
    }

    @Test
    void holdsUpToTheCapacityPass() {
        acquire("a", 1);
        acquire("b", 2);

        assertEquals(0, checker.violationCount());
        assertEquals(3, checker.peak("conc"));
        assertEquals(2, checker.acquisitions());
    }

    @Test
    void catchesAHoldAboveTheCapacityAndNamesTheLeases() {
        acquire("a", 2);
        acquire("b", 2);

        assertEquals(1, checker.violationCount());
        String violation = checker.violations().get(0);
        assertTrue(violation.contains("conc") && violation.contains("a=2") && violation.contains("b=2"), violation);
    }

    @Test
    void aReleasedHoldFreesItsSlots() {
        InFlight first = acquire("a", 3);
        checker.released(first);
        checker.released(first);
        acquire("b", 3);

        assertEquals(0, checker.violationCount());
    }

    @Test
    void aHoldStopsCountingWhenItsTimeoutExpires() {
        acquire("a", 3);
        clock.advanceMillis(1_999);
        acquire("b", 1);
        assertEquals(1, checker.violationCount());

        clock.advanceMillis(1);
        acquire("c", 2);

        assertEquals(1, checker.violationCount(), "a expired at 2 s; b and c hold 3");
    }

    @Test
    void rollingKeysAreNotChecked() {
        checker.acquired("a", clock.nowMillis(), List.of(new Requirement("tpm", 10)));
        checker.acquired("b", clock.nowMillis(), List.of(new Requirement("tpm", 10)));

        assertEquals(0, checker.violationCount());
        assertEquals(0, checker.peak("tpm"));
    }

    @Test
    void aNewEpochForgetsEarlierHoldsAndIgnoresLateOnesFromBeforeIt() {
        long before = clock.nowMillis();
        acquire("a", 3);
        clock.advanceMillis(100);
        checker.newEpoch(clock.nowMillis());

        acquire("b", 3);
        checker.acquired("late", before, List.of(new Requirement("conc", 1)));

        assertEquals(0, checker.violationCount());
    }
}
