package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import com.tigerbeetle.PacketStatus;
import com.tigerbeetle.RequestException;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link LedgerClient} whose answers the test decides: every request is recorded with the future
 * handed out for it, which stands for the real client's own future. By default it never answers
 * (an unreachable cluster); {@link #answerWith} makes it answer at once. Thread-safe.
 */
final class ScriptedLedger implements LedgerClient {
    /** One request as the submitter sent it, and the "client's" future for it. */
    record Sent(List<Transfer> transfers, CompletableFuture<TransferResults> future) {}

    /** The commit time every scripted answer reports. */
    static final long COMMIT_TIMESTAMP_NANOS = 1_700_000_000_123_456_789L;

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<?>> lookups = new CopyOnWriteArrayList<>();
    private volatile Function<List<Transfer>, List<CreateTransferResult>> answer;
    private volatile boolean closed;
    private volatile int requestTransfersMax = Integer.MAX_VALUE;
    /** One future per renewal: completing it says the fresh session was answered and became current. */
    private final List<CompletableFuture<Void>> renewals = new CopyOnWriteArrayList<>();

    /** Answers every later transfer request at once with {@code answer}. */
    ScriptedLedger answerWith(Function<List<Transfer>, List<CreateTransferResult>> newAnswer) {
        this.answer = newAnswer;
        return this;
    }

    /** Refuses, as too large, every later request of more than {@code max} transfers. */
    ScriptedLedger refuseLargerThan(int max) {
        this.requestTransfersMax = max;
        return this;
    }

    /** Answers every transfer with {@code Ok}. */
    ScriptedLedger answerOk() {
        return answerWith(transfers -> Collections.nCopies(transfers.size(), CreateTransferResult.Ok));
    }

    @Override
    public CompletableFuture<TransferResults> createTransfers(List<Transfer> transfers) {
        CompletableFuture<TransferResults> future = new CompletableFuture<>();
        sent.add(new Sent(List.copyOf(transfers), future));
        Function<List<Transfer>, List<CreateTransferResult>> current = answer;
        if (transfers.size() > requestTransfersMax) {
            // As the client does for a request above the cluster's limit: refused, never sent.
            future.completeExceptionally(new RequestException(PacketStatus.TooMuchData.value));
        } else if (current != null) {
            future.complete(new TransferResults(current.apply(transfers), COMMIT_TIMESTAMP_NANOS));
        }
        return future;
    }

    @Override
    public CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> accounts) {
        return never();
    }

    @Override
    public CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids) {
        return never();
    }

    @Override
    public CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids) {
        return never();
    }

    @Override
    public CompletableFuture<Void> renewSession() {
        CompletableFuture<Void> promoted = new CompletableFuture<>();
        renewals.add(promoted);
        return promoted;
    }

    @Override
    public Optional<String> sessionProblem() {
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The renewals so far, oldest first, each with the future that promotes its session. */
    List<CompletableFuture<Void>> renewals() {
        return new ArrayList<>(renewals);
    }

    List<Sent> sent() {
        return new ArrayList<>(sent);
    }

    List<CompletableFuture<?>> lookups() {
        return new ArrayList<>(lookups);
    }

    boolean isClosed() {
        return closed;
    }

    private <T> CompletableFuture<T> never() {
        CompletableFuture<T> future = new CompletableFuture<>();
        lookups.add(future);
        return future;
    }
}
