package dev.ratelimiter.client.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.DeadlineExceededException;
import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterClosedException;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.LimiterOverloadedException;
import dev.ratelimiter.client.OutcomeUnknownException;
import dev.ratelimiter.client.testing.ScriptedLimiter;
import dev.ratelimiter.client.testing.ScriptedLimiter.BatchCall;
import dev.ratelimiter.client.timing.ManualTaskTimer;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The batcher in front of a scripted limiter whose batch calls the test answers by hand, on a
 * manual timer: flushes happen exactly when the test moves time or fills a batch.
 */
class BatcherTest {
    private static final long START_MS = 1_700_000_000_000L;
    /** Every partial batch waits the flush interval: the tests of the interval rules use it. */
    private static final BatcherConfig GATHERING = BatcherConfig.DEFAULT.withEagerBatchesInFlight(0);

    private final ManualTaskTimer timer = new ManualTaskTimer(START_MS);
    private final ScriptedLimiter delegate = new ScriptedLimiter(timer);

    private Batcher batcher(BatcherConfig config) {
        return new Batcher(delegate, config, timer);
    }

    private static ReserveRequest reserve(String leaseId) {
        return new ReserveRequest(leaseId, "", List.of(new Requirement("global:llm:p:m:rpm", 1)));
    }

    private static CompleteRequest complete(String leaseId) {
        return new CompleteRequest(leaseId, "", List.of());
    }

    private static List<String> leaseIds(List<ReserveRequest> requests) {
        return requests.stream().map(ReserveRequest::leaseId).toList();
    }

