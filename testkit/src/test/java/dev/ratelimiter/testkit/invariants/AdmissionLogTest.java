package dev.ratelimiter.testkit.invariants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.testkit.invariants.AdmissionLog.KeyResult;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The log turns what clients saw into lower bounds of what the limiter held: it must pass honest
 * runs, catch over-admission per key, and never blame a restart of a limiter that forgets holds.
 */
class AdmissionLogTest {
    private static final LimitDefinition TPM = LimitDefinition.rolling("tpm", 100, 1);
    private static final LimitDefinition CONC = LimitDefinition.concurrency("conc", 2, 5);

    private final AdmissionLog log = new AdmissionLog(List.of(TPM, CONC), 1_000);

    private static List<Requirement> call(long tokens) {
        return List.of(new Requirement("tpm", tokens), new Requirement("conc", 1));
    }

    @Test
    void passesAdmissionsThatFitAndCountsWhatItVerified() {
        log.completed("a", 0, call(60), 10, 12, List.of(new Actual("tpm", 20)));
        log.completed("b", 20, call(80), 30, 31, List.of());
        log.abandoned("c", 1000, call(20));

        Verification verification = log.verify();

        assertTrue(verification.passed(), verification.describe());
        assertEquals(3, verification.admissions());
        assertEquals(6, verification.holds());
        assertEquals(List.of(new KeyResult("tpm", 0, 3, 100, 100, false)), verification.resultsOf("tpm"));
    }

    @Test
    void catchesARollingKeyAdmittedAboveItsCapacityWithinOneWindow() {
        log.completed("a", 0, call(60), 10, 12, List.of());
        log.completed("b", 500, call(41), 510, 512, List.of());

        Verification verification = log.verify();

        assertFalse(verification.passed());
        assertEquals(1, verification.violationCount());
        assertEquals("tpm", verification.violations().get(0).key());
        assertEquals(500, verification.violations().get(0).atMillis());
    }

    @Test
    void anActualAboveTheReservedAmountCountsOnlyTheReservedAmount() {
        log.completed("a", 0, call(60), 10, 12, List.of(new Actual("tpm", 90)));
        log.completed("b", 100, call(40), 110, 112, List.of());

        assertTrue(log.verify().passed(), "the overage may have become debt, which holds nothing");
    }

    @Test
    void catchesConcurrencyHeldAboveItsCapacityUntilComplete() {
        log.completed("a", 0, call(1), 100, 101, List.of());
        log.completed("b", 10, call(1), 200, 201, List.of());
        log.completed("c", 50, call(1), 300, 301, List.of());

        Verification verification = log.verify();

        assertEquals(1, verification.violationCount(), verification.describe());
        assertEquals(50, verification.violations().get(0).atMillis());
        assertEquals("conc", verification.violations().get(0).key());
    }

    @Test
    void aCompleteWithAnUnknownOutcomeMayHaveFreedTheSlotFromWhenItWasSent() {
        log.completionUnknown("a", 0, call(1), 100, List.of());
        log.completed("b", 10, call(1), 200, 201, List.of());
        log.completed("c", 150, call(1), 300, 301, List.of());

        assertTrue(log.verify().passed());
    }

    @Test
    void admissionsOfARestartedLimiterAreVerifiedApartFromEarlierOnes() {
        log.abandoned("before", 0, call(100));
        log.newEpoch(400);
        log.abandoned("after", 500, call(100));

        Verification verification = log.verify();

        assertTrue(verification.passed(), verification.describe());
        assertEquals(2, verification.epochs());
        assertEquals(2, verification.resultsOf("tpm").size());
    }

    @Test
    void withoutAnEpochTheSameAdmissionsAreAViolation() {
        log.abandoned("before", 0, call(100));
        log.abandoned("after", 500, call(100));

        Verification verification = log.verify();

        assertEquals(1, verification.violationCount(), "tpm only: two concurrency slots fit");
        assertEquals("tpm", verification.violations().get(0).key());
    }

    @Test
    void aFullLogDropsFurtherAdmissionsAndFailsTheVerification() {
        AdmissionLog small = new AdmissionLog(List.of(TPM), 2);
        for (int i = 0; i < 5; i++) {
            small.abandoned("l" + i, i * 1000L, List.of(new Requirement("tpm", 1)));
        }

        Verification verification = small.verify();

        assertEquals(2, small.size());
        assertEquals(2, verification.admissions());
        assertEquals(3, verification.droppedAdmissions());
        assertFalse(verification.passed());
    }

    @Test
    void recordsFromManyThreadsAreAllKept() throws Exception {
        AdmissionLog shared = new AdmissionLog(List.of(TPM), 100_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        // Each admission fills the key for its own whole second, distinct across threads.
                        shared.abandoned(
                                "t" + thread + "-" + i,
                                (thread * 1_000L + i) * 1_000L,
                                List.of(new Requirement("tpm", 100)));
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }

        Verification verification = shared.verify();

        assertEquals(4_000, verification.admissions());
        assertTrue(verification.passed(), verification.describe());
    }

    @Test
    void recordsThatCannotBeVerifiedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> log.abandoned("a", 0, List.of(new Requirement("rpm", 1))));
        assertThrows(IllegalArgumentException.class, () -> log.abandoned("a", 0, List.of(new Requirement("tpm", 0))));
        assertThrows(IllegalArgumentException.class, () -> log.completed("a", 10, call(1), 5, 20, List.of()));
        assertThrows(IllegalArgumentException.class, () -> log.completed("a", 0, call(1), 20, 5, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionLog(List.of(TPM, TPM), 10));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionLog(List.of(TPM), 0));
        assertEquals(0, log.size());
    }
}
