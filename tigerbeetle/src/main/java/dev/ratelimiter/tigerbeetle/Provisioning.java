package dev.ratelimiter.tigerbeetle;

import static dev.ratelimiter.tigerbeetle.Answers.await;

import com.tigerbeetle.AccountFlags;
import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.tigerbeetle.LedgerClient.AccountRecord;
import dev.ratelimiter.tigerbeetle.LedgerClient.NewAccount;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Provisioning and capacity: creates the operator account and each key's limit and debt accounts,
 * brings a limit account's balance in line with the installed capacity (raising it, or lowering it
 * once the holds leave enough free), and numbers the capacity transfers so that an id the cluster
 * failed once is never tried again. It is the only writer of the key table, which the other parts
 * read.
 *
 * <p>A provisioning that {@link TigerBeetleBackend.CapacityRole#FOLLOWS} creates accounts but never
 * posts a capacity transfer: another server moves the balances, and a decrease counts as applied
 * once the balance is down to its target.
 *
 * <p>Thread-safety: {@link #install} and {@link #tryApplyDecrease} are called by one thread at a
 * time (the service's admin lock), which also serialises every capacity transfer; the attempt
 * numbers and the operator flag are touched only there. The key table is a concurrent map of
 * immutable {@link KeyState}s, so readers on other threads see a whole state or the one before.
 */
final class Provisioning {
    /** Most capacity-change ids tried in one call when earlier attempts left failed ids behind. */
    private static final int CAPACITY_ATTEMPTS_PER_CALL = 16;

    private final Submitter submitter;
    private final Submitter reads;
    private final LedgerIds ids;
    private final ConcurrentMap<String, KeyState> keys;
    private final TigerBeetleBackend.CapacityRole role;
    /** Next attempt number of capacity changes per key; only the admin thread touches it. */
    private final Map<String, Integer> capacityAttempts = new ConcurrentHashMap<>();

    private volatile boolean operatorReady;

    /**
     * Provisioning through {@code submitter} (account creation and capacity transfers) and
     * {@code reads} (limit account lookups), keeping {@code keys} up to date.
     */
    Provisioning(
            Submitter submitter,
            Submitter reads,
            LedgerIds ids,
            ConcurrentMap<String, KeyState> keys,
            TigerBeetleBackend.CapacityRole role) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.reads = Objects.requireNonNull(reads, "reads");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.role = Objects.requireNonNull(role, "role");
    }

    /** See {@link TigerBeetleBackend#install}. */
    void install(LimitState state) {
        String key = state.key();
        KeyState current = keys.get(key);
        if (current == null) {
            // Known from now on: while the cluster is asked, reserves of the key answer backend_error
            // (retryable), never unknown_limit_key (which tells clients to give up).
            keys.putIfAbsent(key, new KeyState(state, false, false));
        }
        boolean reconciled;
        try {
            ensureOperator();
            ensureAccounts(state);
            // A follower admits against whatever balance the server that moves capacity has set.
            reconciled = role == TigerBeetleBackend.CapacityRole.FOLLOWS || reconcileCapacity(state);
        } catch (BackendException e) {
            if (current == null || !current.provisioned()) {
                // Known but not provisioned: reserves of the key answer backend_error, not unknown_limit_key.
                keys.put(key, new KeyState(state, false, false));
            }
            throw e;
        }
        keys.put(key, new KeyState(state, true, !reconciled));
        if (!reconciled) {
            throw new BackendException("TigerBeetle holds more capacity for " + key + " than "
                    + state.definition().capacity() + " and leases still hold the excess; " + key
                    + " admits nothing until it can be lowered");
        }
    }

    /** See {@link TigerBeetleBackend#tryApplyDecrease}. */
    boolean tryApplyDecrease(String key) {
        KeyState current = keys.get(key);
        if (current == null || !current.provisioned() || current.state().status() != LimitStatus.DECREASING) {
            return false;
        }
        LimitState state = current.state();
        long target = state.pendingDecreaseTo();
        AccountRecord limit = lookupLimitAccount(key);
        long balance = longValue(limit.balance(), "the capacity of " + key);
        // At or below the target: applied before a restart, by an earlier call whose answer was lost,
        // or (for a follower, which never lowers it itself) by the server that moves capacity.
        boolean applied = balance <= target
                || (role == TigerBeetleBackend.CapacityRole.MOVES
                        && lowerCapacity(key, state.revision(), limit, target));
        if (applied) {
            keys.put(key, new KeyState(state.decreaseApplied(), true, false));
        }
        return applied;
    }

    private void ensureOperator() {
        if (operatorReady) {
            return;
        }
        createAccounts(List.of(new NewAccount(ids.operatorAccount(), AccountFlags.NONE)), "the operator account");
        operatorReady = true;
    }

    private void ensureAccounts(LimitState state) {
        String key = state.key();
        List<NewAccount> accounts = new ArrayList<>(2);
        accounts.add(new NewAccount(ids.limitAccount(key), AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
        if (state.definition().overage() == Overage.DEBT) {
            accounts.add(new NewAccount(ids.debtAccount(key), AccountFlags.NONE));
        }
        createAccounts(accounts, "the accounts of " + key);
    }

    private void createAccounts(List<NewAccount> accounts, String what) {
        List<CreateAccountResult> results = await(
                submitter,
                submitter.call("creation of " + what, client -> client.createAccounts(accounts)),
                "creation of " + what);
        for (CreateAccountResult result : results) {
            if (result != CreateAccountResult.Ok && result != CreateAccountResult.Exists) {
                throw new BackendException("TigerBeetle refused " + what + ": " + result
                        + " (an account with this id exists with other flags, ledger or code)");
            }
        }
    }

    /** Moves the balance towards the state's capacity; false when a needed lowering does not fit yet. */
    private boolean reconcileCapacity(LimitState state) {
        String key = state.key();
        long capacity = state.definition().capacity();
        AccountRecord limit = lookupLimitAccount(key);
        long balance = longValue(limit.balance(), "the capacity of " + key);
        boolean decreasingInRange =
                state.status() == LimitStatus.DECREASING && balance >= state.pendingDecreaseTo() && balance <= capacity;
        if (balance == capacity || decreasingInRange) {
            return true;
        }
        return capacity > balance
                ? changeCapacity(key, state.revision(), balance, capacity)
                : lowerCapacity(key, state.revision(), limit, capacity);
    }

    /**
     * Lowers the capacity of {@code key} from the balance of {@code limit} to {@code target}, or
     * returns false when the holds leave too little free. The lowering fits exactly when the
     * pending debits are at most the target ({@code debits_must_not_exceed_credits}); checking that
     * first keeps a lowering that cannot fit from burning a transfer id in the cluster (a failed id
     * stays failed) on every pass of the decrease loop.
     */
    private boolean lowerCapacity(String key, long revision, AccountRecord limit, long target) {
        if (limit.debitsPending().compareTo(BigInteger.valueOf(target)) > 0) {
            return false;
        }
        return changeCapacity(key, revision, longValue(limit.balance(), "the capacity of " + key), target);
    }

    /**
     * Posts one capacity transfer from balance {@code from} to {@code to}. Returns false when a
     * lowering does not fit the free capacity. Each failed attempt leaves its id marked as failed in
     * the cluster, so attempts are numbered and an id that failed before is skipped.
     */
    private boolean changeCapacity(String key, long revision, long from, long to) {
        int attempt = capacityAttempts.getOrDefault(key, 0);
        for (int tries = 0; tries < CAPACITY_ATTEMPTS_PER_CALL; tries++, attempt++) {
            Transfer transfer = to > from
                    ? Chains.increase(ids, key, revision, from, to, attempt)
                    : Chains.decrease(ids, key, revision, from, to, attempt);
            String what = "the capacity change of " + key + " from " + from + " to " + to;
            CreateTransferResult result = await(submitter, submitter.submit(List.of(transfer)), what)
                    .results()
                    .get(0);
            switch (Outcomes.ofCapacity(result)) {
                case APPLIED:
                    return true;
                case DID_NOT_FIT:
                    capacityAttempts.put(key, attempt + 1);
                    return false;
                case ID_USED_BEFORE:
                    capacityAttempts.put(key, attempt + 1);
                    continue;
                default:
                    throw new BackendException("TigerBeetle refused " + what + ": " + result);
            }
        }
        throw new BackendException("the capacity change of " + key + " found " + CAPACITY_ATTEMPTS_PER_CALL
                + " failed ids in a row; retrying on the next call");
    }

    private AccountRecord lookupLimitAccount(String key) {
        LedgerId id = ids.limitAccount(key);
        List<AccountRecord> found = await(
                reads,
                reads.call("lookup of the limit account of " + key, client -> client.lookupAccounts(List.of(id))),
                "lookup of the limit account of " + key);
        for (AccountRecord account : found) {
            if (account.id().equals(id)) {
                return account;
            }
        }
        throw new BackendException("TigerBeetle has no limit account for " + key);
    }

    private static long longValue(BigInteger value, String what) {
        if (value.bitLength() > 63) {
            throw new BackendException(what + " in TigerBeetle is " + value + ", outside the range of a limit");
        }
        return value.longValue();
    }
}
