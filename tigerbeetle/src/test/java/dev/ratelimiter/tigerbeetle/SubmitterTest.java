package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.tigerbeetle.CreateTransferResult;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The microbatching submitter against a scripted cluster: batching rules, bounds and timeouts.
 * Real time is unavoidable here (the submitter's timer is real), so waits poll with a deadline and
 * the only time assertion is the SPEC's bound: a caller is answered within its timeout plus a second.
 */
@Timeout(30)
class SubmitterTest {
    private static final long GRACE_MS = 1_000;
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    private final List<Submitter> submitters = new ArrayList<>();

    @AfterEach
    void closeSubmitters() {
        submitters.forEach(Submitter::close);
    }

    @Test
    void neverSplitsAChainAndNeverExceedsTheBatchLimit() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger().answerOk();
        Submitter submitter = submitter(ledger, settings().withBatchSizeMax(7).withFlushInterval(Duration.ofMillis(5)));
        List<List<Transfer>> chains = new ArrayList<>();
        List<CompletableFuture<TransferResults>> answers = new ArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<CompletableFuture<TransferResults>>> submitted = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                List<Transfer> chain = chain(1 + i % 5);
                chains.add(chain);
                submitted.add(CompletableFuture.supplyAsync(() -> submitter.submit(chain), callers));
            }
            for (CompletableFuture<CompletableFuture<TransferResults>> future : submitted) {
                answers.add(future.get());
            }
        } finally {
            callers.shutdown();
        }
        for (int i = 0; i < chains.size(); i++) {
            assertEquals(
                    chains.get(i).size(),
                    answers.get(i).get(5, TimeUnit.SECONDS).results().size());
        }

        Map<LedgerId, Integer> requestOf = new HashMap<>();
        List<ScriptedLedger.Sent> sent = ledger.sent();
        for (int r = 0; r < sent.size(); r++) {
            List<Transfer> transfers = sent.get(r).transfers();
            assertTrue(transfers.size() <= 7, "a request of " + transfers.size() + " transfers exceeds the limit of 7");
            assertTrue(
                    Chains.isChain(List.of(transfers.get(transfers.size() - 1))),
                    "a request must end where a chain ends");
            for (Transfer transfer : transfers) {
                requestOf.put(transfer.id(), r);
            }
        }
        for (List<Transfer> chain : chains) {
            int request = requestOf.get(chain.get(0).id());
            List<Transfer> transfers = sent.get(request).transfers();
            int start = transfers.indexOf(chain.get(0));
            assertEquals(
                    chain, transfers.subList(start, start + chain.size()), "a chain must travel whole and in order");
        }
        assertTrue(sent.size() < chains.size(), "concurrent chains must share requests");
    }

    /**
     * A replica started with --development takes requests of 32 KiB (254 transfers); the client
     * refuses a larger request before sending it. Every chain must still be answered, in smaller
     * requests from then on.
     */
    @Test
    void sendsSmallerRequestsWhenTheClusterRefusesOneAsTooLarge() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger().answerOk().refuseLargerThan(10);
        Submitter submitter =
                submitter(ledger, settings().withBatchSizeMax(64).withFlushInterval(Duration.ofMillis(20)));
        List<List<Transfer>> chains = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            chains.add(chain(3));
        }

        List<CompletableFuture<TransferResults>> answers = submitter.submitAll(chains);

        for (CompletableFuture<TransferResults> answer : answers) {
            assertEquals(3, answer.get(5, TimeUnit.SECONDS).results().size());
        }
        assertTrue(submitter.batchLimit() <= 10, "limit learnt: " + submitter.batchLimit());
        assertTrue(submitter.isAnswering());
    }

    @Test
    void failsAChainThatAloneIsLargerThanTheClusterAccepts() {
        ScriptedLedger ledger = new ScriptedLedger().answerOk().refuseLargerThan(2);
        Submitter submitter = submitter(ledger, settings().withFlushInterval(Duration.ZERO));

        BackendException error = backendError(submitter.submit(chain(4)));

        assertTrue(error.getMessage().contains("larger than the TigerBeetle cluster accepts"), error.getMessage());
    }

    @Test
    void givesEachChainTheResultsAtItsOwnIndexes() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = submitter(ledger, settings().withFlushInterval(Duration.ofMillis(50)));
        List<Transfer> first = chain(2);
        List<Transfer> second = chain(3);
        List<CompletableFuture<TransferResults>> answers = submitter.submitAll(List.of(first, second));
        await(() -> ledger.sent().size() == 1, "the two chains to be sent");
        assertEquals(5, ledger.sent().get(0).transfers().size());

        ledger.sent()
                .get(0)
                .future()
                .complete(new TransferResults(
                        List.of(
                                CreateTransferResult.Ok,
                                CreateTransferResult.Ok,
                                CreateTransferResult.LinkedEventFailed,
                                CreateTransferResult.ExceedsCredits,
                                CreateTransferResult.LinkedEventFailed),
                        42));

        assertEquals(
                new TransferResults(List.of(CreateTransferResult.Ok, CreateTransferResult.Ok), 42),
                answers.get(0).get(5, TimeUnit.SECONDS));
        assertEquals(
                new TransferResults(
                        List.of(
                                CreateTransferResult.LinkedEventFailed,
                                CreateTransferResult.ExceedsCredits,
                                CreateTransferResult.LinkedEventFailed),
                        42),
                answers.get(1).get(5, TimeUnit.SECONDS));
    }

    @Test
    void flushesALoneChainWithoutWaitingForAFullBatch() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger().answerOk();
        Submitter submitter = submitter(ledger, settings().withFlushInterval(Duration.ofMillis(20)));

        CompletableFuture<TransferResults> answer = submitter.submit(chain(2));

        assertEquals(2, answer.get(5, TimeUnit.SECONDS).results().size());
        assertEquals(1, ledger.sent().size());
        assertEquals(2, ledger.sent().get(0).transfers().size());
    }

    @Test
    void refusesAtOnceWhenTheQueueIsFull() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = submitter(
                ledger,
                settings()
                        .withQueueCapacity(2)
                        .withInFlightRequestsMax(1)
                        .withBatchSizeMax(2)
                        .withFlushInterval(Duration.ZERO)
                        .withRequestTimeout(Duration.ofSeconds(20)));
        submitter.submit(chain(1));
        await(() -> ledger.sent().size() == 1, "the first chain to occupy the only outstanding place");

        // Besides the queue, the flusher holds at most one batch (2 chains here) and one carried chain
        // while it waits for the outstanding place, so the sixth chain at the latest is refused.
        CompletableFuture<TransferResults> refused = null;
        for (int i = 0; i < 6 && refused == null; i++) {
            CompletableFuture<TransferResults> answer = submitter.submit(chain(1));
            if (answer.isDone()) {
                refused = answer;
            }
        }

        assertTrue(refused != null, "a submission beyond the queue's capacity must be refused at once");
        BackendException error = backendError(refused);
        assertTrue(error.getMessage().contains("queue is full"), error.getMessage());
    }

    @Test
    void answersATimeoutPromptlyAndLeavesTheClientsFutureAlone() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        long timeoutMs = 200;
        Submitter submitter = submitter(ledger, settings().withRequestTimeout(Duration.ofMillis(timeoutMs)));

        CompletableFuture<TransferResults> answer = submitter.submit(chain(2));

        ExecutionException failure =
                assertThrows(ExecutionException.class, () -> answer.get(timeoutMs + GRACE_MS, TimeUnit.MILLISECONDS));
        assertInstanceOf(BackendException.class, failure.getCause());
        assertTrue(
                failure.getCause().getMessage().contains("did not answer within 200 ms"),
                failure.getCause().getMessage());
        CompletableFuture<TransferResults> clientFuture = ledger.sent().get(0).future();
        assertFalse(clientFuture.isDone(), "the client's own future must never be completed by the submitter");

        // The client answering late must not disturb the caller who was already told.
        clientFuture.complete(new TransferResults(List.of(CreateTransferResult.Ok, CreateTransferResult.Ok), 1));
        assertTrue(answer.isCompletedExceptionally());
    }

    @Test
    void failsFastAfterATimeoutUntilTheClusterAnswersAgain() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = submitter(ledger, settings().withRequestTimeout(Duration.ofMillis(100)));
        CompletableFuture<TransferResults> first = submitter.submit(chain(1));
        assertThrows(ExecutionException.class, () -> first.get(100 + GRACE_MS, TimeUnit.MILLISECONDS));
        assertFalse(submitter.isAnswering());

        CompletableFuture<TransferResults> refused = submitter.submit(chain(1));
        assertTrue(refused.isDone(), "while the cluster does not answer, a submission fails at once");
        assertTrue(backendError(refused).getMessage().contains("failing fast"));

        ledger.sent().get(0).future().complete(new TransferResults(List.of(CreateTransferResult.Ok), 1));
        assertTrue(submitter.isAnswering());
        ledger.answerOk();
        assertEquals(
                1, submitter.submit(chain(1)).get(5, TimeUnit.SECONDS).results().size());
    }

    @Test
    void opensAFreshSessionAtTheFirstTimeoutAndAcceptsWorkTheMomentOneIsAnswered() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = submitter(ledger, settings().withRequestTimeout(Duration.ofMillis(100)));
        CompletableFuture<TransferResults> first = submitter.submit(chain(1));
        assertThrows(ExecutionException.class, () -> first.get(100 + GRACE_MS, TimeUnit.MILLISECONDS));
        // The request timed out 100 ms after it was sent, and nothing was ever answered: a session
        // is opened once the submitter has been silent for 2 s, without a wait of its own.
        await(
                () -> !ledger.renewals().isEmpty() && !ledger.lookups().isEmpty(),
                "a fresh session, and a probe on the current one, after the first timeout");
        assertFalse(submitter.isAnswering());
        assertTrue(submitter.submit(chain(1)).isCompletedExceptionally(), "still failing fast");

        // The current session's probe is still unanswered; the fresh session's answer is enough.
        assertFalse(ledger.lookups().get(0).isDone());
        ledger.renewals().get(0).complete(null);
        // The timer thread attaches its callback just after the scripted ledger lists the renewal, so
        // the answer may reach the submitter a moment after this thread completed it.
        await(submitter::isAnswering, "a fresh session was answered and replaced the silent one");
        // As the real client does: the replaced session is closed, and its outstanding probes fail.
        ledger.lookups().forEach(probe -> probe.completeExceptionally(new IllegalStateException("Client is closed")));
        assertTrue(submitter.isAnswering(), "a closed session's failures are no news of the cluster");
        ledger.answerOk();
        assertEquals(
                1, submitter.submit(chain(1)).get(5, TimeUnit.SECONDS).results().size());
    }

    @Test
    void timesOutOtherRequestsWithoutCompletingTheClientsFuture() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = submitter(ledger, settings().withRequestTimeout(Duration.ofMillis(150)));

        CompletableFuture<List<LedgerClient.AccountRecord>> lookup =
                submitter.call("a lookup", client -> client.lookupAccounts(List.of(new LedgerId(1, 0))));

        ExecutionException failure =
                assertThrows(ExecutionException.class, () -> lookup.get(150 + GRACE_MS, TimeUnit.MILLISECONDS));
        assertTrue(
                failure.getCause().getMessage().contains("a lookup"),
                failure.getCause().getMessage());
        assertFalse(ledger.lookups().get(0).isDone());
    }

    @Test
    void answersEveryCallerAtShutdown() throws Exception {
        ScriptedLedger ledger = new ScriptedLedger();
        Submitter submitter = new Submitter(
                ledger,
                settings()
                        .withInFlightRequestsMax(1)
                        .withRequestTimeout(Duration.ofSeconds(20))
                        .withFlushInterval(Duration.ZERO));
        List<CompletableFuture<TransferResults>> answers = new ArrayList<>();
        answers.add(submitter.submit(chain(1)));
        await(() -> ledger.sent().size() == 1, "the first request to be outstanding");
        for (int i = 0; i < 5; i++) {
            answers.add(submitter.submit(chain(2)));
        }

        submitter.close();

        for (CompletableFuture<TransferResults> answer : answers) {
            BackendException error = backendError(answer);
            assertTrue(error.getMessage().contains("shutting down"), error.getMessage());
        }
        assertTrue(ledger.isClosed());
        assertTrue(submitter.submit(chain(1)).isCompletedExceptionally());
    }

    @Test
    void refusesAChainLongerThanABatch() {
        Submitter submitter = submitter(new ScriptedLedger(), settings().withBatchSizeMax(3));
        assertTrue(backendError(submitter.submit(chain(4))).getMessage().contains("does not fit"));
        assertThrows(IllegalArgumentException.class, () -> submitter.submit(List.of()));
    }

    private Submitter submitter(ScriptedLedger ledger, TigerBeetleSettings settings) {
        Submitter submitter = new Submitter(ledger, settings);
        submitters.add(submitter);
        return submitter;
    }

    private static TigerBeetleSettings settings() {
        return TigerBeetleSettings.of(BigInteger.ZERO, List.of("3000"));
    }

    private static List<Transfer> chain(int size) {
        List<Transfer> transfers = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int id = NEXT_ID.incrementAndGet();
            transfers.add(new Transfer(
                    new LedgerId(id, 0),
                    new LedgerId(1, 0),
                    new LedgerId(2, 0),
                    1,
                    LedgerId.NONE,
                    LedgerId.NONE,
                    0,
                    0,
                    0));
        }
        return Chains.link(transfers);
    }

    private static BackendException backendError(CompletableFuture<?> answer) {
        try {
            answer.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return assertInstanceOf(BackendException.class, e.getCause());
        } catch (Exception e) {
            fail("expected a BackendException, got " + e);
        }
        return fail("expected a BackendException, got an answer");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
