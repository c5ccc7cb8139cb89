package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.registry.InMemoryStore;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.RequestLimits;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backend's TigerBeetle-specific behaviour on {@link FakeTigerBeetle} and a manual clock: what
 * survives a restart of this server, how capacity changes are named, how a complete reconciles, and
 * that batches travel together. The same behaviours run against a real TigerBeetle in
 * {@link TigerBeetleServerTest} when one is available.
 */
class BackendOnFakeClusterTest {
    private static final long START_MS = 1_700_000_000_000L;

    private final ManualClock clock = new ManualClock(START_MS);
    private final FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
    private final LedgerIds ids = LedgerIds.standard();
    private final List<TigerBeetleBackend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        backends.forEach(TigerBeetleBackend::close);
    }

    @Test
    void admitsUpToTheCapacityAndHoldsNothingForADeniedLease() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));
        backend.install(LimitState.created(LimitDefinition.concurrency("slots", 5, 30)));

        assertTrue(reserve(backend, "a", "rpm", 1, "slots", 1).allowed());
        assertTrue(reserve(backend, "b", "rpm", 1, "slots", 1).allowed());
        ReserveResponse denied = reserve(backend, "c", "rpm", 1, "slots", 1);

        assertFalse(denied.allowed());
        assertEquals("", denied.error());
        assertTrue(denied.retryAfterMs() > 0);
        assertEquals(new Usage(2, 3, 0), backend.usage("slots"));
    }

    @Test
    void answersARepeatWithTheOriginalTimeAndTakesNothingMore() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        ReserveResponse first = reserve(backend, "a", "rpm", 2);
        clock.advanceMillis(1_500);

        ReserveResponse repeat = reserve(backend, "a", "rpm", 2);

        assertTrue(repeat.allowed());
        assertEquals(first.reservedAtUnixMs(), repeat.reservedAtUnixMs());
        assertEquals(2, backend.usage("rpm").reserved());
        assertEquals(ErrorCodes.INVALID_REQUEST, reserve(backend, "a", "rpm", 3).error());
    }

    @Test
    void recognisesARepeatAfterARestartFromTheClusterAlone() {
        TigerBeetleBackend before = backend();
        before.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        long reservedAt = reserve(before, "a", "rpm", 2).reservedAtUnixMs();
        before.close();
        clock.advanceMillis(3_000);

        TigerBeetleBackend after = backend();
        after.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        ReserveResponse repeat = reserve(after, "a", "rpm", 2);

        assertTrue(repeat.allowed());
        assertEquals(reservedAt, repeat.reservedAtUnixMs());
        assertEquals(2, after.usage("rpm").reserved());
        assertEquals(ErrorCodes.INVALID_REQUEST, reserve(after, "a", "rpm", 1).error());
    }

    @Test
    void keepsADeniedLeaseDeniedAcrossARestart() {
        TigerBeetleBackend before = backend();
        before.install(LimitState.created(LimitDefinition.rolling("rpm", 1, 60)));
        assertTrue(reserve(before, "holder", "rpm", 1).allowed());
        assertFalse(reserve(before, "denied", "rpm", 1).allowed());
        before.close();
        clock.advanceSeconds(61);

        TigerBeetleBackend after = backend();
        after.install(LimitState.created(LimitDefinition.rolling("rpm", 1, 60)));
        ReserveResponse repeat = reserve(after, "denied", "rpm", 1);

        assertFalse(repeat.allowed(), "capacity is free again, but a denied lease stays denied");
        assertEquals(0, after.usage("rpm").reserved());
        assertTrue(reserve(after, "fresh", "rpm", 1).allowed());
    }

    @Test
    void answersLeaseExpiredOnceTheHoldsAreGoneOrCompleted() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 10)));
        backend.install(LimitState.created(LimitDefinition.concurrency("slots", 5, 30)));
        reserve(backend, "expiring", "rpm", 1);
        reserve(backend, "completed", "slots", 1);
        assertTrue(backend.complete(new CompleteRequest("completed", "", List.of()))
                .ok());
        clock.advanceSeconds(10);

        assertEquals(
                ErrorCodes.leaseExpired("expiring"),
                reserve(backend, "expiring", "rpm", 1).error());
        assertEquals(
                ErrorCodes.leaseExpired("completed"),
                reserve(backend, "completed", "slots", 1).error());
    }

    @Test
    void answersLeaseExpiredAfterARestartForACompletedLease() {
        TigerBeetleBackend before = backend();
        before.install(LimitState.created(LimitDefinition.concurrency("slots", 5, 30)));
        reserve(before, "a", "slots", 1);
        before.complete(new CompleteRequest("a", "", List.of()));
        before.close();

        TigerBeetleBackend after = backend();
        after.install(LimitState.created(LimitDefinition.concurrency("slots", 5, 30)));
        assertEquals(
                ErrorCodes.leaseExpired("a"), reserve(after, "a", "slots", 1).error());
    }

    @Test
    void holdsMadeBeforeARestartStillCount() {
        TigerBeetleBackend before = backend();
        before.install(LimitState.created(LimitDefinition.rolling("rpm", 3, 60)));
        reserve(before, "a", "rpm", 3);
        before.close();

        TigerBeetleBackend after = backend();
        after.install(LimitState.created(LimitDefinition.rolling("rpm", 3, 60)));

        assertFalse(reserve(after, "b", "rpm", 1).allowed());
        assertEquals(3, after.usage("rpm").reserved());
        assertTrue(
                after.complete(new CompleteRequest("a", "", List.of(new Actual("rpm", 0))))
                        .ok(),
                "a complete the server has no record of answers ok");
        assertEquals(3, after.usage("rpm").reserved(), "and its holds expire by themselves");
        clock.advanceSeconds(60);
        assertTrue(reserve(after, "c", "rpm", 3).allowed());
    }

    @Test
    void releasesConcurrencyAndShrinksRollingHoldsOnComplete() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));
        backend.install(LimitState.created(LimitDefinition.concurrency("slots", 1, 30)));
        reserve(backend, "a", "tpm", 80, "slots", 1);
        clock.advanceSeconds(20);

        assertTrue(backend.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 30))))
                .ok());

        assertEquals(30, backend.usage("tpm").reserved());
        assertEquals(0, backend.usage("slots").reserved());
        clock.advanceSeconds(39);
        assertEquals(30, backend.usage("tpm").reserved(), "the actual amount stays until the original expiry");
        clock.advanceSeconds(1);
        assertEquals(0, backend.usage("tpm").reserved());
    }

    @Test
    void leavesRollingHoldsInPlaceWhenUsageIsUnknown() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));
        reserve(backend, "a", "tpm", 80);

        assertTrue(backend.complete(new CompleteRequest("a", "", List.of())).ok());
        assertTrue(backend.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 0))))
                .ok());

        assertEquals(80, backend.usage("tpm").reserved(), "a second complete changes nothing");
    }

    @Test
    void reservesOverageOrRecordsItAsDebt() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));
        reserve(backend, "a", "tpm", 50);
        reserve(backend, "b", "tpm", 30);

        backend.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 60))));
        assertEquals(new Usage(90, 10, 0), backend.usage("tpm"));

        backend.complete(new CompleteRequest("b", "", List.of(new Actual("tpm", 55))));
        assertEquals(new Usage(90, 10, 25), backend.usage("tpm"));
        assertEquals(25, cluster.debitsPosted(ids.debtAccount("tpm")));
    }

    @Test
    void dropsOverageThatDoesNotFitWhenTheLimitDeniesIt() {
        TigerBeetleBackend backend = backend();
        backend.install(
                LimitState.created(LimitDefinition.rolling("tpm", 100, 60).withOverage(Overage.DENY)));
        reserve(backend, "a", "tpm", 90);

        assertTrue(backend.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 150))))
                .ok());

        assertEquals(new Usage(90, 10, 0), backend.usage("tpm"));
    }

    @Test
    void appliesAnIncreaseAtOnceAndNamesEachChangeByItsRevision() {
        TigerBeetleBackend backend = backend();
        LimitState first = LimitState.created(LimitDefinition.rolling("rpm", 1, 60));
        backend.install(first);
        reserve(backend, "a", "rpm", 1);

        LimitState raised = first.change(LimitDefinition.rolling("rpm", 3, 60));
        backend.install(raised);
        assertTrue(reserve(backend, "b", "rpm", 2).allowed());

        LimitState lowered = raised.change(LimitDefinition.rolling("rpm", 1, 60));
        backend.install(lowered);
        assertEquals(
                ErrorCodes.limitDecreasing("rpm"),
                reserve(backend, "c", "rpm", 1).error());
        clock.advanceSeconds(60);
        assertTrue(backend.tryApplyDecrease("rpm"));
        LimitState applied = lowered.decreaseApplied();
        backend.install(applied);

        // The same capacities again, under later revisions: new ids, applied (SPEC 11).
        LimitState raisedAgain = applied.change(LimitDefinition.rolling("rpm", 3, 60));
        backend.install(raisedAgain);
        assertEquals(3, cluster.balance(ids.limitAccount("rpm")));
        assertTrue(reserve(backend, "d", "rpm", 3).allowed());
    }

    @Test
    void appliesADecreaseOnlyWhenTheHoldsFitTheLowerCapacity() {
        TigerBeetleBackend backend = backend();
        LimitState state = LimitState.created(LimitDefinition.concurrency("slots", 4, 30));
        backend.install(state);
        reserve(backend, "a", "slots", 2);
        reserve(backend, "b", "slots", 1);
        LimitState decreasing = state.change(LimitDefinition.concurrency("slots", 2, 30));
        backend.install(decreasing);

        assertFalse(backend.tryApplyDecrease("slots"));
        backend.complete(new CompleteRequest("b", "", List.of()));
        assertTrue(backend.tryApplyDecrease("slots"));

        assertEquals(2, cluster.balance(ids.limitAccount("slots")));
        assertFalse(reserve(backend, "c", "slots", 1).allowed());
    }

    @Test
    void appliesDecreasesThroughTheServiceLoop() throws Exception {
        TigerBeetleBackend backend = backend();
        try (LimiterService service = LimiterService.open(backend, new InMemoryStore(), RequestLimits.DEFAULT)) {
            service.putLimit(LimitDefinition.rolling("rpm", 5, 10));
            assertTrue(service.reserve(request("a", "rpm", 4)).allowed(), "a new limit is usable at once");
            assertEquals(
                    LimitStatus.DECREASING,
                    service.putLimit(LimitDefinition.rolling("rpm", 2, 10)).status());

            assertEquals(0, service.applyDecreases());
            clock.advanceSeconds(10);
            assertEquals(1, service.applyDecreases());

            assertEquals(LimitStatus.ACTIVE, service.limit("rpm").orElseThrow().status());
            assertEquals(2, service.limit("rpm").orElseThrow().definition().capacity());
            assertEquals(2, cluster.balance(ids.limitAccount("rpm")));
        }
    }

    @Test
    void resumesADecreaseAppliedJustBeforeARestart() {
        TigerBeetleBackend before = backend();
        LimitState state = LimitState.created(LimitDefinition.rolling("rpm", 5, 10));
        before.install(state);
        LimitState decreasing = state.change(LimitDefinition.rolling("rpm", 2, 10));
        before.install(decreasing);
        assertTrue(before.tryApplyDecrease("rpm"));
        before.close();

        // The registry never saw the applied decrease: it still says decreasing from 5 to 2.
        TigerBeetleBackend after = backend();
        after.install(decreasing);

        assertEquals(2, cluster.balance(ids.limitAccount("rpm")), "start-up must not undo the applied decrease");
        assertTrue(after.tryApplyDecrease("rpm"));
    }

    @Test
    void bringsEveryBalanceInLineWithTheRegistryAtStart() {
        TigerBeetleBackend before = backend();
        before.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 10)));
        before.close();

        TigerBeetleBackend after = backend();
        LimitState edited = new LimitState(LimitDefinition.rolling("rpm", 8, 10), LimitStatus.ACTIVE, 0, 7);
        after.install(edited);
        assertEquals(8, cluster.balance(ids.limitAccount("rpm")));

        LimitState lowered = new LimitState(LimitDefinition.rolling("rpm", 3, 10), LimitStatus.ACTIVE, 0, 9);
        after.install(lowered);
        assertEquals(3, cluster.balance(ids.limitAccount("rpm")));
    }

    @Test
    void refusesNewHoldsWhileTheClusterHoldsMoreThanTheRegistryAllows() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 10)));
        reserve(backend, "a", "rpm", 4);

        LimitState lowered = new LimitState(LimitDefinition.rolling("rpm", 2, 10), LimitStatus.ACTIVE, 0, 9);
        assertThrows(BackendException.class, () -> backend.install(lowered));
        assertEquals(
                ErrorCodes.limitDecreasing("rpm"),
                reserve(backend, "b", "rpm", 1).error());

        clock.advanceSeconds(10);
        backend.install(lowered);
        assertEquals(2, cluster.balance(ids.limitAccount("rpm")));
        assertTrue(reserve(backend, "c", "rpm", 2).allowed());
    }

    @Test
    void packsABatchIntoOneRequest() {
        TigerBeetleBackend backend = backend(Duration.ofMillis(50));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 100, 60)));
        int before = cluster.transferRequests();

        List<ReserveResponse> responses = backend.reserveAll(List.of(
                request("a", "rpm", 1), request("b", "rpm", 1), request("c", "rpm", 1), request("d", "rpm", 1)));

        assertTrue(responses.stream().allMatch(ReserveResponse::allowed));
        assertEquals(before + 1, cluster.transferRequests());
        backend.completeAll(List.of(
                new CompleteRequest("a", "", List.of(new Actual("rpm", 0))),
                new CompleteRequest("b", "", List.of(new Actual("rpm", 0)))));
        assertEquals(before + 2, cluster.transferRequests());
        assertEquals(2, backend.usage("rpm").reserved());
    }

    @Test
    void refusesBeforeTheClusterWhatCanNeverFit() {
        TigerBeetleBackend backend = backend();
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));
        int before = cluster.transferRequests();

        assertEquals(
                ErrorCodes.unknownLimitKey("nope"),
                reserve(backend, "a", "rpm", 1, "nope", 1).error());
        ReserveResponse tooLarge = reserve(backend, "b", "rpm", 3);
        assertEquals(ErrorCodes.exceedsCapacity("rpm"), tooLarge.error());
        assertEquals(0, tooLarge.retryAfterMs());
        assertEquals(before, cluster.transferRequests());
    }

    @Test
    void answersBackendErrorWhenTheClusterStopsAnswering() {
        TigerBeetleBackend backend = backend(Duration.ZERO, Duration.ofMillis(100));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 2, 60)));
        assertTrue(backend.isHealthy());
        cluster.stopAnswering();

        assertEquals(ErrorCodes.BACKEND_ERROR, reserve(backend, "a", "rpm", 1).error());
        assertFalse(backend.isHealthy());
        assertEquals(new Usage(0, 2, 0), backend.usage("rpm"));
    }

    private TigerBeetleBackend backend() {
        return backend(Duration.ZERO);
    }

    private TigerBeetleBackend backend(Duration flushInterval) {
        return backend(flushInterval, Duration.ofSeconds(5));
    }

    private TigerBeetleBackend backend(Duration flushInterval, Duration requestTimeout) {
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"))
                .withFlushInterval(flushInterval)
                .withRequestTimeout(requestTimeout);
        TigerBeetleBackend backend = new TigerBeetleBackend(
                cluster.client(),
                cluster.client(),
                settings,
                new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0),
                clock,
                ids);
        backends.add(backend);
        return backend;
    }

    private static ReserveResponse reserve(TigerBeetleBackend backend, String leaseId, Object... keysAndAmounts) {
        return backend.reserve(request(leaseId, keysAndAmounts));
    }

    private static ReserveRequest request(String leaseId, Object... keysAndAmounts) {
        List<Requirement> requirements = new ArrayList<>();
        for (int i = 0; i < keysAndAmounts.length; i += 2) {
            requirements.add(new Requirement((String) keysAndAmounts[i], ((Number) keysAndAmounts[i + 1]).longValue()));
        }
        return new ReserveRequest(leaseId, "", requirements);
    }
}
