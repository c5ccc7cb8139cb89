package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.AccountFlags;
import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import com.tigerbeetle.TransferFlags;
import dev.ratelimiter.core.time.Clock;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An in-process model of the parts of a TigerBeetle cluster this backend uses, so that the backend's
 * logic (and the contract suite) runs on a manual clock with no server: accounts with
 * {@code debits_must_not_exceed_credits}, pending transfers that expire on the given clock, voids,
 * linked chains that apply all or nothing, {@code exists} and {@code exists_with_different_*} for
 * resubmitted ids, and ids left failed by transient errors ({@code id_already_failed}).
 *
 * <p>It follows TigerBeetle's documented result precedence for the checks it models and nothing
 * more; the suites that start a real TigerBeetle remain the reference. State survives a backend
 * restart as long as the same instance is used, which is how restarts are tested. Thread-safe: every
 * operation is {@code synchronized}. {@link #stopAnswering()} makes it behave like an unreachable
 * cluster (requests never complete).
 */
final class FakeTigerBeetle {
    /** Results TigerBeetle records as failed ids: a later transfer with the same id gets id_already_failed. */
    private static final Set<CreateTransferResult> TRANSIENT = EnumSet.of(CreateTransferResult.ExceedsCredits,
            CreateTransferResult.ExceedsDebits, CreateTransferResult.DebitAccountNotFound,
            CreateTransferResult.CreditAccountNotFound, CreateTransferResult.PendingTransferNotFound,
            CreateTransferResult.PendingTransferExpired);

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

    private enum PendingState { PENDING, VOIDED, EXPIRED, POSTED }

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
    private Map<LedgerId, Account> accounts = new HashMap<>();
    private Map<LedgerId, Stored> transfers = new HashMap<>();
    private final Set<LedgerId> failedIds = new HashSet<>();
    private long lastTimestampNanos;
    private volatile boolean answering = true;
    private int transferRequests;

    FakeTigerBeetle(Clock clock) {
        this.clock = clock;
    }

    /** A client of this cluster, as the backend sees it. Closing a client leaves the cluster as it is. */
    LedgerClient client() {
        return new LedgerClient() {
            @Override
            public CompletableFuture<List<CreateTransferResult>> createTransfers(List<Transfer> batch) {
                return answer(() -> FakeTigerBeetle.this.createTransfers(batch));
            }

            @Override
            public CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> batch) {
                return answer(() -> FakeTigerBeetle.this.createAccounts(batch));
            }

            @Override
            public CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids) {
                return answer(() -> FakeTigerBeetle.this.lookupAccounts(ids));
            }

            @Override
            public CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids) {
                return answer(() -> FakeTigerBeetle.this.lookupTransfers(ids));
            }

            @Override
            public void close() {
                // The cluster outlives its clients.
            }
        };
    }

    void stopAnswering() {
        answering = false;
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

    private <T> CompletableFuture<T> answer(Operation<T> operation) {
        if (!answering) {
            return new CompletableFuture<>();
        }
        synchronized (this) {
            return CompletableFuture.completedFuture(operation.run());
        }
    }

    private List<CreateAccountResult> createAccounts(List<LedgerClient.NewAccount> batch) {
        List<CreateAccountResult> results = new ArrayList<>();
        for (LedgerClient.NewAccount account : batch) {
            Account existing = accounts.get(account.id());
            if (existing == null) {
                accounts.put(account.id(), new Account(account.flags()));
                results.add(CreateAccountResult.Ok);
            } else {
                results.add(existing.flags == account.flags()
                        ? CreateAccountResult.Exists : CreateAccountResult.ExistsWithDifferentFlags);
            }
        }
        return results;
    }

    private List<CreateTransferResult> createTransfers(List<Transfer> batch) {
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
            if (chainBroken) {
                result = CreateTransferResult.LinkedEventFailed;
            } else if (transfer.isLinked() && i == batch.size() - 1) {
                result = CreateTransferResult.LinkedEventChainOpen;
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
        return List.of(results);
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
        if (transfer.amount() == 0) {
            return CreateTransferResult.AmountMustNotBeZero;
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
        long expiresAtMs = pending && transfer.timeoutSeconds() > 0
                ? nowMs + transfer.timeoutSeconds() * 1000L : Long.MAX_VALUE;
        transfers.put(transfer.id(), new Stored(transfer, timestamp(nowMs), expiresAtMs,
                pending ? PendingState.PENDING : PendingState.POSTED));
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
        release(pending);
        pending.state = PendingState.VOIDED;
        transfers.put(transfer.id(), new Stored(transfer, timestamp(clock.nowMillis()), Long.MAX_VALUE,
                PendingState.POSTED));
        return CreateTransferResult.Ok;
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
                found.add(new LedgerClient.AccountRecord(id, BigInteger.valueOf(account.debitsPending),
                        BigInteger.valueOf(account.debitsPosted), BigInteger.valueOf(account.creditsPending),
                        BigInteger.valueOf(account.creditsPosted), account.flags));
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
                found.add(new LedgerClient.TransferRecord(t.id(), t.debitAccount(), t.creditAccount(), t.amount(),
                        t.pendingId(), t.userData128(), t.userData64(), t.timeoutSeconds(), t.flags(),
                        stored.timestampNanos));
            }
        }
        return found;
    }

    /** Releases every pending transfer whose timeout has passed on the clock, as the cluster does by itself. */
    private void expire() {
        long nowMs = clock.nowMillis();
        for (Stored stored : transfers.values()) {
            if (stored.state == PendingState.PENDING && stored.expiresAtMs <= nowMs) {
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
