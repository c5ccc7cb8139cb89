package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendContractTest;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.RepeatedKeys;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The contract suite on a manual clock, plus what only the memory backend promises. */
class MemoryBackendTest extends BackendContractTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final long MAX_HOLD_SECONDS = 4_294_967_295L;

    private ManualClock clock;

    @Override
    protected Backend createBackend(RetryPolicy retryPolicy) {
        clock = new ManualClock(START_MILLIS);
        return new MemoryBackend(clock, new RetryHints(retryPolicy, clock));
    }

    @Override
    protected void letTimePass(Duration duration) {
        clock.advanceMillis(duration.toMillis());
    }

    @Override
    protected Duration expiryTolerance() {
        return Duration.ZERO;
    }

    /** The backend under test with its memory-only counters; jitter 0 so hints are exact. */
    private MemoryBackend memory(int maxTombstones) {
        backend.close();
        MemoryBackend memory = new MemoryBackend(clock, new RetryHints(POLICY, clock, bound -> 0), maxTombstones);
        backend = memory;
        return memory;
    }

    private MemoryBackend memory() {
        return memory(MemoryBackend.DEFAULT_MAX_TOMBSTONES);
    }

    // ---- Expiry in order (HoldQueue), matched to the exact hold ----

    @Test
    void expiredHoldsLeaveInExpiryOrderWhenTheKeyIsNextTouched() {
        MemoryBackend memory = memory();
        String rpm = rolling("rpm", 10, 1).key();
        for (int i = 0; i < 3; i++) {
            assertAllowed(reserve(lease("a" + i), req(rpm, i + 1)));
            clock.advanceMillis(100);
        }
        assertEquals(3, memory.holdCount(rpm));

        clock.advanceMillis(700);
        assertUsage(rpm, 5, 5, 0);
        assertEquals(2, memory.holdCount(rpm));
        clock.advanceMillis(100);
        assertUsage(rpm, 3, 7, 0);
        clock.advanceMillis(99);
        assertUsage(rpm, 3, 7, 0);
        clock.advanceMillis(1);
        assertUsage(rpm, 0, 10, 0);
        assertEquals(0, memory.holdCount(rpm));
    }

    @Test
    void reservedAtIsTheClockTimeOfTheAdmission() {
        String rpm = rolling("rpm", 10, 60).key();
        clock.advanceMillis(1234);

        ReserveResponse response = reserve(lease("a"), req(rpm, 1));

        assertEquals(clock.nowMillis(), response.reservedAtUnixMs());
    }

    @Test
    void staleExpiryOfACompletedConcurrencyLeaseNeverReleasesANewerHold() {
        String conc = concurrency("conc", 1, 10).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));
        clock.advanceSeconds(1);
        assertOk(complete(lease("a")));
        assertAllowed(reserve(lease("b"), req(conc, 1)));

        clock.advanceSeconds(9);

        assertUsage(conc, 1, 0, 0);
        assertDenied(reserve(lease("c"), req(conc, 1)));
        clock.advanceSeconds(1);
        assertUsage(conc, 0, 1, 0);
    }

    @Test
    void staleExpiryOfAReconciledRollingLeaseNeverReleasesANewerHold() {
        String tpm = rolling("tpm", 5, 10).key();
        assertAllowed(reserve(lease("a"), req(tpm, 5)));
        clock.advanceSeconds(1);
        assertOk(complete(lease("a"), new Actual(tpm, 0)));
        assertAllowed(reserve(lease("b"), req(tpm, 5)));

        clock.advanceSeconds(9);

        assertUsage(tpm, 5, 0, 0);
        clock.advanceSeconds(1);
        assertUsage(tpm, 0, 5, 0);
    }

    // ---- Decisions where SPEC 2 is silent ----

    @Test
    void repeatAfterTheFirstOfSeveralHoldsExpiredAnswersLeaseExpiredAndCompleteStillReleases() {
        String rpm = rolling("rpm", 10, 1).key();
        String conc = concurrency("conc", 1, 60).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1), req(conc, 1)));
        clock.advanceSeconds(1);

        assertRejected(reserve(lease("a"), req(rpm, 1), req(conc, 1)), ErrorCodes.leaseExpired(lease("a")), 0);
        assertUsage(conc, 1, 0, 0);

        assertOk(complete(lease("a")));
        assertUsage(conc, 0, 1, 0);
    }

    @Test
    void overageWhileDecreasingNeverTakesCapacityAndGoesToDebt() {
        LimitState tpm = rolling("tpm", 10, 60);
        assertAllowed(reserve(lease("a"), req(tpm.key(), 4)));
        install(tpm.change(tpm.definition().withCapacity(8)));

        assertOk(complete(lease("a"), new Actual(tpm.key(), 6)));

        assertUsage(tpm.key(), 4, 6, 2);
    }

    @Test
    void overageWhileDecreasingIsDroppedUnderDeny() {
        LimitState tpm = install(
                LimitState.created(LimitDefinition.rolling(key("tpm"), 10, 60).withOverage(Overage.DENY)));
        assertAllowed(reserve(lease("a"), req(tpm.key(), 4)));
        install(tpm.change(tpm.definition().withCapacity(8)));

        assertOk(complete(lease("a"), new Actual(tpm.key(), 6)));

        assertUsage(tpm.key(), 4, 6, 0);
    }

    @Test
    void actualReportedAfterTheWindowChangesNothing() {
        String tpm = rolling("tpm", 10, 1).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4)));
        clock.advanceSeconds(2);

        assertOk(complete(lease("a"), new Actual(tpm, 30)));

        assertUsage(tpm, 0, 10, 0);
    }

    @Test
    void retryAfterIsTheLargestHintOverTheKeysThatDidNotFit() {
        memory();
        String rpm = rolling("rpm", 1, 10).key();
        String conc = concurrency("conc", 1, 60).key();
        String roomy = rolling("roomy", 100, 60).key();
        assertAllowed(reserve(lease("fill"), req(rpm, 1), req(conc, 1)));

        ReserveResponse both = reserve(lease("a"), req(roomy, 1), req(conc, 1), req(rpm, 1));
        clock.advanceSeconds(20);
        ReserveResponse concurrencyOnly = reserve(lease("b"), req(roomy, 1), req(conc, 1));

        assertDenied(both);
        assertEquals(1000, both.retryAfterMs(), "rolling base: 10% of a 10 s window");
        assertDenied(concurrencyOnly);
        assertEquals(POLICY.concurrencyBaseMs(), concurrencyOnly.retryAfterMs());
    }

    @Test
    void deniedLeaseIsForgottenAfterTheLongestHoldItAskedFor() {
        String rpm = rolling("rpm", 1, 5).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertDenied(reserve(lease("b"), req(rpm, 1)));
        clock.advanceMillis(4999);
        assertDenied(reserve(lease("b"), req(rpm, 1)));

        clock.advanceMillis(1);

        assertAllowed(reserve(lease("b"), req(rpm, 1)));
    }

    @Test
    void duplicateKeysInOneRequestAreRefusedAndHoldNothing() {
        String rpm = rolling("rpm", 2, 60).key();

        assertRejected(reserve(lease("a"), req(rpm, 2), req(rpm, 2)), ErrorCodes.INVALID_REQUEST, 0);

        assertUsage(rpm, 0, 2, 0);
    }

    @Test
    void usageOfAnUnknownKeyIsZero() {
        assertEquals(new Usage(0, 0, 0), backend.usage(key("nothing")));
    }

    @Test
    void callsAfterCloseFailAsBackendErrors() {
        String rpm = rolling("rpm", 2, 60).key();
        backend.close();

        assertFalse(backend.isHealthy());
        assertThrows(BackendException.class, () -> reserve(lease("a"), req(rpm, 1)));
        assertThrows(BackendException.class, () -> complete(lease("a")));
        assertThrows(BackendException.class, () -> backend.usage(rpm));
    }

    // ---- Bounded memory (SPEC 5.1, 11) ----

    @Test
    void completeThatLeavesNothingHeldDropsTheRecordAtOnce() {
        MemoryBackend memory = memory();
        String tpm = rolling("tpm", 10, 60).key();
        String conc = concurrency("conc", 2, 60).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4), req(conc, 1)));
        assertEquals(1, memory.leaseRecordCount());

        assertOk(complete(lease("a"), new Actual(tpm, 0)));

        assertEquals(0, memory.leaseRecordCount());
        assertEquals(0, memory.scheduledSweepCount());
        assertEquals(1, memory.tombstoneCount());
        assertRejected(reserve(lease("a"), req(tpm, 4), req(conc, 1)), ErrorCodes.leaseExpired(lease("a")), 0);
    }

    @Test
    void completeDropsTheRecordAtOnceWhileReconciledHoldsStillCount() {
        MemoryBackend memory = memory();
        String tpm = rolling("tpm", 10, 1).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4)));
        assertOk(complete(lease("a"), new Actual(tpm, 3)));

        assertEquals(0, memory.leaseRecordCount());
        assertEquals(0, memory.scheduledSweepCount());
        assertEquals(1, memory.tombstoneCount());
        assertUsage(tpm, 3, 7, 0);
        assertRejected(reserve(lease("a"), req(tpm, 4)), ErrorCodes.leaseExpired(lease("a")), 0);
        assertOk(complete(lease("a"), new Actual(tpm, 0)));
        assertUsage(tpm, 3, 7, 0);

        clock.advanceSeconds(1);
        assertUsage(tpm, 0, 10, 0);
        assertEquals(0, memory.holdCount(tpm));
    }

    @Test
    void completeWithMoreActualsThanThePairwiseLimitReconcilesEachKey() {
        int count = RepeatedKeys.PAIRWISE_UP_TO + 4;
        List<Requirement> requirements = new ArrayList<>();
        List<Actual> actuals = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = rolling("many" + i, 100, 60).key();
            requirements.add(req(key, 10));
            actuals.add(new Actual(key, i % 10));
        }
        assertAllowed(backend.reserve(new ReserveRequest(lease("many"), "", requirements)));

        assertOk(backend.complete(new CompleteRequest(lease("many"), "", actuals)));

        for (int i = 0; i < count; i++) {
            assertUsage(requirements.get(i).key(), i % 10, 100 - i % 10, 0);
        }
    }

    // ---- Holds out of expiry order (HoldQueue's heap) ----

    @Test
    void holdsTakenAfterTheWindowWasShortenedExpireBeforeOlderOnes() {
        MemoryBackend memory = memory();
        String tpm = rolling("tpm", 10, 10).key();
        assertAllowed(reserve(lease("long"), req(tpm, 4)));
        install(LimitState.created(LimitDefinition.rolling(tpm, 10, 1)));
        assertAllowed(reserve(lease("short"), req(tpm, 5)));
        assertUsage(tpm, 9, 1, 0);

        clock.advanceSeconds(1);
        assertUsage(tpm, 4, 6, 0);
        assertEquals(1, memory.holdCount(tpm));
        clock.advanceSeconds(8);
        assertUsage(tpm, 4, 6, 0);
        clock.advanceSeconds(1);
        assertUsage(tpm, 0, 10, 0);
    }

    @Test
    void rollingHoldReconciledToZeroBetweenOthersReleasesOnlyItself() {
        MemoryBackend memory = memory();
        String tpm = rolling("tpm", 10, 10).key();
        for (int i = 1; i <= 3; i++) {
            assertAllowed(reserve(lease("h" + i), req(tpm, i + 1)));
            clock.advanceSeconds(1);
        }
        assertOk(complete(lease("h2"), new Actual(tpm, 0)));
        assertUsage(tpm, 6, 4, 0);
        assertEquals(2, memory.holdCount(tpm));

        clock.advanceSeconds(7);
        assertUsage(tpm, 4, 6, 0);
        clock.advanceSeconds(1);
        assertUsage(tpm, 4, 6, 0);
        clock.advanceSeconds(1);
        assertUsage(tpm, 0, 10, 0);
        assertEquals(0, memory.holdCount(tpm));
    }

    /**
     * Clients reserve and never complete, on a key nobody touches again: the records still go,
     * driven by traffic on another key, and the tombstones stay within their bound.
     */
    @Test
    void recordsOfLeasesNeverCompletedAreDroppedEvenIfTheirKeyIsNeverTouchedAgain() {
        MemoryBackend memory = memory(1000);
        String abandoned = rolling("abandoned", Long.MAX_VALUE, 1).key();
        String busy = concurrency("busy", 1000, 60).key();
        for (int i = 0; i < 10_000; i++) {
            assertAllowed(reserve(lease("x" + i), req(abandoned, 1)));
        }
        assertEquals(10_000, memory.leaseRecordCount());

        clock.advanceSeconds(1);
        int calls = 0;
        while (memory.leaseRecordCount() > 0 && calls < 10_000) {
            assertAllowed(reserve(lease("y" + calls), req(busy, 1)));
            assertOk(complete(lease("y" + calls)));
            calls += 2;
        }

        assertEquals(0, memory.leaseRecordCount());
        assertTrue(
                calls <= 2 * 10_000 / LeaseSweeper.SWEEP_BATCH + 2 * LeaseSweeper.SHARDS,
                "records went too slowly: " + calls + " calls");
        assertEquals(0, memory.scheduledSweepCount());
        assertTrue(memory.tombstoneCount() <= 1000, "tombstones " + memory.tombstoneCount());
        assertEquals(10_000, memory.holdCount(abandoned), "holds leave lazily, when the key is touched");
        assertUsage(abandoned, 0, Long.MAX_VALUE, 0);
        assertEquals(0, memory.holdCount(abandoned));
    }

    @Test
    void recordsStayBoundedUnderSteadyTrafficThatNeverCompletes() {
        MemoryBackend memory = memory(500);
        String rpm = rolling("rpm", Long.MAX_VALUE, 1).key();
        int perSecond = 1000;
        for (int second = 0; second < 20; second++) {
            for (int i = 0; i < perSecond; i++) {
                assertAllowed(reserve(lease("s" + second + "x" + i), req(rpm, 1)));
            }
            assertTrue(memory.leaseRecordCount() <= 2 * perSecond, "records " + memory.leaseRecordCount());
            assertTrue(memory.scheduledSweepCount() <= 2 * perSecond, "scheduled " + memory.scheduledSweepCount());
            assertTrue(memory.tombstoneCount() <= 500, "tombstones " + memory.tombstoneCount());
            clock.advanceSeconds(1);
        }
    }

    @Test
    void tombstonesAreAFirstInFirstOutSetOfTheirBound() {
        MemoryBackend memory = memory(3);
        String conc = concurrency("conc", 10, 60).key();
        for (int i = 0; i < 5; i++) {
            assertAllowed(reserve(lease("t" + i), req(conc, 1)));
            assertOk(complete(lease("t" + i)));
        }

        assertEquals(3, memory.tombstoneCount());
        assertRejected(reserve(lease("t4"), req(conc, 1)), ErrorCodes.leaseExpired(lease("t4")), 0);
        assertRejected(reserve(lease("t2"), req(conc, 1)), ErrorCodes.leaseExpired(lease("t2")), 0);
        // The oldest id was forgotten: it is a new lease now, which the limit allows.
        assertAllowed(reserve(lease("t0"), req(conc, 1)));
    }

    @Test
    void deniedLeasesAreRememberedWithinTheirBound() {
        MemoryBackend memory = memory(100);
        String rpm = rolling("rpm", 1, 60).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));

        for (int i = 0; i < 1000; i++) {
            assertDenied(reserve(lease("d" + i), req(rpm, 1)));
        }

        assertTrue(memory.deniedLeaseCount() <= 100, "denials " + memory.deniedLeaseCount());
        assertEquals(1, memory.leaseRecordCount());
        assertDenied(reserve(lease("d999"), req(rpm, 1)));
    }

    // ---- Arithmetic at the 2^63-1 edge ----

    @Test
    void holdsAndDebtAtTheLargestCapacityNeverWrap() {
        String tpm = rolling("tpm", Long.MAX_VALUE, MAX_HOLD_SECONDS).key();

        assertAllowed(reserve(lease("a"), req(tpm, Long.MAX_VALUE - 1)));
        assertAllowed(reserve(lease("b"), req(tpm, 1)));
        assertUsage(tpm, Long.MAX_VALUE, 0, 0);
        assertDenied(reserve(lease("c"), req(tpm, 1)));
        assertDenied(reserve(lease("d"), req(tpm, Long.MAX_VALUE)));

        assertOk(complete(lease("b"), new Actual(tpm, Long.MAX_VALUE)));
        assertUsage(tpm, Long.MAX_VALUE, 0, Long.MAX_VALUE - 1);
        assertOk(complete(lease("a"), new Actual(tpm, Long.MAX_VALUE)));
        assertUsage(tpm, Long.MAX_VALUE, 0, Long.MAX_VALUE);
    }

    @Test
    void largestConcurrencyCapacityAndTimeoutNeverWrap() {
        String conc = concurrency("conc", Long.MAX_VALUE, MAX_HOLD_SECONDS).key();

        assertAllowed(reserve(lease("a"), req(conc, Long.MAX_VALUE)));
        assertDenied(reserve(lease("b"), req(conc, 1)));
        clock.advanceSeconds(MAX_HOLD_SECONDS - 1);
        assertUsage(conc, Long.MAX_VALUE, 0, 0);
        clock.advanceSeconds(1);
        assertUsage(conc, 0, Long.MAX_VALUE, 0);
    }

    @Test
    void expiryNearTheEndOfTimeSaturatesInsteadOfWrapping() {
        clock = new ManualClock(Long.MAX_VALUE - 10_000);
        backend.close();
        backend = new MemoryBackend(clock, new RetryHints(POLICY, clock));
        String rpm = rolling("rpm", 2, MAX_HOLD_SECONDS).key();

        ReserveResponse first = reserve(lease("a"), req(rpm, 1));
        clock.advanceMillis(5_000);

        assertAllowed(first);
        assertUsage(rpm, 1, 1, 0);
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertEquals(first.reservedAtUnixMs(), reserve(lease("a"), req(rpm, 1)).reservedAtUnixMs());
    }

    @Test
    void overageAtTheEdgeOfCapacityIsHeldExactly() {
        String tpm = rolling("tpm", Long.MAX_VALUE, 60).key();
        assertAllowed(reserve(lease("a"), req(tpm, 1)));

        assertOk(complete(lease("a"), new Actual(tpm, Long.MAX_VALUE)));

        assertUsage(tpm, Long.MAX_VALUE, 0, 0);
    }

    // ---- Concurrency ----

    @Test
    void concurrentReservesWithTheSameLeaseIdTakeCapacityOnce() throws Exception {
        String conc = concurrency("conc", 1_000_000, 60).key();
        int threads = 8;
        int leases = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int n = 0; n < leases; n++) {
                String leaseId = lease("same" + n);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ReserveResponse>> answers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return reserve(leaseId, req(conc, 3));
                    }));
                }
                start.countDown();
                Set<Long> reservedAt = new HashSet<>();
                for (Future<ReserveResponse> answer : answers) {
                    ReserveResponse response = answer.get(10, TimeUnit.SECONDS);
                    assertAllowed(response);
                    reservedAt.add(response.reservedAtUnixMs());
                }
                assertEquals(1, reservedAt.size());
                clock.advanceMillis(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertUsage(conc, 3L * leases, 1_000_000 - 3L * leases, 0);
    }

    @Test
    void concurrentSameLeaseReservesOnAFullKeyAreAllDenied() throws Exception {
        String conc = concurrency("conc", 1, 60).key();
        assertAllowed(reserve(lease("fill"), req(conc, 1)));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int n = 0; n < 100; n++) {
                String leaseId = lease("race" + n);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ReserveResponse>> answers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    answers.add(pool.submit(() -> {
                        start.await();
                        return reserve(leaseId, req(conc, 1));
                    }));
                }
                start.countDown();
                for (Future<ReserveResponse> answer : answers) {
                    assertDenied(answer.get(10, TimeUnit.SECONDS));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertUsage(conc, 1, 0, 0);
    }

    @Test
    void multiKeyReservesInOppositeOrdersNeverDeadlock() throws Exception {
        String a = concurrency("a", 3, 60).key();
        String b = concurrency("b", 3, 60).key();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                workers.add(pool.submit(() -> {
                    int admitted = 0;
                    for (int i = 0; i < 5_000; i++) {
                        String leaseId = lease("w" + worker + "i" + i);
                        ReserveResponse response = worker % 2 == 0
                                ? reserve(leaseId, req(a, 1), req(b, 1))
                                : reserve(leaseId, req(b, 1), req(a, 1));
                        if (response.allowed()) {
                            admitted++;
                            backend.complete(new CompleteRequest(leaseId, "", List.of()));
                        }
                    }
                    return admitted;
                }));
            }
            int admitted = 0;
            for (Future<Integer> worker : workers) {
                admitted += worker.get(60, TimeUnit.SECONDS);
            }
            assertTrue(admitted > 0);
        } finally {
            pool.shutdownNow();
        }
        assertUsage(a, 0, 3, 0);
        assertUsage(b, 0, 3, 0);
    }
}