    /** Answers each reserve of a batch with allowed, its reserved_at telling which slot it was. */
    private static List<ReserveResponse> numbered(int size) {
        List<ReserveResponse> results = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            results.add(ReserveResponse.allowed(1_000 + i));
        }
        return results;
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        return assertThrows(ExecutionException.class, future::get).getCause();
    }

    @Test
    void flushesAtOnceWhenBatchIsFull() {
        Batcher batcher = batcher(GATHERING.withMaxBatchItems(4));
        for (int i = 0; i < 5; i++) {
            batcher.reserveAsync(reserve("l" + i));
        }

        assertEquals(1, delegate.reserveBatches().size(), "a full batch leaves without waiting for the interval");
        assertEquals(
                List.of("l0", "l1", "l2", "l3"),
                leaseIds(delegate.reserveBatches().get(0).requests()));
        assertEquals(1, batcher.pendingReserves());
    }

    @Test
    void sendsAtOnceWhenNoBatchIsInFlight() {
        Batcher batcher = batcher(BatcherConfig.DEFAULT.withEagerBatchesInFlight(1));
        CompletableFuture<ReserveResponse> first = batcher.reserveAsync(reserve("a"));

        assertEquals(1, delegate.reserveBatches().size(), "an idle lane does not wait for the interval");
        assertEquals(List.of("a"), leaseIds(delegate.reserveBatches().get(0).requests()));
        delegate.reserveBatches().get(0).answer().complete(numbered(1));
        assertTrue(first.isDone());
    }

    @Test
    void gathersWhileABatchIsInFlightAndSendsThemWhenItReturns() throws Exception {
        Batcher batcher = batcher(BatcherConfig.DEFAULT.withEagerBatchesInFlight(1));
        batcher.reserveAsync(reserve("a"));
        CompletableFuture<ReserveResponse> b = batcher.reserveAsync(reserve("b"));
        batcher.reserveAsync(reserve("c"));
        assertEquals(1, delegate.reserveBatches().size(), "b and c wait behind the batch in flight");
        assertEquals(2, batcher.pendingReserves());

        delegate.reserveBatches().get(0).answer().complete(numbered(1));

        assertEquals(2, delegate.reserveBatches().size());
        assertEquals(
                List.of("b", "c"), leaseIds(delegate.reserveBatches().get(1).requests()));
        delegate.reserveBatches().get(1).answer().complete(numbered(2));
        assertEquals(ReserveResponse.allowed(1_000), b.get());
    }

    @Test
    void sendsWhatGatheredOnceTheIntervalPassesEvenWithABatchInFlight() {
        Batcher batcher = batcher(BatcherConfig.DEFAULT.withEagerBatchesInFlight(1));
        batcher.reserveAsync(reserve("a"));
        batcher.reserveAsync(reserve("b"));
        timer.advanceMillis(2);

        assertEquals(2, delegate.reserveBatches().size(), "a slow batch holds the next one back one interval at most");
        assertEquals(List.of("b"), leaseIds(delegate.reserveBatches().get(1).requests()));
    }

    @Test
    void sendsAtOnceWhileFewerThanTheEagerBoundAreInFlight() {
        Batcher batcher = batcher(BatcherConfig.DEFAULT.withEagerBatchesInFlight(2));
        batcher.reserveAsync(reserve("a"));
        batcher.reserveAsync(reserve("b"));
        batcher.reserveAsync(reserve("c"));
        batcher.reserveAsync(reserve("d"));

        assertEquals(2, delegate.reserveBatches().size(), "a and b leave at once, c and d gather");
        delegate.reserveBatches().get(1).answer().complete(numbered(1));
        assertEquals(3, delegate.reserveBatches().size());
        assertEquals(
                List.of("c", "d"), leaseIds(delegate.reserveBatches().get(2).requests()));
    }

    @Test
    void rejectsAnEagerBoundAboveTheInFlightBound() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new BatcherConfig(256, 2, 1, 10_000, 0, 2));
        assertEquals("eagerBatchesInFlight must be from 0 to 1, got 2", e.getMessage());
        assertEquals(1, BatcherConfig.DEFAULT.withMaxBatchesInFlight(1).eagerBatchesInFlight());
    }

    @Test
    void flushesPartialBatchAfterInterval() {
        Batcher batcher = batcher(GATHERING);
        batcher.reserveAsync(reserve("a"));
        timer.advanceMillis(1);
        batcher.reserveAsync(reserve("b"));
        assertEquals(0, delegate.reserveBatches().size());

        timer.advanceMillis(1);

        assertEquals(1, delegate.reserveBatches().size(), "the oldest item waited the 2 ms interval");
        assertEquals(
                List.of("a", "b"), leaseIds(delegate.reserveBatches().get(0).requests()));
        assertEquals(0, batcher.pendingReserves());
    }

    @Test
    void startsNewIntervalForTheNextBatch() {
        Batcher batcher = batcher(GATHERING);
        batcher.reserveAsync(reserve("a"));
        timer.advanceMillis(2);
        timer.advanceMillis(1);
        batcher.reserveAsync(reserve("b"));
        timer.advanceMillis(1);
        assertEquals(1, delegate.reserveBatches().size());

        timer.advanceMillis(1);
        assertEquals(2, delegate.reserveBatches().size());
    }

    @Test
    void givesEachCallerItsOwnResultInOrder() throws Exception {
        Batcher batcher = batcher(GATHERING);
        List<CompletableFuture<ReserveResponse>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(batcher.reserveAsync(reserve("l" + i)));
        }
        timer.advanceMillis(2);

        BatchCall<ReserveRequest, ReserveResponse> batch =
                delegate.reserveBatches().get(0);
        assertEquals(List.of("l0", "l1", "l2", "l3", "l4"), leaseIds(batch.requests()));
        batch.answer().complete(numbered(5));
        for (int i = 0; i < 5; i++) {
            assertEquals(1_000 + i, results.get(i).get().reservedAtUnixMs());
        }
    }

    @Test
    void neverMixesReservesAndCompletes() throws Exception {
        Batcher batcher = batcher(GATHERING);
        CompletableFuture<ReserveResponse> r1 = batcher.reserveAsync(reserve("r1"));
        CompletableFuture<CompleteResponse> c1 = batcher.completeAsync(complete("c1"));
        CompletableFuture<ReserveResponse> r2 = batcher.reserveAsync(reserve("r2"));
        CompletableFuture<CompleteResponse> c2 = batcher.completeAsync(complete("c2"));
        timer.advanceMillis(2);

        assertEquals(1, delegate.reserveBatches().size());
        assertEquals(1, delegate.completeBatches().size());
        assertEquals(
                List.of("r1", "r2"), leaseIds(delegate.reserveBatches().get(0).requests()));
        assertEquals(
                List.of("c1", "c2"),
                delegate.completeBatches().get(0).requests().stream()
                        .map(CompleteRequest::leaseId)
                        .toList());
        delegate.reserveBatches().get(0).answer().complete(numbered(2));
        delegate.completeBatches()
                .get(0)
                .answer()
                .complete(List.of(CompleteResponse.succeeded(), CompleteResponse.failed("invalid_request")));
        assertTrue(r1.get().allowed());
        assertTrue(r2.get().allowed());
        assertTrue(c1.get().ok());
        assertEquals("invalid_request", c2.get().error());
    }

    @Test
    void oneCallersDeadlineDoesNotCancelTheOthers() throws Exception {
        Batcher batcher = batcher(GATHERING);
        CompletableFuture<ReserveResponse> hurried = batcher.reserveAsync(reserve("hurried"), START_MS + 5);
        CompletableFuture<ReserveResponse> patient = batcher.reserveAsync(reserve("patient"));
        timer.advanceMillis(2);
        BatchCall<ReserveRequest, ReserveResponse> batch =
                delegate.reserveBatches().get(0);
        assertEquals(Limiter.NO_DEADLINE, batch.deadlineMillis(), "the batch runs to its latest caller's deadline");

        timer.advanceMillis(3);

        assertInstanceOf(
                OutcomeUnknownException.class,
                failureOf(hurried),
                "it was sent, so its outcome is unknown to a caller that stops waiting");
        assertFalse(patient.isDone());
        assertFalse(batch.answer().isDone(), "the batch is not cancelled");
        batch.answer().complete(numbered(2));
        assertEquals(1_001, patient.get().reservedAtUnixMs());
    }

    @Test
    void dropsCallerWhoseDeadlinePassesBeforeSending() throws Exception {
        Batcher batcher = batcher(GATHERING.withMaxBatchesInFlight(1));
        batcher.reserveAsync(reserve("first"));
        timer.advanceMillis(2);
        CompletableFuture<ReserveResponse> late = batcher.reserveAsync(reserve("late"), START_MS + 5);
        CompletableFuture<ReserveResponse> other = batcher.reserveAsync(reserve("other"));
        timer.advanceMillis(3);

        assertInstanceOf(DeadlineExceededException.class, failureOf(late));
        delegate.reserveBatches().get(0).answer().complete(numbered(1));
        assertEquals(2, delegate.reserveBatches().size());
        assertEquals(List.of("other"), leaseIds(delegate.reserveBatches().get(1).requests()));
        delegate.reserveBatches().get(1).answer().complete(numbered(1));
        assertTrue(other.get().allowed());
    }

    @Test
    void keepsSeveralBatchesInFlight() {
        Batcher batcher = batcher(GATHERING.withMaxBatchItems(2));
        for (int i = 0; i < 6; i++) {
            batcher.reserveAsync(reserve("l" + i));
        }
        assertEquals(3, delegate.reserveBatches().size());
        assertTrue(delegate.reserveBatches().stream()
                .noneMatch(call -> call.answer().isDone()));
    }

    @Test
    void holdsItemsBackWhenTooManyBatchesAreInFlight() {
        Batcher batcher = batcher(GATHERING.withMaxBatchItems(2).withMaxBatchesInFlight(2));
        for (int i = 0; i < 6; i++) {
            batcher.reserveAsync(reserve("l" + i));
        }
        assertEquals(2, delegate.reserveBatches().size());
        assertEquals(2, batcher.pendingReserves());

        delegate.reserveBatches().get(0).answer().complete(numbered(2));

        assertEquals(3, delegate.reserveBatches().size());
        assertEquals(
                List.of("l4", "l5"), leaseIds(delegate.reserveBatches().get(2).requests()));
    }

    @Test
    void refusesCallsWhenTooManyArePending() {
        Batcher batcher = batcher(new BatcherConfig(2, 2, 1, 3, 0, 0));
        for (int i = 0; i < 5; i++) {
            batcher.reserveAsync(reserve("l" + i));
        }
        CompletableFuture<ReserveResponse> refused = batcher.reserveAsync(reserve("over"));
        assertInstanceOf(LimiterOverloadedException.class, failureOf(refused));
    }

    @Test
    void shutdownFlushesPendingAndRefusesNewCalls() throws Exception {
        Batcher batcher = batcher(GATHERING);
        CompletableFuture<ReserveResponse> pending = batcher.reserveAsync(reserve("pending"));
        CompletableFuture<CompleteResponse> pendingComplete = batcher.completeAsync(complete("done"));

        CompletableFuture<Void> drained = batcher.shutdown();

        assertEquals(1, delegate.reserveBatches().size(), "pending calls leave at once on shutdown");
        assertEquals(1, delegate.completeBatches().size());
        LimiterClosedException refused =
                assertInstanceOf(LimiterClosedException.class, failureOf(batcher.reserveAsync(reserve("late"))));
        assertTrue(refused.getMessage().contains("shut down"), refused.getMessage());
        assertInstanceOf(
                LimiterClosedException.class,
                failureOf(batcher.reserveBatchAsync(List.of(reserve("x")), Limiter.NO_DEADLINE)));
        assertFalse(drained.isDone());

        delegate.reserveBatches().get(0).answer().complete(numbered(1));
        delegate.completeBatches().get(0).answer().complete(List.of(CompleteResponse.succeeded()));
        assertTrue(drained.isDone());
        assertTrue(pending.get().allowed());
        assertTrue(pendingComplete.get().ok());
    }

    @Test
    void closeClosesTheLimiterBehind() {
        Batcher batcher = batcher(GATHERING);
        batcher.close();
        assertTrue(delegate.isClosed());
    }

    @Test
    void passesBatchFailureToEachCaller() {
        Batcher batcher = batcher(GATHERING);
        CompletableFuture<ReserveResponse> a = batcher.reserveAsync(reserve("a"));
        CompletableFuture<ReserveResponse> b = batcher.reserveAsync(reserve("b"));
        timer.advanceMillis(2);
        OutcomeUnknownException failure = new OutcomeUnknownException("timed out", new IOException("timeout"));
        delegate.reserveBatches().get(0).answer().completeExceptionally(failure);

        assertEquals(failure, failureOf(a));
        assertEquals(failure, failureOf(b));
    }

    @Test
    void failsEveryCallerWhenResultCountIsWrong() {
        Batcher batcher = batcher(GATHERING);
        CompletableFuture<ReserveResponse> a = batcher.reserveAsync(reserve("a"));
        CompletableFuture<ReserveResponse> b = batcher.reserveAsync(reserve("b"));
        timer.advanceMillis(2);
        delegate.reserveBatches().get(0).answer().complete(numbered(1));

        assertInstanceOf(LimiterException.class, failureOf(a));
        assertInstanceOf(LimiterException.class, failureOf(b));
    }

    @Test
    void refusesCallWhoseDeadlineHasPassed() {
        Batcher batcher = batcher(GATHERING);
        assertInstanceOf(DeadlineExceededException.class, failureOf(batcher.reserveAsync(reserve("a"), START_MS)));
        assertEquals(0, batcher.pendingReserves());
    }

    @Test
    void passesBatchCallsStraightThrough() {
        Batcher batcher = batcher(GATHERING);
        batcher.reserveBatchAsync(List.of(reserve("a"), reserve("b")), START_MS + 100);
        assertEquals(1, delegate.reserveBatches().size());
        assertEquals(START_MS + 100, delegate.reserveBatches().get(0).deadlineMillis());
    }
}
