package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.AccountFlags;
import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.tigerbeetle.LedgerClient.AccountRecord;
import dev.ratelimiter.tigerbeetle.LedgerClient.NewAccount;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferRecord;
import dev.ratelimiter.tigerbeetle.Outcomes.ReserveOutcome;
import dev.ratelimiter.tigerbeetle.Outcomes.StepKind;
import dev.ratelimiter.tigerbeetle.Outcomes.StepVerdict;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The backend on a TigerBeetle cluster (SPEC 5.2): capacity is the balance of a limit account, a
 * hold is a pending transfer with a timeout, and TigerBeetle's atomic linked chains make a lease
 * hold all its requirements or none. Holds live in the cluster, so they survive a restart of this
 * server; only the lease records used by complete live here (bounded, see {@link LeaseBook}).
 *
 * <p>Every request goes through one {@link Submitter}, which batches transfers and times out every
 * request, so no call here waits longer than the request timeout (plus a margin for the flusher)
 * and a cluster that does not answer yields {@code backend_error} promptly.
 *
 * <p>Thread-safety: reserve, complete, usage and isHealthy run from many threads; the key table and
 * the usage cache are concurrent maps of immutable values, lease records are guarded by
 * {@link LeaseBook}'s lock. {@link #install} and {@link #tryApplyDecrease} are called by one thread
 * at a time (the service's admin lock), which also serialises every capacity transfer.
 */
public final class TigerBeetleBackend implements Backend {
    private static final Logger LOG = Logger.getLogger(TigerBeetleBackend.class.getName());
    /**
     * How long a denied or completed lease is remembered here at least; afterwards the cluster
     * answers a repeat by itself (id_already_failed, or the void transfers of the complete).
     */
    private static final long FINISHED_MEMORY_MS = 10 * 60_000L;
    /** Longest wait of {@link #isHealthy()} for a probe, so that /healthz answers within about a second. */
    private static final long HEALTH_WAIT_MS = 900;
    /** Traffic answered this recently proves the cluster answers without a probe. */
    private static final long HEALTH_FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A caller's wait beyond the request timeout, covering the flush interval and thread hand-offs. */
    private static final long WAIT_MARGIN_MS = 1_000;
    /** Most capacity-change ids tried in one call when earlier attempts left failed ids behind. */
    private static final int CAPACITY_ATTEMPTS_PER_CALL = 16;

    private final Submitter submitter;
    private final LedgerIds ids;
    private final RetryHints hints;
    private final Clock clock;
    private final LeaseBook leases;
    private final ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Usage> lastUsage = new ConcurrentHashMap<>();
    /** Next attempt number of capacity changes per key; only the admin thread touches it. */
    private final Map<String, Integer> capacityAttempts = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<List<AccountRecord>>> probe = new AtomicReference<>();
    private volatile boolean operatorReady;

    TigerBeetleBackend(LedgerClient ledger, TigerBeetleSettings settings, RetryHints hints, Clock clock,
            LedgerIds ids) {
        this.submitter = new Submitter(ledger, settings);
        this.ids = Objects.requireNonNull(ids, "ids");
        this.hints = Objects.requireNonNull(hints, "hints");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leases = new LeaseBook(settings.leaseRecordsMax(), FINISHED_MEMORY_MS);
    }

    /**
     * Connects to the cluster of {@code settings}. Returns at once, also when no replica answers:
     * until one does, installs fail (the service retries them), reserves answer
     * {@code backend_error} within the request timeout and {@link #isHealthy()} is false.
     *
     * @throws IllegalArgumentException when the TigerBeetle client refuses the settings
     */
    public static TigerBeetleBackend connect(TigerBeetleSettings settings, RetryHints hints, Clock clock) {
        return connect(settings, hints, clock, LedgerIds.standard());
    }

    /** As {@link #connect(TigerBeetleSettings, RetryHints, Clock)}, with every label under {@code ids}' namespace. */
    static TigerBeetleBackend connect(TigerBeetleSettings settings, RetryHints hints, Clock clock, LedgerIds ids) {
        LedgerClient ledger = TigerBeetleLedgerClient.open(settings.clusterId(), settings.addresses());
        return new TigerBeetleBackend(ledger, settings, hints, clock, ids);
    }

    // ---------------------------------------------------------------- limits and capacity

    /**
     * Creates the key's accounts if needed and brings the limit account's balance in line with the
     * state's capacity (this is also the start-up reconciliation, since the service installs every
     * state at start). While decreasing, a balance between the pending and the old capacity is left
     * alone: a decrease applied just before a crash stays applied.
     *
     * @throws BackendException when the cluster does not answer or refuses; the service retries
     */
    @Override
    public void install(LimitState state) {
        String key = state.key();
        KeyState current = keys.get(key);
        boolean reconciled;
        try {
            ensureOperator();
            ensureAccounts(state);
            reconciled = reconcileCapacity(state);
        } catch (BackendException e) {
            if (current == null || !current.provisioned()) {
                // Known but not provisioned: reserves of the key answer backend_error, not unknown_limit_key.
                keys.put(key, new KeyState(state, false, false));
            }
            throw e;
        }
        keys.put(key, new KeyState(state, true, !reconciled));
        lastUsage.computeIfPresent(key, (k, usage) -> Usage.of(state.definition().capacity(), usage.reserved(),
                usage.debt()));
        if (!reconciled) {
            throw new BackendException("TigerBeetle holds more capacity for " + key + " than "
                    + state.definition().capacity() + " and leases still hold the excess; " + key
                    + " admits nothing until it can be lowered");
        }
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        KeyState current = keys.get(key);
        if (current == null || !current.provisioned() || current.state().status() != LimitStatus.DECREASING) {
            return false;
        }
        LimitState state = current.state();
        long target = state.pendingDecreaseTo();
        AccountRecord limit = lookupLimitAccount(key);
        long balance = longValue(limit.balance(), "the capacity of " + key);
        boolean applied;
        if (balance <= target) {
            // Applied before a restart, or by an earlier call whose answer was lost.
            applied = true;
        } else if (limit.debitsPending().compareTo(BigInteger.valueOf(target)) > 0) {
            // Not enough is free yet; checking first keeps failed transfer ids from piling up in the cluster.
            applied = false;
        } else {
            applied = changeCapacity(key, state.revision(), balance, target);
        }
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
        List<CreateAccountResult> results = await(submitter.call("creation of " + what,
                client -> client.createAccounts(accounts)), "creation of " + what);
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
        long balance = longValue(lookupLimitAccount(key).balance(), "the capacity of " + key);
        boolean decreasingInRange = state.status() == LimitStatus.DECREASING
                && balance >= state.pendingDecreaseTo() && balance <= capacity;
        if (balance == capacity || decreasingInRange) {
            return true;
        }
        return changeCapacity(key, state.revision(), balance, capacity);
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
            CreateTransferResult result = await(submitter.submit(List.of(transfer)), what).get(0);
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
        List<AccountRecord> found = await(submitter.call("lookup of the limit account of " + key,
                client -> client.lookupAccounts(List.of(id))), "lookup of the limit account of " + key);
        for (AccountRecord account : found) {
            if (account.id().equals(id)) {
                return account;
            }
        }
        throw new BackendException("TigerBeetle has no limit account for " + key);
    }

    // ---------------------------------------------------------------- reserve

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        return reserveAll(List.of(request)).get(0);
    }

    /** Reserves a batch: every chain that needs the cluster travels in as few requests as fit. */
    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        long nowMs = clock.nowMillis();
        List<ReserveResponse> responses = new ArrayList<>(requests.size());
        List<PreparedReserve> prepared = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (ReserveRequest request : requests) {
            Object step = prepareReserve(request, nowMs);
            if (step instanceof ReserveResponse response) {
                responses.add(response);
            } else {
                responses.add(null);
                prepared.add((PreparedReserve) step);
                slots.add(responses.size() - 1);
            }
        }
        if (prepared.isEmpty()) {
            return responses;
        }
        List<List<Transfer>> chains = new ArrayList<>(prepared.size());
        for (PreparedReserve reserve : prepared) {
            chains.add(reserve.chain());
        }
        List<CompletableFuture<List<CreateTransferResult>>> answers = submitter.submitAll(chains);
        for (int i = 0; i < prepared.size(); i++) {
            responses.set(slots.get(i), finishReserve(prepared.get(i), answers.get(i)));
        }
        return responses;
    }

    /** A reserve that needs the cluster: its chain and what is needed to read the answer. */
    private record PreparedReserve(ReserveRequest request, SortedMap<String, Long> requirements,
            List<Chains.HoldPlan> plans, LedgerId requirementSet, List<Transfer> chain, long nowMs) {
    }

    /** Either the answer (repeat known here, or refused before the cluster) or a {@link PreparedReserve}. */
    private Object prepareReserve(ReserveRequest request, long nowMs) {
        SortedMap<String, Long> requirements = new TreeMap<>();
        for (Requirement requirement : request.requirements()) {
            requirements.put(requirement.key(), requirement.amount());
        }
        LeaseRecord known = leases.find(request.leaseId(), nowMs);
        if (known != null) {
            return answerKnownLease(known, requirements, nowMs);
        }
        // The order of checks is the memory backend's (docs/DECISIONS.md): per requirement in request
        // order, the first that is unknown, decreasing or above its capacity answers.
        Map<String, KeyState> states = new HashMap<>();
        for (Requirement requirement : request.requirements()) {
            KeyState state = keys.get(requirement.key());
            if (state == null) {
                return ReserveResponse.rejected(ErrorCodes.unknownLimitKey(requirement.key()), 0);
            }
            if (state.refusesNewHolds()) {
                return ReserveResponse.rejected(ErrorCodes.limitDecreasing(requirement.key()), hints.decreasingMs());
            }
            if (requirement.amount() > state.definition().capacity()) {
                return ReserveResponse.rejected(ErrorCodes.exceedsCapacity(requirement.key()), 0);
            }
            states.put(requirement.key(), state);
        }
        for (Requirement requirement : request.requirements()) {
            if (!states.get(requirement.key()).provisioned()) {
                LOG.fine(() -> "reserve of lease " + request.leaseId() + ": " + requirement.key()
                        + " is not provisioned in TigerBeetle yet");
                return ReserveResponse.rejected(ErrorCodes.BACKEND_ERROR, 0);
            }
        }
        List<Chains.HoldPlan> plans = new ArrayList<>(requirements.size());
        for (Map.Entry<String, Long> requirement : requirements.entrySet()) {
            plans.add(new Chains.HoldPlan(requirement.getKey(), requirement.getValue(),
                    states.get(requirement.getKey()).holdSeconds()));
        }
        LedgerId requirementSet = LedgerIds.requirementSet(requirements);
        List<Transfer> chain = Chains.reserve(ids, request.leaseId(), plans, requirementSet, nowMs);
        return new PreparedReserve(request, requirements, plans, requirementSet, chain, nowMs);
    }

    private ReserveResponse answerKnownLease(LeaseRecord known, Map<String, Long> requirements, long nowMs) {
        if (!known.requirements().equals(requirements)) {
            return ReserveResponse.rejected(ErrorCodes.INVALID_REQUEST, 0);
        }
        return switch (known.status()) {
            case DENIED -> ReserveResponse.denied(known.retryAfterMs());
            case LIVE -> nowMs < known.firstExpiryUnixMs()
                    ? ReserveResponse.allowed(known.reservedAtUnixMs())
                    : ReserveResponse.rejected(ErrorCodes.leaseExpired(known.leaseId()), 0);
            case COMPLETING, COMPLETED -> ReserveResponse.rejected(ErrorCodes.leaseExpired(known.leaseId()), 0);
        };
    }

    private ReserveResponse finishReserve(PreparedReserve reserve, CompletableFuture<List<CreateTransferResult>> answer) {
        String leaseId = reserve.request().leaseId();
        List<CreateTransferResult> results;
        try {
            results = await(answer, "the reserve of lease " + leaseId);
        } catch (BackendException e) {
            LOG.fine(() -> "reserve of lease " + leaseId + " failed: " + e.getMessage());
            return ReserveResponse.rejected(ErrorCodes.BACKEND_ERROR, 0);
        }
        ReserveOutcome outcome = Outcomes.ofReserve(results);
        switch (outcome.verdict()) {
            case ADMITTED:
                return admitted(reserve);
            case NO_CAPACITY:
            case DENIED_BEFORE: {
                String key = reserve.plans().get(outcome.causeIndex()).key();
                KeyState state = keys.get(key);
                long retryAfterMs = state == null ? hints.decreasingMs() : hints.denied(state.definition());
                leases.rememberDenied(LeaseRecord.denied(leaseId, reserve.requirements(), retryAfterMs), reserve.nowMs());
                return ReserveResponse.denied(retryAfterMs);
            }
            case REPEAT:
                try {
                    return resolveRepeat(reserve);
                } catch (BackendException e) {
                    LOG.fine(() -> "reserve of lease " + leaseId + ": repeat check failed: " + e.getMessage());
                    return ReserveResponse.rejected(ErrorCodes.BACKEND_ERROR, 0);
                }
            default:
                LOG.warning("TigerBeetle refused the reserve of lease " + leaseId + " on "
                        + reserve.plans().get(Math.max(0, outcome.causeIndex())).key() + ": " + outcome.cause());
                return ReserveResponse.rejected(ErrorCodes.BACKEND_ERROR, 0);
        }
    }

    private ReserveResponse admitted(PreparedReserve reserve) {
        List<LeaseRecord.Hold> holds = new ArrayList<>(reserve.plans().size());
        for (Chains.HoldPlan plan : reserve.plans()) {
            KeyState state = keys.get(plan.key());
            LimitKind kind = state == null ? LimitKind.ROLLING : state.definition().kind();
            holds.add(new LeaseRecord.Hold(plan.key(), plan.amount(), kind,
                    reserve.nowMs() + plan.timeoutSeconds() * 1000L));
            hints.admitted(plan.key());
        }
        leases.rememberLive(LeaseRecord.live(reserve.request().leaseId(), reserve.requirements(), holds,
                reserve.nowMs()), reserve.nowMs());
        return ReserveResponse.allowed(reserve.nowMs());
    }

    /**
     * The lease's transfers exist already and this server has no record of it (a restart, or a
     * forgotten record): read them to tell an idempotent repeat from a different request, and a
     * live lease from a completed or expired one (SPEC 2.2).
     */
    private ReserveResponse resolveRepeat(PreparedReserve reserve) {
        String leaseId = reserve.request().leaseId();
        List<LedgerId> lookup = new ArrayList<>(2 * reserve.plans().size());
        for (Chains.HoldPlan plan : reserve.plans()) {
            lookup.add(ids.reserve(leaseId, plan.key()));
            lookup.add(ids.voidOf(leaseId, plan.key()));
        }
        List<TransferRecord> found = await(submitter.call("lookup of lease " + leaseId,
                client -> client.lookupTransfers(lookup)), "lookup of lease " + leaseId);
        Map<LedgerId, TransferRecord> byId = new HashMap<>();
        for (TransferRecord transfer : found) {
            byId.put(transfer.id(), transfer);
        }
        long reservedAtMs = -1;
        long firstExpiryMs = Long.MAX_VALUE;
        boolean voided = false;
        List<LeaseRecord.Hold> holds = new ArrayList<>(reserve.plans().size());
        for (Chains.HoldPlan plan : reserve.plans()) {
            TransferRecord hold = byId.get(ids.reserve(leaseId, plan.key()));
            if (hold == null || !hold.userData128().equals(reserve.requirementSet()) || hold.amount() != plan.amount()) {
                return ReserveResponse.rejected(ErrorCodes.INVALID_REQUEST, 0);
            }
            reservedAtMs = hold.userData64();
            long expiresAtMs = hold.userData64() + hold.timeoutSeconds() * 1000L;
            firstExpiryMs = Math.min(firstExpiryMs, expiresAtMs);
            voided |= byId.containsKey(ids.voidOf(leaseId, plan.key()));
            KeyState state = keys.get(plan.key());
            holds.add(new LeaseRecord.Hold(plan.key(), plan.amount(),
                    state == null ? LimitKind.ROLLING : state.definition().kind(), expiresAtMs));
        }
        if (voided || reserve.nowMs() >= firstExpiryMs) {
            return ReserveResponse.rejected(ErrorCodes.leaseExpired(leaseId), 0);
        }
        leases.rememberLive(LeaseRecord.live(leaseId, reserve.requirements(), holds, reservedAtMs), reserve.nowMs());
        return ReserveResponse.allowed(reservedAtMs);
    }

    // ---------------------------------------------------------------- complete

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        return completeAll(List.of(request)).get(0);
    }

    /** One chain of a complete and what it is for. */
    private record Step(StepKind kind, String key, long extraAmount, List<Transfer> chain) {
    }

    /** Completes a batch: every step of every lease travels together, then the debt steps together. */
    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        long nowMs = clock.nowMillis();
        List<CompleteResponse> responses = new ArrayList<>(requests.size());
        Map<Integer, LeaseRecord> begun = new LinkedHashMap<>();
        Map<Integer, List<Step>> steps = new HashMap<>();
        List<List<Transfer>> chains = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            CompleteRequest request = requests.get(i);
            LeaseRecord lease = leases.beginComplete(request.leaseId(), nowMs);
            responses.add(CompleteResponse.succeeded());
            if (lease == null) {
                continue;
            }
            List<Step> leaseSteps = completeSteps(lease, request.actuals(), nowMs);
            begun.put(i, lease);
            steps.put(i, leaseSteps);
            for (Step step : leaseSteps) {
                chains.add(step.chain());
            }
        }
        if (begun.isEmpty()) {
            return responses;
        }
        List<CompletableFuture<List<CreateTransferResult>>> answers = submitter.submitAll(chains);
        int next = 0;
        Map<Integer, Boolean> failed = new HashMap<>();
        Map<Integer, List<Step>> debtSteps = new HashMap<>();
        List<List<Transfer>> debtChains = new ArrayList<>();
        for (Map.Entry<Integer, LeaseRecord> entry : begun.entrySet()) {
            int slot = entry.getKey();
            String leaseId = entry.getValue().leaseId();
            List<Step> debts = new ArrayList<>();
            boolean leaseFailed = false;
            for (Step step : steps.get(slot)) {
                StepVerdict verdict = stepVerdict(step, answers.get(next++), leaseId);
                if (verdict == StepVerdict.FAILED) {
                    leaseFailed = true;
                } else if (verdict == StepVerdict.DID_NOT_FIT && recordsDebt(step.key())) {
                    debts.add(new Step(StepKind.DEBT, step.key(), step.extraAmount(),
                            Chains.debt(ids, leaseId, step.key(), step.extraAmount())));
                }
            }
            failed.put(slot, leaseFailed);
            if (!leaseFailed && !debts.isEmpty()) {
                debtSteps.put(slot, debts);
                debts.forEach(step -> debtChains.add(step.chain()));
            }
        }
        List<CompletableFuture<List<CreateTransferResult>>> debtAnswers =
                debtChains.isEmpty() ? List.of() : submitter.submitAll(debtChains);
        next = 0;
        for (Map.Entry<Integer, LeaseRecord> entry : begun.entrySet()) {
            int slot = entry.getKey();
            String leaseId = entry.getValue().leaseId();
            boolean leaseFailed = failed.get(slot);
            for (Step step : debtSteps.getOrDefault(slot, List.of())) {
                leaseFailed |= stepVerdict(step, debtAnswers.get(next++), leaseId) != StepVerdict.DONE;
            }
            // On failure the lease goes back to live: a retried complete resubmits the same ids, and
            // whatever was done already answers "exists".
            leases.endComplete(leaseId, !leaseFailed, nowMs);
            if (leaseFailed) {
                responses.set(slot, CompleteResponse.failed(ErrorCodes.BACKEND_ERROR));
            }
        }
        return responses;
    }

    /**
     * The chains that complete a lease (SPEC 2.3): every concurrency hold is voided; a rolling hold
     * with an actual below the reserved amount is shrunk until its original expiry; one with an
     * actual above gets the overage reserved until that expiry (or recorded as debt at once while
     * the key is decreasing). Actuals for other keys, for concurrency keys, or for holds that
     * already expired are ignored.
     */
    private List<Step> completeSteps(LeaseRecord lease, List<Actual> actuals, long nowMs) {
        Map<String, Long> actualByKey = new HashMap<>();
        for (Actual actual : actuals) {
            actualByKey.putIfAbsent(actual.key(), actual.actualAmount());
        }
        List<Step> steps = new ArrayList<>();
        for (LeaseRecord.Hold hold : lease.holds()) {
            String key = hold.key();
            if (hold.kind() == LimitKind.CONCURRENCY) {
                steps.add(new Step(StepKind.RELEASE, key, 0, Chains.release(ids, lease.leaseId(), key, hold.amount())));
                continue;
            }
            Long actual = actualByKey.get(key);
            long remainingMs = hold.expiresAtUnixMs() - nowMs;
            if (actual == null || actual == hold.amount() || remainingMs <= 0) {
                continue;
            }
            long remainingSeconds = (remainingMs + 999) / 1000;
            if (actual < hold.amount()) {
                steps.add(new Step(StepKind.SHRINK, key, 0,
                        Chains.shrink(ids, lease.leaseId(), key, hold.amount(), actual, remainingSeconds)));
            } else {
                long extra = actual - hold.amount();
                KeyState state = keys.get(key);
                if (state != null && state.refusesNewHolds()) {
                    // A pending decrease is waiting for free capacity: overage never takes it (as in
                    // the memory backend) and goes straight to debt, or is dropped under deny.
                    if (recordsDebt(key)) {
                        steps.add(new Step(StepKind.DEBT, key, extra, Chains.debt(ids, lease.leaseId(), key, extra)));
                    }
                } else {
                    steps.add(new Step(StepKind.OVERAGE, key, extra,
                            Chains.overage(ids, lease.leaseId(), key, extra, remainingSeconds)));
                }
            }
        }
        return steps;
    }

    private boolean recordsDebt(String key) {
        KeyState state = keys.get(key);
        return state != null && state.definition().overage() == Overage.DEBT;
    }

    private StepVerdict stepVerdict(Step step, CompletableFuture<List<CreateTransferResult>> answer, String leaseId) {
        try {
            List<CreateTransferResult> results = await(answer, "the complete of lease " + leaseId);
            StepVerdict verdict = Outcomes.ofStep(step.kind(), results);
            if (verdict == StepVerdict.FAILED) {
                LOG.warning("TigerBeetle refused the " + step.kind() + " step of lease " + leaseId + " on "
                        + step.key() + ": " + results);
            }
            return verdict;
        } catch (BackendException e) {
            LOG.fine(() -> "complete of lease " + leaseId + " failed: " + e.getMessage());
            return StepVerdict.FAILED;
        }
    }

    // ---------------------------------------------------------------- usage, health, close

    /**
     * The key's usage from the cluster: {@code reserved} is the limit account's pending debits,
     * {@code debt} the debt account's posted debits. While the cluster does not answer, the last
     * values read are returned (zero before any read), so that admin reads keep answering; /healthz
     * says meanwhile that they may be stale.
     */
    @Override
    public Usage usage(String key) {
        KeyState state = keys.get(key);
        long capacity = state == null ? 0 : state.definition().capacity();
        if (state == null || !state.provisioned() || !submitter.isAnswering()) {
            return lastUsage(key, capacity);
        }
        LedgerId limitId = ids.limitAccount(key);
        LedgerId debtId = ids.debtAccount(key);
        List<AccountRecord> accounts;
        try {
            accounts = await(submitter.call("usage of " + key, client -> client.lookupAccounts(List.of(limitId, debtId))),
                    "usage of " + key);
        } catch (BackendException e) {
            LOG.fine(() -> "usage of " + key + " failed; answering the last values read: " + e.getMessage());
            return lastUsage(key, capacity);
        }
        long reserved = 0;
        long debt = 0;
        for (AccountRecord account : accounts) {
            if (account.id().equals(limitId)) {
                reserved = saturatedLong(account.debitsPending());
            } else if (account.id().equals(debtId)) {
                debt = saturatedLong(account.debitsPosted());
            }
        }
        Usage usage = Usage.of(capacity, reserved, debt);
        lastUsage.put(key, usage);
        return usage;
    }

    /** True while the cluster answers; waits at most about a second for a probe. */
    @Override
    public boolean isHealthy() {
        if (!submitter.isAnswering()) {
            return false;
        }
        if (submitter.answeredWithin(HEALTH_FRESH_NANOS)) {
            return true;
        }
        if (!submitter.hasFreePlace()) {
            // Every outstanding place is taken by requests in progress: the cluster is busy, and it
            // counts as answering until one of them times out (then isAnswering turns false).
            return true;
        }
        CompletableFuture<List<AccountRecord>> current = probe.get();
        if (current == null || current.isDone()) {
            CompletableFuture<List<AccountRecord>> fresh = submitter.call("health probe",
                    client -> client.lookupAccounts(List.of(ids.operatorAccount())), false);
            current = probe.compareAndSet(current, fresh) ? fresh : probe.get();
        }
        try {
            current.get(Math.min(HEALTH_WAIT_MS, submitter.requestTimeoutMs()), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Answers every waiting caller with backend_error and closes the client, within a few seconds. */
    @Override
    public void close() {
        submitter.close();
    }

    // ---------------------------------------------------------------- helpers

    private Usage lastUsage(String key, long capacity) {
        Usage last = lastUsage.get(key);
        return last == null ? Usage.of(capacity, 0, 0) : Usage.of(capacity, last.reserved(), last.debt());
    }

    /**
     * Waits for one of our own futures (never the client's; see {@link Submitter}). The submitter
     * answers by the request timeout; the margin only guards against a lost answer.
     */
    private <T> T await(CompletableFuture<T> answer, String what) {
        try {
            return answer.get(submitter.requestTimeoutMs() + WAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendException backend) {
                throw backend;
            }
            throw new BackendException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new BackendException(what + " was not answered within " + submitter.requestTimeoutMs() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(what + " was interrupted");
        }
    }

    private static long longValue(BigInteger value, String what) {
        if (value.bitLength() > 63) {
            throw new BackendException(what + " in TigerBeetle is " + value + ", outside the range of a limit");
        }
        return value.longValue();
    }

    private static long saturatedLong(BigInteger value) {
        return value.bitLength() > 63 ? (value.signum() < 0 ? 0 : Long.MAX_VALUE) : Math.max(0, value.longValue());
    }
}
