package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.PacketStatus;
import com.tigerbeetle.RequestException;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way to the cluster: packs concurrent transfer chains into {@code create_transfers}
 * requests (microbatching), and puts a timeout on every request (SPEC 5.2).
 *
 * <p>Batching rules: a chain is never split across requests; a request never holds more than
 * {@code batchSizeMax} transfers; a request leaves when it is full or {@code flushInterval} after
 * its first chain was taken, whichever comes first. Results come back by index and go to the
 * chain that owns them.
 *
 * <p>Bounds, each with its branch for when it is hit:
 * <ul>
 *   <li>the queue holds at most {@code queueCapacity} chains; a submission beyond that fails at once;
 *   <li>at most {@code inFlightRequestsMax} requests are outstanding in the client (a request stays
 *       outstanding after it timed out, until the cluster answers it or the client closes); the
 *       flusher waits for a free place no longer than the earliest deadline in the batch;
 *   <li>every caller is answered by its deadline ({@code requestTimeout} after submission): a timer
 *       completes our own future with a {@link BackendException}; the client's future is never
 *       completed by us (NOTES-STACK: that halts the JVM);
 *   <li>after a timeout the cluster counts as not answering and new submissions fail at once,
 *       until a request is answered. The client resends outstanding requests by itself, but with a
 *       backoff that grows to about 10 s, so candidate sessions are opened meanwhile, once
 *       nothing has been answered for 2 s: the first at once, then every 0.5 s early in the
 *       outage, every 2 s later ({@link RenewalSchedule});
 *       the first candidate answered replaces the session and the submitter accepts work again at
 *       that moment. Once the cluster commits again (a new primary elected, a quorum back), the
 *       submitter admits again within about one period and a round trip (SPEC 5.2);
 *   <li>{@link #close()} answers every queued and outstanding caller and returns within a few seconds.
 * </ul>
 *
 * <p>A caller whose request was sent and not answered (timed out, or its session ended) gets a
 * {@link BackendException} for which {@link #isUnanswered} is true: the cluster may still apply
 * that request. Failures before sending, and refusals by the cluster, are definite.
 *
 * <p>Thread-safety: submissions come from any thread. One flusher thread owns {@code carry} and
 * sends requests; one timer thread fires deadlines and renews silent sessions; the client's thread
 * delivers answers. Shared
 * state is a blocking queue, a semaphore, a concurrent set of outstanding requests and two volatile
 * flags. Caller futures are completed at most once (later completions are no-ops), so a timeout
 * racing an answer is harmless.
 */
final class Submitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Submitter.class);
    /** How long the idle flusher waits for work before it looks at the closed flag again. */
    private static final long IDLE_POLL_MS = 100;
    /** How long {@link #close()} waits for the flusher to stop. */
    private static final long FLUSHER_STOP_MS = 1_000;
    /**
     * How often a candidate session is opened while the cluster does not answer, once the outage
     * has lasted {@link #RENEW_FAST_WINDOW_MS}; before that, every {@link #RENEW_FAST_PERIOD_MS}
     * (see {@link RenewalSchedule}).
     */
    static final long SESSION_SILENCE_MS_MAX = 2_000;
    /** How often a candidate session is opened early in an outage, when a view change may just have ended. */
    static final long RENEW_FAST_PERIOD_MS = 500;
    /** How long into an outage candidates come every {@link #RENEW_FAST_PERIOD_MS}: a view change takes about 5 s. */
    static final long RENEW_FAST_WINDOW_MS = 8_000;
    /** How often the timer looks at a silent session. */
    private static final long REVIVE_CHECK_MS = 50;
    /** An account id no limit uses: the revival probe looks it up and only cares that an answer comes. */
    private static final LedgerId PROBE_ACCOUNT = new LedgerId(1, 0);

    private final LedgerClient ledger;
    private final int batchSizeMax;
    private final long flushIntervalNanos;
    private final long requestTimeoutNanos;
    private final long requestTimeoutMs;
    private final int queueCapacity;
    private final int inFlightRequestsMax;
    private final ArrayBlockingQueue<PendingChain> queue;
    private final Semaphore inFlightPermits;
    private final Set<Outstanding> outstanding = ConcurrentHashMap.newKeySet();
    /** Keeps the chains of one {@link #submitAll} call together in the queue. */
    private final Object enqueueLock = new Object();

    private final ScheduledThreadPoolExecutor timer;
    private final Thread flusher;
    private volatile boolean closed;
    private volatile boolean answering = true;
    private volatile long lastAnswerNanos;
    private volatile boolean everAnswered;
    /** When this submitter started: the silence of a cluster that never answered counts from here. */
    private final long startNanos;
    /** When to open candidate sessions while the cluster does not answer; timer thread only. */
    private final RenewalSchedule renewals;
    /** The revival task while the cluster does not answer, or null; timer thread and {@link #markSilent}. */
    private ScheduledFuture<?> revival;
    /** The probe sent on a renewed session, or null; timer thread only. */
    private CompletableFuture<?> probe;
    /** A chain taken from the queue that did not fit the previous batch. Flusher thread only. */
    private PendingChain carry;
    /**
     * The most transfers per request the cluster accepts, as far as this submitter knows: the
     * configured maximum until the cluster refuses a request as too large (a replica started with
     * {@code --development} takes 32 KiB requests, 254 transfers), then lower.
     */
    private volatile int batchLimit;
    /** {@code create_transfers} requests sent, and the transfers in them: their ratio is the batching achieved. */
    private final LongAdder transferRequestsSent = new LongAdder();

    private final LongAdder transfersSent = new LongAdder();
    /** Chains of a request the cluster refused as too large, sent again before the queue. */
    private final ConcurrentLinkedDeque<PendingChain> returned = new ConcurrentLinkedDeque<>();

    Submitter(LedgerClient ledger, TigerBeetleSettings settings) {
        this(ledger, settings, new RenewalSchedule(RENEW_FAST_PERIOD_MS, RENEW_FAST_WINDOW_MS, SESSION_SILENCE_MS_MAX));
    }

    /** As {@link #Submitter(LedgerClient, TigerBeetleSettings)}, with its own schedule of session renewals. */
    Submitter(LedgerClient ledger, TigerBeetleSettings settings, RenewalSchedule renewals) {
        this.ledger = ledger;
        this.renewals = renewals;
        this.startNanos = System.nanoTime();
        this.batchSizeMax = settings.batchSizeMax();
        this.batchLimit = settings.batchSizeMax();
        this.flushIntervalNanos = settings.flushInterval().toNanos();
        this.requestTimeoutNanos = settings.requestTimeout().toNanos();
        this.requestTimeoutMs = settings.requestTimeout().toMillis();
        this.queueCapacity = settings.queueCapacity();
        this.inFlightRequestsMax = settings.inFlightRequestsMax();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.inFlightPermits = new Semaphore(settings.inFlightRequestsMax());
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> daemon(runnable, "tigerbeetle-timeouts"));
        this.timer.setRemoveOnCancelPolicy(true);
        this.flusher = daemon(this::runFlusher, "tigerbeetle-submitter");
        this.flusher.start();
    }

    /**
     * Queues one chain for the next request. The answer has one result per transfer of the chain,
     * or fails with a {@link BackendException} (queue full, cluster not answering, timed out,
     * closing). Never blocks.
     */
    CompletableFuture<TransferResults> submit(List<Transfer> chain) {
        synchronized (enqueueLock) {
            return enqueue(chain);
        }
    }

    /** Queues several chains back to back, so that they travel in as few requests as fit. */
    List<CompletableFuture<TransferResults>> submitAll(List<List<Transfer>> chains) {
        List<CompletableFuture<TransferResults>> answers = new ArrayList<>(chains.size());
        synchronized (enqueueLock) {
            for (List<Transfer> chain : chains) {
                answers.add(enqueue(chain));
            }
        }
        return answers;
    }

    /**
     * Sends one request that is not a transfer (lookups, account creation) with the same timeout,
     * outstanding-request bound and fail-fast rule as transfer requests. {@code what} names it in
     * errors. Waiting for a free outstanding place counts against the request's own timeout, so the
     * answer comes within the request timeout either way.
     */
    <T> CompletableFuture<T> call(String what, Function<LedgerClient, CompletableFuture<T>> request) {
        return call(what, request, true);
    }

    /**
     * As {@link #call(String, Function)}, but fails at once instead of waiting when every
     * outstanding place is taken ({@code waitForPlace} false): for callers that must answer quickly,
     * such as a health probe.
     */
    <T> CompletableFuture<T> call(
            String what, Function<LedgerClient, CompletableFuture<T>> request, boolean waitForPlace) {
        BackendException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        long deadlineNanos = System.nanoTime() + requestTimeoutNanos;
        try {
            boolean permitted = waitForPlace
                    ? inFlightPermits.tryAcquire(requestTimeoutNanos, TimeUnit.NANOSECONDS)
                    : inFlightPermits.tryAcquire();
            if (!permitted) {
                return CompletableFuture.failedFuture(tooManyOutstanding());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new BackendException("interrupted while waiting to send " + what));
        }
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            // The wait for a place used the whole timeout: the cluster is busy, not necessarily silent.
            inFlightPermits.release();
            return CompletableFuture.failedFuture(tooManyOutstanding());
        }
        CompletableFuture<T> mine = new CompletableFuture<>();
        Outstanding call = new Outstanding() {
            @Override
            void fail(BackendException error) {
                mine.completeExceptionally(error);
            }
        };
        send(call, what, () -> request.apply(ledger), remainingNanos, (value, error) -> {
            if (error != null) {
                mine.completeExceptionally(failure(what, error));
            } else {
                mine.complete(value);
            }
        });
        return mine;
    }

    /** Whether the cluster answered its last request in time (and this submitter is open). */
    boolean isAnswering() {
        return answering && !closed;
    }

    /** Whether the cluster answered any request within the last {@code windowNanos}. */
    boolean answeredWithin(long windowNanos) {
        return everAnswered && System.nanoTime() - lastAnswerNanos <= windowNanos;
    }

    /** Whether a request could be sent now without waiting for an outstanding one to be answered. */
    boolean hasFreePlace() {
        return inFlightPermits.availablePermits() > 0;
    }

    /** Why the cluster refuses this submitter's session, if it does (see {@link LedgerClient#sessionProblem()}). */
    Optional<String> sessionProblem() {
        return ledger.sessionProblem();
    }

    long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** Answers every queued and outstanding caller with a {@link BackendException}, then closes the client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flusher.interrupt();
        try {
            flusher.join(FLUSHER_STOP_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failQueued(new BackendException("the TigerBeetle backend is shutting down"));
        BackendException closing = unanswered("the TigerBeetle backend is shutting down");
        for (Outstanding request : outstanding) {
            request.fail(closing);
        }
        timer.shutdownNow();
        ledger.close();
    }

    private CompletableFuture<TransferResults> enqueue(List<Transfer> chain) {
        if (!Chains.isChain(chain)) {
            throw new IllegalArgumentException("a chain must be non-empty and linked on every transfer but the last");
        }
        if (chain.size() > batchSizeMax) {
            return CompletableFuture.failedFuture(new BackendException(
                    "a chain of " + chain.size() + " transfers does not fit a request of at most " + batchSizeMax));
        }
        BackendException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        PendingChain pending = new PendingChain(chain, System.nanoTime() + requestTimeoutNanos);
        if (!queue.offer(pending)) {
            return CompletableFuture.failedFuture(new BackendException(
                    "the TigerBeetle submission queue is full (" + queueCapacity + " chains waiting)"));
        }
        if (closed) {
            // close() may have drained the queue before this offer landed; answer it here.
            pending.fail(new BackendException("the TigerBeetle backend is shutting down"));
        }
        return pending.answer;
    }

    /** Why a new request is refused at once, or null when it may go. */
    private BackendException refusal() {
        if (closed) {
            return new BackendException("the TigerBeetle backend is shutting down");
        }
        if (!answering) {
            return new BackendException("TigerBeetle has not answered within " + requestTimeoutMs
                    + " ms; failing fast until it answers again");
        }
        return null;
    }

    private BackendException tooManyOutstanding() {
        return new BackendException(inFlightRequestsMax + " requests to TigerBeetle are outstanding; none was"
                + " answered within " + requestTimeoutMs + " ms");
    }

    private void runFlusher() {
        try {
            while (!closed) {
                List<PendingChain> batch = collect();
                if (!batch.isEmpty()) {
                    sendBatch(batch);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts the flusher; the queue is answered below.
        } catch (RuntimeException | Error e) {
            LOG.error("the TigerBeetle submitter stopped; every later request fails", e);
            closed = true;
        } finally {
            failQueued(new BackendException("the TigerBeetle backend is shutting down"));
        }
    }

    /**
     * Takes the next batch: whole chains, at most {@code batchLimit} transfers, within one flush
     * interval; chains returned by a refused request come first.
     */
    private List<PendingChain> collect() throws InterruptedException {
        PendingChain first = carry;
        carry = null;
        if (first == null) {
            first = returned.poll();
        }
        if (first == null) {
            first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            if (first == null) {
                return List.of();
            }
        }
        int limit = batchLimit;
        List<PendingChain> batch = new ArrayList<>();
        batch.add(first);
        int events = first.transfers.size();
        long flushAtNanos = System.nanoTime() + flushIntervalNanos;
        while (events < limit) {
            long waitNanos = flushAtNanos - System.nanoTime();
            PendingChain next = returned.poll();
            try {
                if (next == null) {
                    next = waitNanos > 0 ? queue.poll(waitNanos, TimeUnit.NANOSECONDS) : queue.poll();
                }
            } catch (InterruptedException e) {
                // Closing: these chains left the queue, so close() will not see them; answer them here.
                batch.forEach(
                        pending -> pending.fail(new BackendException("the TigerBeetle backend is shutting down")));
                throw e;
            }
            if (next == null) {
                break;
            }
            if (events + next.transfers.size() > limit) {
                carry = next;
                break;
            }
            batch.add(next);
            events += next.transfers.size();
        }
        return batch;
    }

    private void sendBatch(List<PendingChain> batch) throws InterruptedException {
        long nowNanos = System.nanoTime();
        List<PendingChain> live = new ArrayList<>(batch.size());
        long earliestDeadlineNanos = Long.MAX_VALUE;
        for (PendingChain pending : batch) {
            if (pending.answer.isDone()) {
                continue;
            }
            if (pending.deadlineNanos - nowNanos <= 0) {
                pending.fail(new BackendException(timedOutMessage("waiting in the submission queue")));
                continue;
            }
            live.add(pending);
            earliestDeadlineNanos = Math.min(earliestDeadlineNanos, pending.deadlineNanos);
        }
        if (live.isEmpty()) {
            return;
        }
        BackendException refusal = refusal();
        if (refusal != null) {
            live.forEach(pending -> pending.fail(refusal));
            return;
        }
        boolean permitted;
        try {
            permitted = inFlightPermits.tryAcquire(earliestDeadlineNanos - nowNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            live.forEach(pending -> pending.fail(new BackendException("the TigerBeetle backend is shutting down")));
            throw e;
        }
        if (!permitted) {
            BackendException busy = tooManyOutstanding();
            live.forEach(pending -> pending.fail(busy));
            return;
        }
        List<Transfer> transfers = new ArrayList<>();
        for (PendingChain pending : live) {
            transfers.addAll(pending.transfers);
        }
        Outstanding request = new Outstanding() {
            @Override
            void fail(BackendException error) {
                live.forEach(pending -> pending.fail(error));
            }
        };
        String what = "a create_transfers request of " + transfers.size() + " transfers";
        transferRequestsSent.increment();
        transfersSent.add(transfers.size());
        send(
                request,
                what,
                () -> ledger.createTransfers(transfers),
                Math.max(0, earliestDeadlineNanos - System.nanoTime()),
                (results, error) -> {
                    if (error != null && isTooMuchData(error)) {
                        sendSmaller(live, transfers.size());
                    } else if (error != null) {
                        request.fail(failure(what, error));
                    } else {
                        dispatch(live, transfers.size(), results);
                    }
                });
    }

    /**
     * Sends one request (the caller holds an outstanding permit), arms its timer and wires its
     * answer. The client's future only gets a dependent attached; the timer completes ours.
     */
    private <T> void send(
            Outstanding request,
            String what,
            Supplier<CompletableFuture<T>> sender,
            long timeoutNanos,
            BiConsumer<T, Throwable> onAnswer) {
        outstanding.add(request);
        CompletableFuture<T> answer;
        try {
            answer = sender.get();
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(
                    () -> {
                        if (answering) {
                            // One line per outage, not one per request.
                            LOG.warn("TigerBeetle did not answer " + what + " within " + requestTimeoutMs
                                    + " ms; failing fast until it answers again");
                        }
                        markSilent();
                        request.fail(unanswered(timedOutMessage("for " + what)));
                    },
                    timeoutNanos,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The timer is gone only after close(), which answers every outstanding caller.
            deadline = null;
            request.fail(new BackendException("the TigerBeetle backend is shutting down"));
        }
        ScheduledFuture<?> armed = deadline;
        answer.whenComplete((value, error) -> {
            if (armed != null) {
                armed.cancel(false);
            }
            outstanding.remove(request);
            inFlightPermits.release();
            if (error == null || isClusterAnswer(error)) {
                noteAnswer();
            }
            onAnswer.accept(value, error);
        });
    }

    /** The cluster answered a request (on the current session or on a candidate that now replaces it). */
    private void noteAnswer() {
        lastAnswerNanos = System.nanoTime();
        everAnswered = true;
        answering = true;
    }

    /**
     * The cluster refused a request of {@code refusedSize} transfers as larger than it accepts; the
     * client refuses such a request before sending it, so nothing of it was applied. Lowers the
     * limit (halving the request's bytes: every request size the cluster can be configured to is
     * reached in a few steps) and sends the chains again in smaller requests. A chain that alone
     * exceeds the lowest limit fails.
     */
    private void sendSmaller(List<PendingChain> chains, int refusedSize) {
        int lowered = Math.max(1, refusedSize / 2 - 1);
        synchronized (returned) {
            if (lowered < batchLimit) {
                batchLimit = lowered;
                LOG.warn("TigerBeetle refused a request of " + refusedSize + " transfers as too large (a replica"
                        + " started with --development takes 254); sending at most " + lowered + " per request from"
                        + " now on; set ratelimiter.tigerbeetle.batch-size-max to the cluster's limit to avoid this");
            }
        }
        for (PendingChain chain : chains) {
            if (chain.transfers.size() > batchLimit && refusedSize <= chain.transfers.size()) {
                chain.fail(new BackendException("a chain of " + chain.transfers.size()
                        + " transfers is larger than the TigerBeetle cluster accepts in one request"));
            } else {
                returned.add(chain);
            }
        }
    }

    /** The failure inside a {@link CompletionException}, which futures wrap around what a stage threw. */
    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static boolean isTooMuchData(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof RequestException request && request.getStatus() == PacketStatus.TooMuchData.value;
    }

    /** How many {@code create_transfers} requests were sent so far. */
    long transferRequestsSent() {
        return transferRequestsSent.sum();
    }

    /** How many transfers those requests carried. */
    long transfersSent() {
        return transfersSent.sum();
    }

    /** The most transfers per request the cluster is known to accept. */
    int batchLimit() {
        return batchLimit;
    }

    private static void dispatch(List<PendingChain> live, int size, TransferResults results) {
        if (results.results().size() != size) {
            BackendException malformed = new BackendException(
                    "TigerBeetle answered " + results.results().size() + " results for " + size + " transfers");
            live.forEach(pending -> pending.fail(malformed));
            return;
        }
        int offset = 0;
        for (PendingChain pending : live) {
            int end = offset + pending.transfers.size();
            pending.answer.complete(results.slice(offset, end));
            offset = end;
        }
    }

    private void failQueued(BackendException error) {
        PendingChain carried = carry;
        if (carried != null && Thread.currentThread() == flusher) {
            carry = null;
            carried.fail(error);
        }
        PendingChain pending;
        while ((pending = returned.poll()) != null) {
            pending.fail(error);
        }
        while ((pending = queue.poll()) != null) {
            pending.fail(error);
        }
    }

    /** Timer thread: the cluster counts as not answering; starts the revival of the session. */
    private void markSilent() {
        answering = false;
        if (revival == null || revival.isDone()) {
            revival = timer.scheduleWithFixedDelay(this::revive, 0, REVIVE_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Timer thread, while the cluster does not answer: opens candidate sessions on the {@link
     * RenewalSchedule} (the first at once) and keeps one probe in flight on the current session.
     * An answer to either makes the submitter accept work again: the probe's through {@link
     * #send}, a candidate's when it becomes the current session.
     */
    private void revive() {
        if (answering || closed) {
            revival.cancel(false);
            probe = null;
            renewals.answered();
            return;
        }
        long nowNanos = System.nanoTime();
        long silentNanos = nowNanos - (everAnswered ? lastAnswerNanos : startNanos);
        boolean firstOfOutage = !renewals.renewedInOutage();
        if (renewals.renewNow(nowNanos, silentNanos)) {
            if (firstOfOutage) {
                LOG.warn("TigerBeetle has not answered for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
                        + " ms; opening fresh sessions until one is answered");
            }
            ledger.renewSession().thenRun(this::noteAnswer);
        }
        if ((probe == null || probe.isDone()) && inFlightPermits.tryAcquire()) {
            CompletableFuture<Object> answer = new CompletableFuture<>();
            Outstanding request = new Outstanding() {
                @Override
                void fail(BackendException error) {
                    answer.completeExceptionally(error);
                }
            };
            send(
                    request,
                    "a session probe",
                    () -> ledger.lookupAccounts(List.of(PROBE_ACCOUNT)),
                    requestTimeoutNanos,
                    (value, error) -> answer.complete(value));
            probe = answer;
        }
    }

    private String timedOutMessage(String where) {
        return "TigerBeetle did not answer within " + requestTimeoutMs + " ms (" + where + ")";
    }

    private static BackendException failure(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof BackendException backend) {
            return backend;
        }
        if (cause instanceof RequestException) {
            return new BackendException("TigerBeetle refused " + what + ": " + cause, cause);
        }
        // Sent, and its session ended before an answer (renewed or closed): the cluster may still apply it.
        BackendException failed = unanswered("TigerBeetle failed " + what + ": " + cause);
        failed.addSuppressed(cause);
        return failed;
    }

    /**
     * Whether {@code error} says a request was sent and never answered, so that the cluster may
     * still apply it (SPEC 5.2: such a reserve is kept as an unknown lease).
     */
    static boolean isUnanswered(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof Unanswered) {
                return true;
            }
        }
        return false;
    }

    private static BackendException unanswered(String message) {
        return new BackendException(message, new Unanswered());
    }

    /** The cause that marks a failure of a request the cluster may still apply. Carries no stack trace. */
    private static final class Unanswered extends Exception {
        private static final long serialVersionUID = 1L;

        Unanswered() {
            super("sent to TigerBeetle and not answered; it may still be applied", null, false, false);
        }
    }

    /** An error that still proves a replica answered (the request reached the cluster and was refused). */
    private static boolean isClusterAnswer(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof RequestException;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Something that waits for the cluster and can be answered with a failure (timeout, shutdown). */
    private abstract static class Outstanding {
        abstract void fail(BackendException error);
    }

    /** A chain and its caller's answer. The answer is ours, never the client's. */
    private static final class PendingChain {
        final List<Transfer> transfers;
        final long deadlineNanos;
        final CompletableFuture<TransferResults> answer = new CompletableFuture<>();

        PendingChain(List<Transfer> transfers, long deadlineNanos) {
            this.transfers = transfers;
            this.deadlineNanos = deadlineNanos;
        }

        void fail(BackendException error) {
            answer.completeExceptionally(error);
        }
    }
}
