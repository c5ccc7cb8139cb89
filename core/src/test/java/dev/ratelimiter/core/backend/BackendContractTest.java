package dev.ratelimiter.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission contract of SPEC section 2 (and the backend-visible hazards of section 11) that
 * every {@link Backend} must pass. A backend module subclasses this and supplies the backend and a
 * way to let time pass.
 *
 * <p>Time: a backend on a manual clock advances it in {@link #letTimePass}; a backend that keeps
 * real time (TigerBeetle, whose pending-transfer timeouts are whole seconds) waits instead, and
 * lets expiry-dependent assertions poll for up to {@link #expiryTolerance()}. Tests that wait use
 * windows and timeouts of 1 or 2 s; the others use {@link #LONG_SECONDS} so that nothing expires
 * while a slow backend works.
 *
 * <p>Isolation: every test names its keys and leases with a random suffix, so subclasses may share
 * one backend cluster across tests. Limits are installed with {@link Backend#install} directly, as
 * the service would after saving them.
 */
public abstract class BackendContractTest {
    /** A window or timeout that no test outlives. */
    protected static final long LONG_SECONDS = 600;
    /** The retry policy every backend under test is created with. */
    protected static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    protected Backend backend;
    private String runId;

    /** Creates the backend under test, using {@code retryPolicy} for its retry hints. */
    protected abstract Backend createBackend(RetryPolicy retryPolicy);

    /** Lets {@code duration} pass for the backend: a manual clock advances, a real-time backend waits. */
    protected abstract void letTimePass(Duration duration);

    /**
     * How long an assertion about something that expires may poll after {@link #letTimePass} before
     * it fails. A manual clock needs none: the answer must be exact at once.
     */
    protected Duration expiryTolerance() {
        return Duration.ofSeconds(5);
    }

    @BeforeEach
    public void openBackend() {
        runId = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        backend = createBackend(POLICY);
    }

    @AfterEach
    public void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---- Rolling limits (SPEC 1, 2.1) ----

    @Test
    public void admitsUntilRollingCapacityIsFullThenDenies() {
        String rpm = rolling("rpm", 3, LONG_SECONDS).key();

        assertAllowed(reserve(lease("a"), req(rpm, 2)));
        assertUsage(rpm, 2, 1, 0);
        assertAllowed(reserve(lease("b"), req(rpm, 1)));
        assertUsage(rpm, 3, 0, 0);
        assertDenied(reserve(lease("c"), req(rpm, 1)));
        assertUsage(rpm, 3, 0, 0);
    }

    @Test
    public void rollingHoldStillCountsBeforeTheWindowEnds() {
        String rpm = rolling("rpm", 2, 2).key();
        assertAllowed(reserve(lease("a"), req(rpm, 2)));

        letTimePass(Duration.ofMillis(1000));

        assertUsage(rpm, 2, 0, 0);
        assertDenied(reserve(lease("b"), req(rpm, 1)));
    }

    @Test
    public void rollingHoldReturnsItsCapacityWhenTheWindowEnds() {
        String rpm = rolling("rpm", 2, 1).key();
        assertAllowed(reserve(lease("a"), req(rpm, 2)));
        assertDenied(reserve(lease("b"), req(rpm, 1)));

        letTimePass(Duration.ofSeconds(1));

        awaitUsage(rpm, 0, 2, 0);
        assertAllowed(reserve(lease("c"), req(rpm, 2)));
        assertUsage(rpm, 2, 0, 0);
    }

    @Test
    public void admittedLeaseHoldsEveryRequirement() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String tpm = rolling("tpm", 1000, LONG_SECONDS).key();
        String conc = concurrency("conc", 4, LONG_SECONDS).key();

        ReserveResponse response = reserve(lease("a"), req(rpm, 1), req(tpm, 700), req(conc, 2));

        assertAllowed(response);
        assertEquals("", response.error());
        assertEquals(0, response.retryAfterMs());
        assertUsage(rpm, 1, 9, 0);
        assertUsage(tpm, 700, 300, 0);
        assertUsage(conc, 2, 2, 0);
    }

    @Test
    public void deniesAtomicallyWhenAnyKeyDoesNotFit() {
        String rpm = rolling("rpm", 5, LONG_SECONDS).key();
        String conc = concurrency("conc", 2, LONG_SECONDS).key();
        String tpm = rolling("tpm", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("filler"), req(tpm, 1)));

        assertDenied(reserve(lease("a"), req(rpm, 3), req(conc, 1), req(tpm, 1)));

        assertUsage(rpm, 0, 5, 0);
        assertUsage(conc, 0, 2, 0);
        assertUsage(tpm, 1, 0, 0);
        assertAllowed(reserve(lease("b"), req(rpm, 5), req(conc, 2)));
        assertUsage(rpm, 5, 0, 0);
        assertUsage(conc, 2, 0, 0);
    }

    // ---- Concurrency limits (SPEC 1, 2.3) ----

    @Test
    public void concurrencyAmountTakesThatManySlots() {
        String conc = concurrency("conc", 3, LONG_SECONDS).key();

        assertAllowed(reserve(lease("a"), req(conc, 2)));
        assertUsage(conc, 2, 1, 0);
        assertDenied(reserve(lease("b"), req(conc, 2)));
        assertAllowed(reserve(lease("c"), req(conc, 1)));
        assertUsage(conc, 3, 0, 0);
    }

    @Test
    public void completeReleasesConcurrencyAtOnce() {
        String conc = concurrency("conc", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));
        assertDenied(reserve(lease("b"), req(conc, 1)));

        assertOk(complete(lease("a")));

        assertUsage(conc, 0, 1, 0);
        assertAllowed(reserve(lease("c"), req(conc, 1)));
    }

    @Test
    public void concurrencyHoldExpiresAfterItsTimeout() {
        String conc = concurrency("conc", 1, 1).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));
        assertDenied(reserve(lease("b"), req(conc, 1)));

        letTimePass(Duration.ofSeconds(1));

        awaitUsage(conc, 0, 1, 0);
        assertAllowed(reserve(lease("c"), req(conc, 1)));
    }

    @Test
    public void completeWithoutActualsReleasesOnlyConcurrency() {
        String tpm = rolling("tpm", 10, 1).key();
        String conc = concurrency("conc", 2, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4), req(conc, 1)));

        assertOk(complete(lease("a")));

        assertUsage(conc, 0, 2, 0);
        assertUsage(tpm, 4, 6, 0);
        letTimePass(Duration.ofSeconds(1));
        awaitUsage(tpm, 0, 10, 0);
    }

    // ---- Reconciliation and overage (SPEC 2.3) ----

    @Test
    public void actualBelowReservedFreesTheSlackAtOnceAndKeepsTheOriginalExpiry() {
        String tpm = rolling("tpm", 10, 2).key();
        assertAllowed(reserve(lease("a"), req(tpm, 10)));
        letTimePass(Duration.ofSeconds(1));

        assertOk(complete(lease("a"), new Actual(tpm, 4)));

        assertUsage(tpm, 4, 6, 0);
        letTimePass(Duration.ofSeconds(1));
        awaitUsage(tpm, 0, 10, 0);
    }

    @Test
    public void actualZeroFreesTheWholeHold() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 10)));

        assertOk(complete(lease("a"), new Actual(tpm, 0)));

        assertUsage(tpm, 0, 10, 0);
        assertAllowed(reserve(lease("b"), req(tpm, 10)));
    }

    @Test
    public void actualEqualToReservedKeepsTheHold() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 6)));

        assertOk(complete(lease("a"), new Actual(tpm, 6)));

        assertUsage(tpm, 6, 4, 0);
    }

    @Test
    public void overageIsReservedWhenItFitsUntilTheOriginalExpiry() {
        String tpm = rolling("tpm", 10, 2).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4)));
        letTimePass(Duration.ofSeconds(1));

        assertOk(complete(lease("a"), new Actual(tpm, 7)));

        assertUsage(tpm, 7, 3, 0);
        letTimePass(Duration.ofSeconds(1));
        awaitUsage(tpm, 0, 10, 0);
    }

    @Test
    public void overageBecomesDebtWhenItDoesNotFit() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4)));
        assertAllowed(reserve(lease("b"), req(tpm, 5)));

        assertOk(complete(lease("a"), new Actual(tpm, 8)));

        assertUsage(tpm, 9, 1, 4);
        assertAllowed(reserve(lease("c"), req(tpm, 1)));
        assertUsage(tpm, 10, 0, 4);
    }

    @Test
    public void debtAddsUpOverLeases() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 5)));
        assertAllowed(reserve(lease("b"), req(tpm, 5)));

        assertOk(complete(lease("a"), new Actual(tpm, 7)));
        assertOk(complete(lease("b"), new Actual(tpm, 8)));

        assertUsage(tpm, 10, 0, 5);
    }

    @Test
    public void overageIsDroppedUnderDenyOverage() {
        String tpm = install(LimitState.created(
                        LimitDefinition.rolling(key("tpm"), 10, LONG_SECONDS).withOverage(Overage.DENY)))
                .key();
        assertAllowed(reserve(lease("a"), req(tpm, 4)));
        assertAllowed(reserve(lease("b"), req(tpm, 5)));

        assertOk(complete(lease("a"), new Actual(tpm, 8)));

        assertUsage(tpm, 9, 1, 0);
    }

    @Test
    public void actualsForUnreservedAndConcurrencyKeysAreIgnored() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        String other = rolling("other", 10, LONG_SECONDS).key();
        String conc = concurrency("conc", 2, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 4), req(conc, 1)));

        assertOk(complete(lease("a"), new Actual(other, 9), new Actual(conc, 5)));

        assertUsage(tpm, 4, 6, 0);
        assertUsage(other, 0, 10, 0);
        assertUsage(conc, 0, 2, 0);
    }

    // ---- Idempotency of reserve (SPEC 2.2) ----

    @Test
    public void repeatedReserveWhileLiveAnswersTheOriginalReservationAndTakesNothingMore() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String conc = concurrency("conc", 5, LONG_SECONDS).key();
        ReserveResponse first = reserve(lease("a"), req(rpm, 1), req(conc, 2));
        assertAllowed(first);

        ReserveResponse again = reserve(lease("a"), req(rpm, 1), req(conc, 2));
        ReserveResponse reordered = reserve(lease("a"), req(conc, 2), req(rpm, 1));

        assertAllowed(again);
        assertAllowed(reordered);
        assertEquals(first.reservedAtUnixMs(), again.reservedAtUnixMs());
        assertEquals(first.reservedAtUnixMs(), reordered.reservedAtUnixMs());
        assertUsage(rpm, 1, 9, 0);
        assertUsage(conc, 2, 3, 0);
    }

    @Test
    public void repeatedReserveWithDifferentRequirementsIsInvalid() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));

        assertRejected(reserve(lease("a"), req(rpm, 2)), ErrorCodes.INVALID_REQUEST, 0);
        assertRejected(reserve(lease("a"), req(rpm, 1), req(tpm, 1)), ErrorCodes.INVALID_REQUEST, 0);
        assertRejected(reserve(lease("a"), req(tpm, 1)), ErrorCodes.INVALID_REQUEST, 0);

        assertUsage(rpm, 1, 9, 0);
        assertUsage(tpm, 0, 10, 0);
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
    }

    @Test
    public void repeatedReserveAfterCompleteAnswersLeaseExpired() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String conc = concurrency("conc", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1), req(conc, 1)));
        assertOk(complete(lease("a")));

        assertRejected(reserve(lease("a"), req(rpm, 1), req(conc, 1)), ErrorCodes.leaseExpired(lease("a")), 0);

        assertUsage(rpm, 1, 9, 0);
        assertUsage(conc, 0, 1, 0);
    }

    @Test
    public void repeatedReserveAfterTheHoldsExpiredAnswersLeaseExpired() {
        String rpm = rolling("rpm", 10, 1).key();
        assertAllowed(reserve(lease("a"), req(rpm, 3)));

        letTimePass(Duration.ofSeconds(1));
        awaitUsage(rpm, 0, 10, 0);

        assertRejected(reserve(lease("a"), req(rpm, 3)), ErrorCodes.leaseExpired(lease("a")), 0);
        assertUsage(rpm, 0, 10, 0);
    }

    @Test
    public void repeatedReserveAfterDenialIsDeniedAgainEvenWhenCapacityIsFree() {
        String rpm = rolling("rpm", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertDenied(reserve(lease("b"), req(rpm, 1)));
        assertOk(complete(lease("a"), new Actual(rpm, 0)));
        assertUsage(rpm, 0, 1, 0);

        assertDenied(reserve(lease("b"), req(rpm, 1)));

        assertUsage(rpm, 0, 1, 0);
        assertAllowed(reserve(lease("c"), req(rpm, 1)));
    }

    // A repeat answers from the lease's fate before it compares requirements (docs/DECISIONS.md):
    // once completed, expired or denied, what the repeat asks for no longer matters.

    @Test
    public void repeatOfACompletedLeaseWithDifferentRequirementsAnswersLeaseExpired() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertOk(complete(lease("a")));

        assertRejected(reserve(lease("a"), req(rpm, 2)), ErrorCodes.leaseExpired(lease("a")), 0);
        assertRejected(reserve(lease("a"), req(rpm, 1), req(tpm, 1)), ErrorCodes.leaseExpired(lease("a")), 0);

        assertUsage(rpm, 1, 9, 0);
        assertUsage(tpm, 0, 10, 0);
    }

    @Test
    public void repeatOfAnExpiredLeaseWithDifferentRequirementsAnswersLeaseExpired() {
        String rpm = rolling("rpm", 10, 1).key();
        assertAllowed(reserve(lease("a"), req(rpm, 3)));

        letTimePass(Duration.ofSeconds(1));
        awaitUsage(rpm, 0, 10, 0);

        assertRejected(reserve(lease("a"), req(rpm, 4)), ErrorCodes.leaseExpired(lease("a")), 0);
        assertUsage(rpm, 0, 10, 0);
    }

    @Test
    public void repeatOfADeniedLeaseWithDifferentRequirementsIsDeniedAgain() {
        String rpm = rolling("rpm", 1, LONG_SECONDS).key();
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertDenied(reserve(lease("b"), req(rpm, 1)));
        assertOk(complete(lease("a"), new Actual(rpm, 0)));

        assertDenied(reserve(lease("b"), req(tpm, 1)));
        assertDenied(reserve(lease("b"), req(rpm, 1), req(tpm, 2)));

        assertUsage(rpm, 0, 1, 0);
        assertUsage(tpm, 0, 10, 0);
    }

    // ---- Idempotency of complete (SPEC 2.3) ----

    @Test
    public void completeTwiceChangesNothingTheSecondTime() {
        String tpm = rolling("tpm", 10, LONG_SECONDS).key();
        String conc = concurrency("conc", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(tpm, 8), req(conc, 1)));
        assertOk(complete(lease("a"), new Actual(tpm, 5)));
        assertAllowed(reserve(lease("b"), req(conc, 1)));

        assertOk(complete(lease("a"), new Actual(tpm, 0)));

        assertUsage(tpm, 5, 5, 0);
        assertUsage(conc, 1, 0, 0);
    }

    @Test
    public void completeOfAnUnknownLeaseIsOkAndChangesNothing() {
        String conc = concurrency("conc", 2, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));

        assertOk(complete(lease("never-reserved"), new Actual(conc, 0)));

        assertUsage(conc, 1, 1, 0);
    }

    @Test
    public void completeOfADeniedLeaseIsOkAndChangesNothing() {
        String conc = concurrency("conc", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));
        assertDenied(reserve(lease("b"), req(conc, 1)));

        assertOk(complete(lease("b")));

        assertUsage(conc, 1, 0, 0);
    }

    // ---- Errors with codes (SPEC 2.1, 3) ----

    @Test
    public void unknownKeyIsRejectedAndHoldsNothing() {
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();
        String missing = key("missing");

        assertRejected(reserve(lease("a"), req(rpm, 1), req(missing, 1)), ErrorCodes.unknownLimitKey(missing), 0);

        assertUsage(rpm, 0, 10, 0);
    }

    @Test
    public void unknownKeyRejectionIsNotRemembered() {
        String missing = key("later");
        assertRejected(reserve(lease("a"), req(missing, 1)), ErrorCodes.unknownLimitKey(missing), 0);

        install(LimitState.created(LimitDefinition.rolling(missing, 5, LONG_SECONDS)));

        assertAllowed(reserve(lease("a"), req(missing, 1)));
        assertUsage(missing, 1, 4, 0);
    }

    @Test
    public void amountAboveCapacityIsRejectedWithoutRetryAndIsNotRemembered() {
        LimitState tpm = rolling("tpm", 10, LONG_SECONDS);
        String rpm = rolling("rpm", 10, LONG_SECONDS).key();

        assertRejected(reserve(lease("a"), req(rpm, 1), req(tpm.key(), 11)), ErrorCodes.exceedsCapacity(tpm.key()), 0);
        assertUsage(rpm, 0, 10, 0);
        assertUsage(tpm.key(), 0, 10, 0);

        install(tpm.change(tpm.definition().withCapacity(20)));
        assertAllowed(reserve(lease("a"), req(rpm, 1), req(tpm.key(), 11)));
        assertUsage(tpm.key(), 11, 9, 0);
    }

    @Test
    public void capacityDenialCarriesAPositiveBoundedRetryHint() {
        String rpm = rolling("rpm", 1, LONG_SECONDS).key();
        String conc = concurrency("conc", 1, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 1)));
        assertAllowed(reserve(lease("b"), req(conc, 1)));

        for (int i = 0; i < 5; i++) {
            ReserveResponse rolling = reserve(lease("r" + i), req(rpm, 1));
            assertDenied(rolling);
            assertTrue(
                    rolling.retryAfterMs() <= POLICY.rollingCapMs() + POLICY.rollingJitterMs(),
                    "rolling hint above its cap: " + rolling.retryAfterMs());
            ReserveResponse concurrent = reserve(lease("c" + i), req(conc, 1));
            assertDenied(concurrent);
            assertTrue(
                    concurrent.retryAfterMs() <= POLICY.concurrencyMaxMs() + POLICY.concurrencyJitterMs(),
                    "concurrency hint above its cap: " + concurrent.retryAfterMs());
        }
    }

    // ---- Capacity and definition changes (SPEC 2.4) ----

    @Test
    public void increaseAppliesAtOnce() {
        LimitState conc = concurrency("conc", 2, LONG_SECONDS);
        assertAllowed(reserve(lease("a"), req(conc.key(), 2)));
        assertDenied(reserve(lease("b"), req(conc.key(), 1)));

        LimitState raised = install(conc.change(conc.definition().withCapacity(4)));

        assertEquals(LimitStatus.ACTIVE, raised.status());
        assertUsage(conc.key(), 2, 2, 0);
        assertAllowed(reserve(lease("c"), req(conc.key(), 2)));
        assertUsage(conc.key(), 4, 0, 0);
    }

    @Test
    public void decreaseBlocksReservesUntilEnoughIsFreeThenApplies() {
        LimitState conc = concurrency("conc", 4, LONG_SECONDS);
        assertAllowed(reserve(lease("a"), req(conc.key(), 2)));
        assertAllowed(reserve(lease("b"), req(conc.key(), 1)));

        LimitState decreasing = install(conc.change(conc.definition().withCapacity(2)));

        assertEquals(LimitStatus.DECREASING, decreasing.status());
        assertUsage(conc.key(), 3, 1, 0);
        assertRejected(
                reserve(lease("c"), req(conc.key(), 1)), ErrorCodes.limitDecreasing(conc.key()), POLICY.decreasingMs());
        assertFalse(backend.tryApplyDecrease(conc.key()), "3 held leaves only 1 of the 2 to give back free");
        assertUsage(conc.key(), 3, 1, 0);

        assertOk(complete(lease("a")));
        assertTrue(backend.tryApplyDecrease(conc.key()), "1 held fits the new capacity of 2");
        install(decreasing.decreaseApplied());

        assertUsage(conc.key(), 1, 1, 0);
        assertAllowed(reserve(lease("c"), req(conc.key(), 1)));
        assertDenied(reserve(lease("d"), req(conc.key(), 1)));
        assertUsage(conc.key(), 2, 0, 0);
    }

    @Test
    public void decreasingKeyBlocksAMultiKeyReserveAndHoldsNothing() {
        LimitState rpm = rolling("rpm", 10, LONG_SECONDS);
        String tpm = rolling("tpm", 100, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm.key(), 8)));
        install(rpm.change(rpm.definition().withCapacity(5)));

        assertRejected(
                reserve(lease("b"), req(tpm, 10), req(rpm.key(), 1)),
                ErrorCodes.limitDecreasing(rpm.key()),
                POLICY.decreasingMs());

        assertUsage(tpm, 0, 100, 0);
        assertUsage(rpm.key(), 8, 2, 0);
    }

    @Test
    public void decreaseOfAnIdleKeyAppliesOnTheFirstCheck() {
        LimitState rpm = rolling("rpm", 5, LONG_SECONDS);
        LimitState decreasing = install(rpm.change(rpm.definition().withCapacity(3)));

        assertTrue(backend.tryApplyDecrease(rpm.key()));
        install(decreasing.decreaseApplied());

        assertUsage(rpm.key(), 0, 3, 0);
        assertRejected(reserve(lease("a"), req(rpm.key(), 4)), ErrorCodes.exceedsCapacity(rpm.key()), 0);
        assertAllowed(reserve(lease("b"), req(rpm.key(), 3)));
    }

    @Test
    public void tryApplyDecreaseOfAnActiveKeyChangesNothing() {
        String rpm = rolling("rpm", 5, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(rpm, 2)));

        assertFalse(backend.tryApplyDecrease(rpm));

        assertUsage(rpm, 2, 3, 0);
    }

    @Test
    public void increaseCancelsAPendingDecrease() {
        LimitState conc = concurrency("conc", 4, LONG_SECONDS);
        assertAllowed(reserve(lease("a"), req(conc.key(), 3)));
        LimitState decreasing = install(conc.change(conc.definition().withCapacity(2)));

        LimitState raised = install(decreasing.change(conc.definition().withCapacity(5)));

        assertEquals(LimitStatus.ACTIVE, raised.status());
        assertFalse(backend.tryApplyDecrease(conc.key()));
        assertUsage(conc.key(), 3, 2, 0);
        assertAllowed(reserve(lease("b"), req(conc.key(), 2)));
        assertUsage(conc.key(), 5, 0, 0);
    }

    @Test
    public void windowChangeAppliesToNewHoldsWhileExistingHoldsKeepTheirExpiry() {
        LimitState rpm = rolling("rpm", 2, 1);
        assertAllowed(reserve(lease("a"), req(rpm.key(), 1)));

        install(rpm.change(LimitDefinition.rolling(rpm.key(), 2, 2)));
        letTimePass(Duration.ofSeconds(1));
        awaitUsage(rpm.key(), 0, 2, 0);

        assertAllowed(reserve(lease("b"), req(rpm.key(), 1)));
        letTimePass(Duration.ofSeconds(1));
        assertUsage(rpm.key(), 1, 1, 0);
    }

    @Test
    public void overageChangeAppliesAtOnce() {
        LimitState tpm = rolling("tpm", 10, LONG_SECONDS);
        assertAllowed(reserve(lease("a"), req(tpm.key(), 5)));
        assertAllowed(reserve(lease("b"), req(tpm.key(), 5)));

        install(tpm.change(tpm.definition().withOverage(Overage.DENY)));
        assertOk(complete(lease("a"), new Actual(tpm.key(), 9)));

        assertUsage(tpm.key(), 10, 0, 0);
    }

    @Test
    public void installingTheSameStateTwiceChangesNothing() {
        LimitState rpm = rolling("rpm", 5, LONG_SECONDS);
        assertAllowed(reserve(lease("a"), req(rpm.key(), 3)));

        install(rpm);
        install(rpm);

        assertUsage(rpm.key(), 3, 2, 0);
        assertDenied(reserve(lease("b"), req(rpm.key(), 3)));
    }

    // ---- Batches and lifecycle (SPEC 3, 5) ----

    @Test
    public void reserveAllAnswersInRequestOrder() {
        String conc = concurrency("conc", 2, LONG_SECONDS).key();

        List<ReserveResponse> responses = backend.reserveAll(List.of(
                request(lease("a"), req(conc, 1)),
                request(lease("b"), req(conc, 1)),
                request(lease("c"), req(conc, 1))));

        assertEquals(3, responses.size());
        assertAllowed(responses.get(0));
        assertAllowed(responses.get(1));
        assertDenied(responses.get(2));
        assertUsage(conc, 2, 0, 0);
    }

    @Test
    public void completeAllAnswersInRequestOrder() {
        String conc = concurrency("conc", 2, LONG_SECONDS).key();
        assertAllowed(reserve(lease("a"), req(conc, 1)));
        assertAllowed(reserve(lease("b"), req(conc, 1)));

        List<CompleteResponse> responses = backend.completeAll(List.of(
                new CompleteRequest(lease("a"), "", List.of()), new CompleteRequest(lease("unknown"), "", List.of())));

        assertEquals(2, responses.size());
        assertOk(responses.get(0));
        assertOk(responses.get(1));
        assertUsage(conc, 1, 1, 0);
    }

    @Test
    public void isHealthyWhileOpenAndClosesTwiceSafely() {
        assertTrue(backend.isHealthy());

        backend.close();
        backend.close();
    }

    // ---- Helpers for subclasses ----

    /** A key unique to this test run. */
    protected final String key(String name) {
        return "contract:" + name + ":" + runId;
    }

    /** A lease id unique to this test run. */
    protected final String lease(String name) {
        return name + "-" + runId;
    }

    protected final LimitState install(LimitState state) {
        backend.install(state);
        return state;
    }

    protected final LimitState rolling(String name, long capacity, long windowSeconds) {
        return install(LimitState.created(LimitDefinition.rolling(key(name), capacity, windowSeconds)));
    }

    protected final LimitState concurrency(String name, long capacity, long timeoutSeconds) {
        return install(LimitState.created(LimitDefinition.concurrency(key(name), capacity, timeoutSeconds)));
    }

    protected static Requirement req(String key, long amount) {
        return new Requirement(key, amount);
    }

    protected static ReserveRequest request(String leaseId, Requirement... requirements) {
        return new ReserveRequest(leaseId, "", Arrays.asList(requirements));
    }

    protected final ReserveResponse reserve(String leaseId, Requirement... requirements) {
        return backend.reserve(request(leaseId, requirements));
    }

    protected final CompleteResponse complete(String leaseId, Actual... actuals) {
        return backend.complete(new CompleteRequest(leaseId, "", Arrays.asList(actuals)));
    }

    protected static void assertAllowed(ReserveResponse response) {
        assertTrue(response.allowed(), () -> "expected allowed, got " + response);
        assertEquals("", response.error(), () -> "allowed with an error: " + response);
        assertTrue(response.reservedAtUnixMs() > 0, () -> "allowed without reserved_at: " + response);
    }

    /** A denial for capacity: no error code, a positive retry hint (SPEC 2.1). */
    protected static void assertDenied(ReserveResponse response) {
        assertFalse(response.allowed(), () -> "expected a denial, got " + response);
        assertEquals("", response.error(), () -> "a capacity denial carries no error: " + response);
        assertTrue(response.retryAfterMs() > 0, () -> "a capacity denial needs retry_after_ms > 0: " + response);
    }

    protected static void assertRejected(ReserveResponse response, String error, long retryAfterMs) {
        assertFalse(response.allowed(), () -> "expected " + error + ", got " + response);
        assertEquals(error, response.error());
        assertEquals(retryAfterMs, response.retryAfterMs(), () -> "retry_after_ms of " + response);
    }

    protected static void assertOk(CompleteResponse response) {
        assertEquals(CompleteResponse.succeeded(), response);
    }

    /** Asserts the usage of {@code key} now, without waiting. */
    protected final void assertUsage(String key, long reserved, long available, long debt) {
        assertEquals(new Usage(reserved, available, debt), backend.usage(key), () -> "usage of " + key);
    }

    /**
     * Asserts the usage of {@code key} after something expired, polling for up to
     * {@link #expiryTolerance()} for a backend whose expiry runs on its own time.
     */
    protected final void awaitUsage(String key, long reserved, long available, long debt) {
        Usage expected = new Usage(reserved, available, debt);
        long deadlineNanos = System.nanoTime() + expiryTolerance().toNanos();
        Usage actual = backend.usage(key);
        while (!expected.equals(actual) && System.nanoTime() - deadlineNanos < 0) {
            pauseBetweenPolls();
            actual = backend.usage(key);
        }
        assertEquals(expected, actual, "usage of " + key + " after waiting up to " + expiryTolerance());
    }

    private static void pauseBetweenPolls() {
        try {
            // Polling a real-time backend with a deadline; a manual clock never gets here.
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling", e);
        }
    }
}
