package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tigerbeetle.CreateAccountResult;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.testkit.process.Poll;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The faults a review of the backend against TigerBeetle 0.16.30's source found, each on the fake
 * cluster, which now models what showed them: a session that stays silent after an outage (the
 * client's resend backoff grows to 10 s), requests applied although their answer was lost, the
 * cluster's own clock, expiry at a later pulse, and sessions refused for their release. Each test
 * failed before its fix. The same faults run against a real cluster in the chaos suite.
 *
 * <p>Session renewal runs on real time (about 2 s of silence), so the tests that need it poll with
 * a deadline; everything else runs on the manual clock.
 */
class ClusterTimingOnFakeClusterTest {
    private static final long START_MS = 1_700_000_000_000L;
    /** Silence before renewal, a probe, and a noisy machine: the recovery bound the tests poll within. */
    private static final Duration RECOVERY = Duration.ofSeconds(15);

    private final ManualClock clock = new ManualClock(START_MS);
    private final LedgerIds ids = LedgerIds.standard();
    private final List<TigerBeetleBackend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        backends.forEach(TigerBeetleBackend::close);
    }

    @Test
    void admitsAgainSoonAfterTheClusterReturnsByRenewingTheSilentSession() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backend(cluster, Duration.ofMillis(200));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        cluster.stopAnswering();
        assertEquals(
                ErrorCodes.BACKEND_ERROR, reserve(backend, "away", "rpm", 1).error());
        int sessionsBefore = cluster.sessionsOpened();

        cluster.startAnswering(false);

        long returnedAt = System.nanoTime();
        awaitTrue(
                "a reserve is admitted once the cluster answers again",
                () -> reserve(backend, "back-" + System.nanoTime(), "rpm", 1).allowed());
        long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returnedAt);
        assertTrue(cluster.sessionsOpened() > sessionsBefore, "the silent session was replaced");
        assertTrue(backend.isHealthy());
        System.out.println("fake cluster: admissions resumed " + recoveryMs + " ms after the cluster returned");
    }

    @Test
    void reportsTheClustersCommitTimeAsReservedAt() {
        ManualClock clusterClock = new ManualClock(START_MS + 5_000);
        FakeTigerBeetle cluster = new FakeTigerBeetle(clusterClock);
        TigerBeetleBackend backend = backend(cluster, Duration.ofSeconds(5));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));

        ReserveResponse admitted = reserve(backend, "a", "rpm", 1);

        assertTrue(admitted.allowed());
        assertEquals(START_MS + 5_000, admitted.reservedAtUnixMs(), "the hold's timeout starts at the commit");
        assertEquals(
                admitted.reservedAtUnixMs(), reserve(backend, "a", "rpm", 1).reservedAtUnixMs());

        TigerBeetleBackend restarted = backend(cluster, Duration.ofSeconds(5));
        restarted.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        assertEquals(
                admitted.reservedAtUnixMs(),
                reserve(restarted, "a", "rpm", 1).reservedAtUnixMs(),
                "a repeat after a restart reads the same commit time from the ledger");
    }

    @Test
    void voidsTheHoldsOfAReserveThatTimedOutAndWasAppliedLate() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backendLosingTheAnswerTo(cluster, "lost", true);
        assertEquals(3, cluster.debitsPending(ids.limitAccount("rpm")), "the cluster applied it after all");
        clock.advanceMillis(Admissions.UNKNOWN_LEASE_GRACE_MS);
        backend.settleUnknownLeases();

        assertEquals(0, cluster.debitsPending(ids.limitAccount("rpm")), "nobody uses that hold: it is voided");
        assertEquals(
                ErrorCodes.leaseExpired("lost"),
                reserve(backend, "lost", "rpm", 3).error());
        assertTrue(reserve(backend, "next", "rpm", 5).allowed());
    }

    @Test
    void aRetryOfAReserveThatTimedOutIsAnIdempotentRepeatAndIsNotVoided() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backendLosingTheAnswerTo(cluster, "retried", true);

        ReserveResponse retry = reserve(backend, "retried", "rpm", 3);
        clock.advanceMillis(Admissions.UNKNOWN_LEASE_GRACE_MS);
        backend.settleUnknownLeases();

        assertTrue(retry.allowed(), retry::toString);
        assertEquals(START_MS, retry.reservedAtUnixMs(), "the hold started when the cluster applied it");
        assertEquals(3, cluster.debitsPending(ids.limitAccount("rpm")), "the retried lease keeps its hold");
    }

    @Test
    void settlingAReserveThatNeverReachedTheClusterLeavesNothingHeld() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backendLosingTheAnswerTo(cluster, "dropped", false);
        clock.advanceMillis(Admissions.UNKNOWN_LEASE_GRACE_MS);
        backend.settleUnknownLeases();

        assertEquals(0, cluster.debitsPending(ids.limitAccount("rpm")));
        assertEquals(
                ErrorCodes.leaseExpired("dropped"),
                reserve(backend, "dropped", "rpm", 3).error());
    }

    @Test
    void aCompleteRetriedWithOtherActualsAnswersOkAndTheFirstStands() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backend(cluster, Duration.ofMillis(200));
        backend.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));
        assertTrue(reserve(backend, "a", "tpm", 50).allowed());
        cluster.stopAnswering();
        assertFalse(backend.complete(complete("a", 70)).ok(), "the answer to the first complete is lost");
        cluster.startAnswering(true);
        awaitTrue("the backend answers again", backend::isHealthy);

        assertTrue(backend.complete(complete("a", 90)).ok(), "a retry with other actuals is answered ok");
        assertEquals(70, cluster.debitsPending(ids.limitAccount("tpm")), "the first complete stands");
    }

    @Test
    void aCompletedRollingLeaseRepeatedAfterARestartIsExpired() {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend before = backend(cluster, Duration.ofSeconds(5));
        before.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));
        assertTrue(reserve(before, "kept", "tpm", 40).allowed());
        assertTrue(reserve(before, "grown", "tpm", 40).allowed());
        assertTrue(before.complete(new CompleteRequest("kept", "", List.of())).ok());
        assertTrue(before.complete(complete("grown", 50)).ok());
        before.close();

        TigerBeetleBackend after = backend(cluster, Duration.ofSeconds(5));
        after.install(LimitState.created(LimitDefinition.rolling("tpm", 100, 60)));

        assertEquals(
                ErrorCodes.leaseExpired("kept"),
                reserve(after, "kept", "tpm", 40).error());
        assertEquals(
                ErrorCodes.leaseExpired("grown"),
                reserve(after, "grown", "tpm", 40).error());
        assertEquals(90, after.usage("tpm").reserved(), "completed rolling holds still count until they expire");
    }

    @Test
    void aLoweringAtStartThatCannotFitYetBurnsNoTransferIds() {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backend(cluster, Duration.ofSeconds(5));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 10)));
        reserve(backend, "a", "rpm", 4);
        LimitState lowered = new LimitState(LimitDefinition.rolling("rpm", 2, 10), LimitStatus.ACTIVE, 0, 9);
        int requestsBefore = cluster.transferRequests();

        for (int pass = 0; pass < 5; pass++) {
            assertThrows(BackendException.class, () -> backend.install(lowered));
        }

        assertEquals(requestsBefore, cluster.transferRequests(), "the pending debits show it cannot fit yet");
        clock.advanceSeconds(10);
        backend.install(lowered);
        assertEquals(2, cluster.balance(ids.limitAccount("rpm")));
    }

    @Test
    void aKeyInstalledWhileTheClusterIsDownAnswersBackendError() {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        cluster.stopAnswering();
        TigerBeetleBackend backend = backend(cluster, Duration.ofMillis(100));

        assertThrows(
                BackendException.class,
                () -> backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60))));

        assertEquals(
                ErrorCodes.BACKEND_ERROR,
                reserve(backend, "a", "rpm", 1).error(),
                "retryable, never unknown_limit_key");
    }

    @Test
    void healthNamesTheReasonWhenTheClusterRefusesTheClientsRelease() {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        TigerBeetleBackend backend = backend(cluster, Duration.ofSeconds(5));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));

        cluster.refuseClientRelease();
        assertEquals(ErrorCodes.BACKEND_ERROR, reserve(backend, "a", "rpm", 1).error());

        assertFalse(backend.isHealthy());
        String problem = backend.healthProblem().orElseThrow();
        assertTrue(problem.contains("ClientReleaseTooLow"), problem);
    }

    @Test
    void usageReadsThatHangDoNotQueueAdmissions() throws Exception {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock);
        StallingReads reads = new StallingReads(cluster.client());
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"))
                .withFlushInterval(Duration.ZERO)
                .withRequestTimeout(Duration.ofSeconds(3))
                .withInFlightRequestsMax(2);
        TigerBeetleBackend backend = new TigerBeetleBackend(
                cluster.client(), reads, settings, new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0), clock, ids);
        backends.add(backend);
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 60)));
        reads.stall();
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Usage>> usages = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                usages.add(CompletableFuture.supplyAsync(() -> backend.usage("rpm"), readers));
            }
            awaitTrue("the reads take every outstanding place of their session", () -> reads.stalled() >= 2);

            ReserveResponse admitted = reserve(backend, "a", "rpm", 1);

            assertTrue(admitted.allowed(), admitted::toString);
            assertTrue(usages.stream().noneMatch(CompletableFuture::isDone), "the reads are still stuck");
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aHoldPastItsTimeoutCountsUntilThePulseAndItsCompleteIsDone() {
        FakeTigerBeetle cluster = new FakeTigerBeetle(clock, 100);
        TigerBeetleBackend backend = backend(cluster, Duration.ofSeconds(5));
        backend.install(LimitState.created(LimitDefinition.concurrency("slots", 1, 10)));
        assertTrue(reserve(backend, "a", "slots", 1).allowed());
        clock.advanceSeconds(10);

        assertFalse(reserve(backend, "b", "slots", 1).allowed(), "no pulse yet: the timed-out hold still counts");
        assertTrue(
                backend.complete(new CompleteRequest("a", "", List.of())).ok(),
                "voiding a timed-out hold answers pending_transfer_expired, which is done");
        clock.advanceMillis(100);
        assertTrue(reserve(backend, "c", "slots", 1).allowed());
    }

    /**
     * A backend on {@code cluster} with "rpm" (5 an hour), whose reserve of 3 for {@code leaseId}
     * times out while the cluster does not answer; the cluster then answers again, having applied
     * that reserve or not, and the backend's renewed session reaches it.
     */
    private TigerBeetleBackend backendLosingTheAnswerTo(FakeTigerBeetle cluster, String leaseId, boolean applied)
            throws InterruptedException {
        TigerBeetleBackend backend = backend(cluster, Duration.ofMillis(200));
        backend.install(LimitState.created(LimitDefinition.rolling("rpm", 5, 3_600)));
        cluster.stopAnswering();
        assertEquals(
                ErrorCodes.BACKEND_ERROR, reserve(backend, leaseId, "rpm", 3).error());
        cluster.startAnswering(applied);
        awaitTrue("the backend answers again", backend::isHealthy);
        return backend;
    }

    private TigerBeetleBackend backend(FakeTigerBeetle cluster, Duration requestTimeout) {
        TigerBeetleSettings settings = TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"))
                .withFlushInterval(Duration.ZERO)
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

    private static ReserveResponse reserve(TigerBeetleBackend backend, String leaseId, String key, long amount) {
        return backend.reserve(new ReserveRequest(leaseId, "", List.of(new Requirement(key, amount))));
    }

    private static CompleteRequest complete(String leaseId, long actual) {
        return new CompleteRequest(leaseId, "", List.of(new Actual("tpm", actual)));
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        // The submitter renews sessions on its own real-time timer: poll it with a deadline.
        Poll.until(
                what,
                RECOVERY.toMillis(),
                20,
                () -> condition.getAsBoolean() ? Poll.Status.done() : Poll.Status.notYet("not yet"),
                () -> "");
    }

    /** A reads session whose account lookups hang once {@link #stall()} is called, as a busy session's would. */
    private static final class StallingReads implements LedgerClient {
        private final LedgerClient delegate;
        private volatile boolean stalling;
        private final List<CompletableFuture<?>> stalled = new CopyOnWriteArrayList<>();

        StallingReads(LedgerClient delegate) {
            this.delegate = delegate;
        }

        void stall() {
            stalling = true;
        }

        int stalled() {
            return stalled.size();
        }

        @Override
        public CompletableFuture<TransferResults> createTransfers(List<Transfer> transfers) {
            return delegate.createTransfers(transfers);
        }

        @Override
        public CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> accounts) {
            return delegate.createAccounts(accounts);
        }

        @Override
        public CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids) {
            if (!stalling) {
                return delegate.lookupAccounts(ids);
            }
            CompletableFuture<List<AccountRecord>> never = new CompletableFuture<>();
            stalled.add(never);
            return never;
        }

        @Override
        public CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids) {
            return delegate.lookupTransfers(ids);
        }

        @Override
        public CompletableFuture<Void> renewSession() {
            return delegate.renewSession();
        }

        @Override
        public Optional<String> sessionProblem() {
            return delegate.sessionProblem();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
