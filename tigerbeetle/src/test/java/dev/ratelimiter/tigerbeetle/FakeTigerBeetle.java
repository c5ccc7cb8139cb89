package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.AccountFlags;
import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import com.tigerbeetle.PacketStatus;
import com.tigerbeetle.RequestException;
import com.tigerbeetle.TransferFlags;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An in-process model of the parts of a TigerBeetle 0.16.30 cluster this backend uses, so that the
 * backend's logic (and the contract suite) runs on a manual clock with no server: accounts with
 * {@code debits_must_not_exceed_credits}, pending transfers that expire on the given clock, voids
 * that inherit the pending transfer's fields, zero amounts (legal for clients from 0.16.0), linked
 * chains that apply all or nothing (an open chain answers {@code linked_event_chain_open} before
 * anything else), {@code exists} and {@code exists_with_different_*} for resubmitted ids, ids left
 * failed by transient errors ({@code id_already_failed}), and the commit timestamp of each reply.
 *
 * <p>Timing as the real cluster has it, checked against its source: a pending transfer whose
 * timeout has passed can no longer be voided ({@code pending_transfer_expired}) but keeps its
 * amount in {@code debits_pending} until the next pulse, {@code pulseLagMs} later.
 *
 * <p>Faults: {@link #stopAnswering()} parks every request (an unreachable cluster);
 * {@link #startAnswering(boolean)} brings it back, and may apply the parked requests late, as a
 * cluster does with requests it received before its answers were lost. Sessions that were open
 * during the outage stay silent until they are renewed, as the real client's session does for up
 * to 10 s while its resend backoff runs; renewing or closing a session fails its parked requests
 * (the real client answers them {@code Client is closed}). {@link #evict()} and
 * {@link #refuseClientRelease()} make requests fail with the client's {@link RequestException}.
 *
 * <p>It follows TigerBeetle's result precedence for the checks it models and nothing more; the
 * suites that start a real TigerBeetle remain the reference. State survives a backend restart as
 * long as the same instance is used, which is how restarts are tested. Thread-safe: every
 * operation is {@code synchronized}.
 */
final class FakeTigerBeetle {
    /** Results TigerBeetle records as failed ids: a later transfer with the same id gets id_already_failed. */
    private static final Set<CreateTransferResult> TRANSIENT = EnumSet.of(
            CreateTransferResult.ExceedsCredits,
            CreateTransferResult.ExceedsDebits,
            CreateTransferResult.DebitAccountNotFound,
            CreateTransferResult.CreditAccountNotFound,
            CreateTransferResult.PendingTransferNotFound);

    private static final class Account {
        final int flags;
        long debitsPending;
        long debitsPosted;
        long creditsPending;
        long creditsPosted;

        Account(int flags) {
            this.flags = flags;
        }

        Account copy() {
            Account copy = new Account(flags);
            copy.debitsPending = debitsPending;
            copy.debitsPosted = debitsPosted;
            copy.creditsPending = creditsPending;
            copy.creditsPosted = creditsPosted;
            return copy;
        }
    }

    private enum PendingState {
        PENDING,
        VOIDED,
        EXPIRED,
        POSTED
    }

    private static final class Stored {
        final Transfer transfer;
        final long timestampNanos;
        final long expiresAtMs;
        PendingState state;

        Stored(Transfer transfer, long timestampNanos, long expiresAtMs, PendingState state) {
            this.transfer = transfer;
            this.timestampNanos = timestampNanos;
            this.expiresAtMs = expiresAtMs;
            this.state = state;
        }

        Stored copy() {
            return new Stored(transfer, timestampNanos, expiresAtMs, state);
        }
    }

    private final Clock clock;
    private final long pulseLagMs;
    private Map<LedgerId, Account> accounts = new HashMap<>();
    private Map<LedgerId, Stored> transfers = new HashMap<>();
    private final Set<LedgerId> failedIds = new HashSet<>();
    private long lastTimestampNanos;
    private boolean answering = true;
    /** Incremented by every outage: sessions opened before it stay silent until renewed. */
    private int outage;

    private byte refusal = PacketStatus.Ok.value;
    private final List<Parked<?>> parked = new ArrayList<>();
    private final List<Promotion> promotions = new ArrayList<>();
    private int transferRequests;
    private int sessionsOpened;

    /** A request received while not answering, with the session it came on. */
    private record Parked<T>(Session session, Operation<T> operation, CompletableFuture<T> future) {}

    FakeTigerBeetle(Clock clock) {
        this(clock, 0);
    }

    /** A cluster whose pulses release expired holds {@code pulseLagMs} after their timeout. */
    FakeTigerBeetle(Clock clock, long pulseLagMs) {
        this.clock = clock;
        this.pulseLagMs = pulseLagMs;
    }

    /** A client of this cluster, as the backend sees it. Closing a client leaves the cluster as it is. */
    LedgerClient client() {
        return new FakeClient();
    }

    /** One client: its current session, and the requests parked on it. */
    private final class FakeClient implements LedgerClient {
        private Session session = openSession();

        @Override
        public CompletableFuture<TransferResults> createTransfers(List<Transfer> batch) {
            return answer(session(), () -> FakeTigerBeetle.this.createTransfers(batch));
        }

        @Override
        public CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> batch) {
            return answer(session(), () -> FakeTigerBeetle.this.createAccounts(batch));
        }

        @Override
        public CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids) {
            return answer(session(), () -> FakeTigerBeetle.this.lookupAccounts(ids));
        }

        @Override
        public CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids) {
            return answer(session(), () -> FakeTigerBeetle.this.lookupTransfers(ids));
        }

        @Override
        public CompletableFuture<Void> renewSession() {
            Session stale;
            CompletableFuture<Void> promoted = new CompletableFuture<>();
            boolean answeredNow;
            synchronized (FakeTigerBeetle.this) {
                stale = session;
                session = openSession();
                if (refusal == PacketStatus.ClientEvicted.value) {
                    refusal = PacketStatus.Ok.value;
                }
                answeredNow = answering;
                if (!answeredNow) {
                    promotions.add(new Promotion(session, promoted));
                }
            }
            failParked(stale);
            if (answeredNow) {
                promoted.complete(null);
            }
            return promoted;
        }

        @Override
        public Optional<String> sessionProblem() {
            synchronized (FakeTigerBeetle.this) {
                return refusal == PacketStatus.Ok.value
                        ? Optional.empty()
                        : Optional.of("refused: " + PacketStatus.fromValue(refusal));
            }
        }

        @Override
        public void close() {
            // The cluster outlives its clients; only this client's parked requests end.
            failParked(session());
        }

        private Session session() {
            synchronized (FakeTigerBeetle.this) {
                return session;
            }
        }
    }

    /** A renewal made while the cluster did not answer: its session is answered once the cluster answers again. */
    private record Promotion(Session session, CompletableFuture<Void> promoted) {}

    /** A session of a client, and the outage count when it was opened. */
    private record Session(int openedInOutage) {}

    private synchronized Session openSession() {
        sessionsOpened++;
        return new Session(outage);
    }

    /** Parks every request from now on, as an unreachable cluster does. */
    synchronized void stopAnswering() {
        answering = false;
        outage++;
    }

    /**
     * Answers again. With {@code applyParked}, the requests received during the outage are applied
     * now (their answers are lost: their sessions stay silent until renewed); without, they are
     * dropped. Sessions opened before or during the outage stay silent until renewed.
     */
    void startAnswering(boolean applyParked) {
        List<CompletableFuture<Void>> promoted = new ArrayList<>();
        synchronized (this) {
            answering = true;
            if (applyParked) {
                for (Parked<?> request : parked) {
                    request.operation().run();
                }
            }
            // Sessions opened during this outage answer now, and so did the renewal that opened them.
            for (Promotion promotion : promotions) {
                if (promotion.session().openedInOutage() == outage) {
                    promoted.add(promotion.promoted());
                }
            }
            promotions.clear();
        }
        promoted.forEach(future -> future.complete(null));
    }

    /** Makes every request fail as the client fails them for an evicted session, until the next successful renewal. */
    synchronized void evict() {
        refusal = PacketStatus.ClientEvicted.value;
    }

    /** Makes every request fail as the client fails them when the cluster refuses its release. */
    synchronized void refuseClientRelease() {
        refusal = PacketStatus.ClientReleaseTooLow.value;
    }

    synchronized int sessionsOpened() {
        return sessionsOpened;
    }

    synchronized int transferRequests() {
        return transferRequests;
    }

    /** The limit account's pending debits: the amount held now. */
    synchronized long debitsPending(LedgerId account) {
        expire();
        return accounts.get(account).debitsPending;
    }

    synchronized long balance(LedgerId account) {
        Account found = accounts.get(account);
        return found.creditsPosted - found.debitsPosted;
    }

    synchronized long debitsPosted(LedgerId account) {
        Account found = accounts.get(account);
        return found == null ? 0 : found.debitsPosted;
    }

    synchronized boolean hasTransfer(LedgerId id) {
        return transfers.containsKey(id);
    }

    private interface Operation<T> {
        T run();
    }

    private synchronized <T> CompletableFuture<T> answer(Session session, Operation<T> operation) {
        if (refusal != PacketStatus.Ok.value) {
            return CompletableFuture.failedFuture(new RequestException(refusal));
        }
        if (!answering || session.openedInOutage() < outage) {
            CompletableFuture<T> future = new CompletableFuture<>();
            parked.add(new Parked<>(session, operation, future));
            return future;
        }
        return CompletableFuture.completedFuture(operation.run());
    }

    private void failParked(Session session) {
        List<CompletableFuture<?>> failing = new ArrayList<>();
        synchronized (this) {
            parked.removeIf(request -> {
                if (request.session() == session) {
                    failing.add(request.future());
                    return true;
                }
                return false;
            });
        }
        failing.forEach(future -> future.completeExceptionally(new IllegalStateException("Client is closed")));
    }

    private List<CreateAccountResult> createAccounts(List<LedgerClient.NewAccount> batch) {
        List<CreateAccountResult> results = new ArrayList<>();
        for (LedgerClient.NewAccount account : batch) {
            Account existing = accounts.get(account.id());
            if (existing == null) {
                accounts.put(account.id(), new Account(account.flags()));
                results.add(CreateAccountResult.Ok);
            } else {
                results.add(
                        existing.flags == account.flags()
                                ? CreateAccountResult.Exists
                                : CreateAccountResult.ExistsWithDifferentFlags);
            }
        }
        return results;
    }

    private TransferResults createTransfers(List<Transfer> batch) {
        transferRequests++;
        expire();
        CreateTransferResult[] results = new CreateTransferResult[batch.size()];
        int chainStart = -1;
        Map<LedgerId, Account> accountsBefore = null;
        Map<LedgerId, Stored> transfersBefore = null;
        boolean chainBroken = false;
        for (int i = 0; i < batch.size(); i++) {
            Transfer transfer = batch.get(i);
            if (chainStart < 0 && transfer.isLinked()) {
                chainStart = i;
                accountsBefore = copyAccounts();
                transfersBefore = copyTransfers();
                chainBroken = false;
            }
            CreateTransferResult result;
            if (transfer.isLinked() && i == batch.size() - 1) {
                // Checked before a broken chain, as the cluster does.
                result = CreateTransferResult.LinkedEventChainOpen;
            } else if (chainBroken) {
                result = CreateTransferResult.LinkedEventFailed;
            } else {
                result = create(transfer);
            }
            results[i] = result;
            if (result != CreateTransferResult.Ok && chainStart >= 0 && !chainBroken) {
                chainBroken = true;
                accounts = accountsBefore;
                transfers = transfersBefore;
                for (int j = chainStart; j < i; j++) {
                    results[j] = CreateTransferResult.LinkedEventFailed;
                }
            }
            if (result != CreateTransferResult.Ok && TRANSIENT.contains(result)) {
                failedIds.add(transfer.id());
            }
            if (chainStart >= 0 && !transfer.isLinked()) {
                chainStart = -1;
            }
        }
        // Every transfer of the request took a timestamp before this one, as the reply header's is.
        return new TransferResults(List.of(results), timestamp(clock.nowMillis()));
    }

    private CreateTransferResult create(Transfer transfer) {
        Stored existing = transfers.get(transfer.id());
        if (existing != null) {
            return exists(transfer, existing.transfer);
        }
        if (failedIds.contains(transfer.id())) {
            return CreateTransferResult.IdAlreadyFailed;
        }
        if ((transfer.flags() & TransferFlags.VOID_PENDING_TRANSFER) != 0) {
            return voidPending(transfer);
        }
        if ((transfer.flags() & TransferFlags.PENDING) == 0 && transfer.timeoutSeconds() != 0) {
            return CreateTransferResult.TimeoutReservedForPendingTransfer;
        }
        Account debit = accounts.get(transfer.debitAccount());
        if (debit == null) {
            return CreateTransferResult.DebitAccountNotFound;
        }
        Account credit = accounts.get(transfer.creditAccount());
        if (credit == null) {
            return CreateTransferResult.CreditAccountNotFound;
        }
        boolean pending = (transfer.flags() & TransferFlags.PENDING) != 0;
        if ((debit.flags & AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS) != 0
                && debit.debitsPending + debit.debitsPosted + transfer.amount() > debit.creditsPosted) {
            return CreateTransferResult.ExceedsCredits;
        }
        long nowMs = clock.nowMillis();
        if (pending) {
            debit.debitsPending += transfer.amount();
            credit.creditsPending += transfer.amount();
        } else {
            debit.debitsPosted += transfer.amount();
            credit.creditsPosted += transfer.amount();
        }
        long expiresAtMs =
                pending && transfer.timeoutSeconds() > 0 ? nowMs + transfer.timeoutSeconds() * 1000L : Long.MAX_VALUE;
        transfers.put(
                transfer.id(),
                new Stored(
                        transfer, timestamp(nowMs), expiresAtMs, pending ? PendingState.PENDING : PendingState.POSTED));
        return CreateTransferResult.Ok;
    }

    private CreateTransferResult voidPending(Transfer transfer) {
        Stored pending = transfers.get(transfer.pendingId());
        if (pending == null) {
            return CreateTransferResult.PendingTransferNotFound;
        }
        if ((pending.transfer.flags() & TransferFlags.PENDING) == 0) {
            return CreateTransferResult.PendingTransferNotPending;
        }
        if (!transfer.debitAccount().equals(LedgerId.NONE)
                && !transfer.debitAccount().equals(pending.transfer.debitAccount())) {
            return CreateTransferResult.PendingTransferHasDifferentDebitAccountId;
        }
        if (!transfer.creditAccount().equals(LedgerId.NONE)
                && !transfer.creditAccount().equals(pending.transfer.creditAccount())) {
            return CreateTransferResult.PendingTransferHasDifferentCreditAccountId;
        }
        if (transfer.amount() != 0 && transfer.amount() != pending.transfer.amount()) {
            return CreateTransferResult.PendingTransferHasDifferentAmount;
        }
        switch (pending.state) {
            case POSTED:
                return CreateTransferResult.PendingTransferAlreadyPosted;
            case VOIDED:
                return CreateTransferResult.PendingTransferAlreadyVoided;
            case EXPIRED:
                return CreateTransferResult.PendingTransferExpired;
            default:
                break;
        }
        if (pending.expiresAtMs <= clock.nowMillis()) {
            // Timed out but not yet released by a pulse: too late to void all the same.
            return CreateTransferResult.PendingTransferExpired;
        }
        release(pending);
        pending.state = PendingState.VOIDED;
        transfers.put(
                transfer.id(),
                new Stored(
                        inherit(transfer, pending.transfer),
                        timestamp(clock.nowMillis()),
                        Long.MAX_VALUE,
                        PendingState.POSTED));
        return CreateTransferResult.Ok;
    }

    /** A void as the cluster stores it: fields left zero take the pending transfer's values. */
    private static Transfer inherit(Transfer sent, Transfer pending) {
        return new Transfer(
                sent.id(),
                sent.debitAccount().equals(LedgerId.NONE) ? pending.debitAccount() : sent.debitAccount(),
                sent.creditAccount().equals(LedgerId.NONE) ? pending.creditAccount() : sent.creditAccount(),
                sent.amount() == 0 ? pending.amount() : sent.amount(),
                sent.pendingId(),
                sent.userData128().equals(LedgerId.NONE) ? pending.userData128() : sent.userData128(),
                sent.userData64() == 0 ? pending.userData64() : sent.userData64(),
                0,
                sent.flags());
    }

    /** TigerBeetle's precedence: the first differing field of an existing transfer names the result. */
    private static CreateTransferResult exists(Transfer sent, Transfer stored) {
        if (sent.flags() != stored.flags()) {
            return CreateTransferResult.ExistsWithDifferentFlags;
        }
        if (!sent.pendingId().equals(stored.pendingId())) {
            return CreateTransferResult.ExistsWithDifferentPendingId;
        }
        if (sent.timeoutSeconds() != stored.timeoutSeconds()) {
            return CreateTransferResult.ExistsWithDifferentTimeout;
        }
        if (!sent.debitAccount().equals(stored.debitAccount())) {
            return CreateTransferResult.ExistsWithDifferentDebitAccountId;
        }
        if (!sent.creditAccount().equals(stored.creditAccount())) {
            return CreateTransferResult.ExistsWithDifferentCreditAccountId;
        }
        if (sent.amount() != stored.amount()) {
            return CreateTransferResult.ExistsWithDifferentAmount;
        }
        if (!sent.userData128().equals(stored.userData128())) {
            return CreateTransferResult.ExistsWithDifferentUserData128;
        }
        if (sent.userData64() != stored.userData64()) {
            return CreateTransferResult.ExistsWithDifferentUserData64;
        }
        return CreateTransferResult.Exists;
    }

    private List<LedgerClient.AccountRecord> lookupAccounts(List<LedgerId> ids) {
        expire();
        List<LedgerClient.AccountRecord> found = new ArrayList<>();
        for (LedgerId id : ids) {
            Account account = accounts.get(id);
            if (account != null) {
                found.add(new LedgerClient.AccountRecord(
                        id,
                        BigInteger.valueOf(account.debitsPending),
                        BigInteger.valueOf(account.debitsPosted),
                        BigInteger.valueOf(account.creditsPending),
                        BigInteger.valueOf(account.creditsPosted),
                        account.flags));
            }
        }
        return found;
    }

    private List<LedgerClient.TransferRecord> lookupTransfers(List<LedgerId> ids) {
        List<LedgerClient.TransferRecord> found = new ArrayList<>();
        for (LedgerId id : ids) {
            Stored stored = transfers.get(id);
            if (stored != null) {
                Transfer t = stored.transfer;
                found.add(new LedgerClient.TransferRecord(
                        t.id(),
                        t.debitAccount(),
                        t.creditAccount(),
                        t.amount(),
                        t.pendingId(),
                        t.userData128(),
                        t.userData64(),
                        t.timeoutSeconds(),
                        t.flags(),
                        stored.timestampNanos));
            }
        }
        return found;
    }

    /** Releases every pending transfer whose timeout passed at least a pulse ago, as the cluster does by itself. */
    private void expire() {
        long nowMs = clock.nowMillis();
        for (Stored stored : transfers.values()) {
            if (stored.state == PendingState.PENDING && stored.expiresAtMs <= nowMs - pulseLagMs) {
                release(stored);
                stored.state = PendingState.EXPIRED;
            }
        }
    }

    private void release(Stored pending) {
        accounts.get(pending.transfer.debitAccount()).debitsPending -= pending.transfer.amount();
        accounts.get(pending.transfer.creditAccount()).creditsPending -= pending.transfer.amount();
    }

    private long timestamp(long nowMs) {
        lastTimestampNanos = Math.max(lastTimestampNanos + 1, nowMs * 1_000_000L);
        return lastTimestampNanos;
    }

    private Map<LedgerId, Account> copyAccounts() {
        Map<LedgerId, Account> copy = new HashMap<>();
        accounts.forEach((id, account) -> copy.put(id, account.copy()));
        return copy;
    }

    private Map<LedgerId, Stored> copyTransfers() {
        Map<LedgerId, Stored> copy = new HashMap<>();
        transfers.forEach((id, stored) -> copy.put(id, stored.copy()));
        return copy;
    }
}
