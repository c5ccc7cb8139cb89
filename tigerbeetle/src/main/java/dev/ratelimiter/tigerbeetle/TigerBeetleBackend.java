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
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.rules.AdmissionRules;
import dev.ratelimiter.core.rules.AdmissionRules.Settlement;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.tigerbeetle.LedgerClient.AccountRecord;
import dev.ratelimiter.tigerbeetle.LedgerClient.NewAccount;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferRecord;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
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
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend on a TigerBeetle cluster (SPEC 5.2): capacity is the balance of a limit account, a
 * hold is a pending transfer with a timeout, and TigerBeetle's atomic linked chains make a lease
 * hold all its requirements or none. Holds live in the cluster, so they survive a restart of this
 * server; only the lease records used by complete live here (bounded, see {@link LeaseBook}).
 *
 * <p>Every request goes through a {@link Submitter}, which batches transfers, times out every
 * request and renews a session that stopped answering, so no call here waits longer than the
 * request timeout (plus a margin for the flusher) and a cluster that does not answer yields
 * {@code backend_error} promptly. Two sessions: one for admissions (reserve, complete, their
 * lookups, capacity transfers, the health probe) and one for reads (usage, capacity lookups), so
 * that admin reads and metrics never queue admissions behind them in the client's single
 * in-flight request per session.
 *
 * <p>A reserve sent and not answered is kept in {@link UnknownLeases} and settled by a background
 * thread once the cluster answers: its holds, if the cluster applied it, are voided (SPEC 5.2).
 *
 * <p>Thread-safety: reserve, complete, usage and isHealthy run from many threads; the key table and
 * the usage cache are concurrent maps of immutable values, lease records are guarded by
 * {@link LeaseBook}'s lock. {@link #install} and {@link #tryApplyDecrease} are called by one thread
 * at a time (the service's admin lock), which also serialises every capacity transfer.
 */
public final class TigerBeetleBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(TigerBeetleBackend.class);
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
    /**
     * How long an unanswered reserve waits before it is settled, so that the caller's retry of the
     * same lease id (the client retries unknown outcomes at once, with backoff) decides it instead.
     */
    static final long UNKNOWN_LEASE_GRACE_MS = 2_000;
    /** How often the settler looks for unknown leases to settle. */
    private static final long SETTLE_CHECK_MS = 250;
    /** Most unknown leases settled in one pass, so that one pass stays within a few requests. */
    private static final int SETTLE_PER_PASS = 1_024;
    /** Most unknown leases kept at once. */
    private static final int UNKNOWN_LEASES_MAX = 100_000;
    /**
     * How long beyond its longest hold an unanswered reserve may still hold anything: covers the
     * time a request can spend in a session before that session is renewed and closed.
     */
    private static final long UNKNOWN_LEASE_MARGIN_MS = 60_000;

    private final Submitter submitter;
    private final Submitter reads;
    private final UnknownLeases unknown = new UnknownLeases(UNKNOWN_LEASES_MAX);
    private final ScheduledExecutorService settler;
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

    /**
     * A backend on two sessions of one cluster: {@code admissions} for everything that takes or
     * releases capacity, {@code reads} for usage and capacity lookups.
     */
    TigerBeetleBackend(LedgerClient admissions, LedgerClient reads, TigerBeetleSettings settings, RetryHints hints,
            Clock clock, LedgerIds ids) {
        this.submitter = new Submitter(admissions, settings);
        this.reads = new Submitter(reads, settings);
        this.ids = Objects.requireNonNull(ids, "ids");
        this.hints = Objects.requireNonNull(hints, "hints");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leases = new LeaseBook(settings.leaseRecordsMax(), FINISHED_MEMORY_MS);
        this.settler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tigerbeetle-settler");
            thread.setDaemon(true);
            return thread;
        });
        this.settler.scheduleWithFixedDelay(this::settleQuietly, SETTLE_CHECK_MS, SETTLE_CHECK_MS,
                TimeUnit.MILLISECONDS);
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
        LedgerClient admissions = TigerBeetleLedgerClient.open(settings.clusterId(), settings.addresses());
        LedgerClient reads = TigerBeetleLedgerClient.open(settings.clusterId(), settings.addresses());
        return new TigerBeetleBackend(admissions, reads, settings, hints, clock, ids);
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
        if (current == null) {
            // Known from now on: while the cluster is asked, reserves of the key answer backend_error
            // (retryable), never unknown_limit_key (which tells clients to give up).
            keys.putIfAbsent(key, new KeyState(state, false, false));
        }
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
        // At or below the target: applied before a restart, or by an earlier call whose answer was lost.
        boolean applied = balance <= target || lowerCapacity(key, state.revision(), limit, target);
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
        AccountRecord limit = lookupLimitAccount(key);
        long balance = longValue(limit.balance(), "the capacity of " + key);
        boolean decreasingInRange = state.status() == LimitStatus.DECREASING
                && balance >= state.pendingDecreaseTo() && balance <= capacity;
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
            CreateTransferResult result = await(submitter.submit(List.of(transfer)), what).results().get(0);
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
        List<AccountRecord> found = await(reads.call("lookup of the limit account of " + key,
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
        List<ToCluster> prepared = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (ReserveRequest request : requests) {
            Prepared step = prepareReserve(request, nowMs);
            if (step instanceof ToCluster toCluster) {
                responses.add(null);
                prepared.add(toCluster);
                slots.add(responses.size() - 1);
            } else {
                responses.add(((Answered) step).response());
            }
        }
        if (prepared.isEmpty()) {
            return responses;
        }
        List<List<Transfer>> chains = new ArrayList<>(prepared.size());
        for (ToCluster reserve : prepared) {
            chains.add(reserve.chain());
        }
        List<CompletableFuture<TransferResults>> answers = submitter.submitAll(chains);
        for (int i = 0; i < prepared.size(); i++) {
            responses.set(slots.get(i), finishReserve(prepared.get(i), answers.get(i)));
        }
        return responses;
    }

    /** What a reserve needs after the checks made here: an answer already, or the cluster. */
    private sealed interface Prepared permits Answered, ToCluster {
    }

    /** A reserve answered without the cluster: a repeat known here, or refused before the cluster. */
    private record Answered(ReserveResponse response) implements Prepared {
    }

    /** A reserve that needs the cluster: its chain and what is needed to read the answer. */
    private record ToCluster(ReserveRequest request, SortedMap<String, Long> requirements,
            List<Chains.HoldPlan> plans, LedgerId requirementSet, List<Transfer> chain, long nowMs)
            implements Prepared {
    }

    private Prepared prepareReserve(ReserveRequest request, long nowMs) {
        SortedMap<String, Long> requirements = new TreeMap<>();
        for (Requirement requirement : request.requirements()) {
            requirements.put(requirement.key(), requirement.amount());
        }
        LeaseRecord known = leases.find(request.leaseId(), nowMs);
        if (known != null) {
            return new Answered(answerKnownLease(known, requirements, nowMs));
        }
        if (unknown.takeForRetry(request.leaseId()) == UnknownLeases.Retry.SETTLING) {
            // Its earlier attempt is being settled right now; the next retry finds the outcome.
            return new Answered(ReserveResponse.refused(Refusal.BACKEND_ERROR));
        }
        List<Requirement> asked = request.requirements();
        KeyState[] states = new KeyState[asked.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = keys.get(asked.get(i).key());
        }
        ReserveResponse refused = AdmissionRules.refusalBeforeFit(asked, states, hints.decreasingMs());
        if (refused != null) {
            return new Answered(refused);
        }
        for (int i = 0; i < states.length; i++) {
            String key = asked.get(i).key();
            if (!states[i].provisioned()) {
                LOG.atDebug().log(() -> "reserve of lease " + request.leaseId() + ": " + key
                        + " is not provisioned in TigerBeetle yet");
                return new Answered(ReserveResponse.refused(Refusal.BACKEND_ERROR));
            }
        }
        List<Chains.HoldPlan> plans = new ArrayList<>(requirements.size());
        for (Map.Entry<String, Long> requirement : requirements.entrySet()) {
            plans.add(new Chains.HoldPlan(requirement.getKey(), requirement.getValue(),
                    keys.get(requirement.getKey()).holdSeconds()));
        }
        LedgerId requirementSet = LedgerIds.requirementSet(requirements);
        List<Transfer> chain = Chains.reserve(ids, request.leaseId(), plans, requirementSet, nowMs);
        return new ToCluster(request, requirements, plans, requirementSet, chain, nowMs);
    }

    /** A repeat of a lease this server remembers, answered by the shared rules (docs/DECISIONS.md). */
    private static ReserveResponse answerKnownLease(LeaseRecord known, Map<String, Long> requirements, long nowMs) {
        return AdmissionRules.repeat(known.known(), () -> known.requirements().equals(requirements), nowMs);
    }

    private ReserveResponse finishReserve(ToCluster reserve, CompletableFuture<TransferResults> answer) {
        String leaseId = reserve.request().leaseId();
        TransferResults results;
        try {
            results = await(answer, "the reserve of lease " + leaseId);
        } catch (BackendException e) {
            if (Submitter.isUnanswered(e)) {
                // The cluster may apply it still: keep it until it is retried or settled (SPEC 5.2).
                long longestHoldMs = 0;
                for (Chains.HoldPlan plan : reserve.plans()) {
                    longestHoldMs = Math.max(longestHoldMs, plan.timeoutSeconds() * 1000L);
                }
                unknown.remember(new UnknownLeases.Entry(leaseId, reserve.requirements(), reserve.chain(),
                        reserve.nowMs(), reserve.nowMs() + longestHoldMs + UNKNOWN_LEASE_MARGIN_MS));
            }
            LOG.atDebug().log(() -> "reserve of lease " + leaseId + " failed: " + e.getMessage());
            return ReserveResponse.refused(Refusal.BACKEND_ERROR);
        }
        ReserveOutcome outcome = Outcomes.ofReserve(results.results());
        switch (outcome.verdict()) {
            case ADMITTED:
                return admitted(reserve, committedAtMs(results));
            case NO_CAPACITY:
            case DENIED_BEFORE: {
                long retryAfterMs = deniedRetryAfterMs(reserve.plans().get(outcome.causeIndex()).key());
                leases.rememberDenied(LeaseRecord.denied(leaseId, reserve.requirements(), retryAfterMs), reserve.nowMs());
                return ReserveResponse.denied(retryAfterMs);
            }
            case REPEAT:
                try {
                    return resolveRepeat(reserve);
                } catch (BackendException e) {
                    LOG.atDebug().log(() -> "reserve of lease " + leaseId + ": repeat check failed: " + e.getMessage());
                    return ReserveResponse.refused(Refusal.BACKEND_ERROR);
                }
            default:
                LOG.warn("TigerBeetle refused the reserve of lease " + leaseId + " on "
                        + reserve.plans().get(Math.max(0, outcome.causeIndex())).key() + ": " + outcome.cause());
                return ReserveResponse.refused(Refusal.BACKEND_ERROR);
        }
    }

    /**
     * The lease holds from the cluster's commit of its chain, which is when the holds' timeouts
     * start (SPEC 5.2), not from this server's clock before sending.
     */
    private ReserveResponse admitted(ToCluster reserve, long reservedAtMs) {
        List<LeaseRecord.Hold> holds = new ArrayList<>(reserve.plans().size());
        for (Chains.HoldPlan plan : reserve.plans()) {
            holds.add(new LeaseRecord.Hold(plan.key(), plan.amount(), kindOf(plan.key()),
                    reservedAtMs + plan.timeoutSeconds() * 1000L));
            hints.admitted(plan.key());
        }
        leases.rememberLive(LeaseRecord.live(reserve.request().leaseId(), reserve.requirements(), holds, reservedAtMs),
                reserve.nowMs());
        return ReserveResponse.allowed(reservedAtMs);
    }

    /**
     * The lease's transfers exist already and this server has no record of it (a restart, a
     * forgotten record, or a retry after an unanswered attempt): read them to tell an idempotent
     * repeat from a different request, and a live lease from a completed or expired one (SPEC 2.2).
     * A complete leaves a void or the completion marker in the ledger, so completed leases are told
     * apart after a restart too.
     */
    private ReserveResponse resolveRepeat(ToCluster reserve) {
        String leaseId = reserve.request().leaseId();
        List<LedgerId> lookup = new ArrayList<>(2 * reserve.plans().size() + 1);
        for (Chains.HoldPlan plan : reserve.plans()) {
            lookup.add(ids.reserve(leaseId, plan.key()));
            lookup.add(ids.voidOf(leaseId, plan.key()));
        }
        lookup.add(ids.completion(leaseId));
        List<TransferRecord> found = await(submitter.call("lookup of lease " + leaseId,
                client -> client.lookupTransfers(lookup)), "lookup of lease " + leaseId);
        Map<LedgerId, TransferRecord> byId = new HashMap<>();
        for (TransferRecord transfer : found) {
            byId.put(transfer.id(), transfer);
        }
        boolean completed = byId.containsKey(ids.completion(leaseId));
        boolean sameRequirements = true;
        long reservedAtMs = -1;
        long firstExpiryMs = Long.MAX_VALUE;
        List<LeaseRecord.Hold> holds = new ArrayList<>(reserve.plans().size());
        for (Chains.HoldPlan plan : reserve.plans()) {
            completed |= byId.containsKey(ids.voidOf(leaseId, plan.key()));
            TransferRecord hold = byId.get(ids.reserve(leaseId, plan.key()));
            if (hold == null) {
                sameRequirements = false;
                continue;
            }
            sameRequirements &= hold.userData128().equals(reserve.requirementSet()) && hold.amount() == plan.amount();
            // Every transfer of one chain commits within the same request: any one's time is the lease's.
            if (reservedAtMs < 0) {
                reservedAtMs = hold.timestampNanos() / 1_000_000L;
            }
            long expiresAtMs = reservedAtMs + hold.timeoutSeconds() * 1000L;
            firstExpiryMs = Math.min(firstExpiryMs, expiresAtMs);
            holds.add(new LeaseRecord.Hold(plan.key(), plan.amount(), kindOf(plan.key()), expiresAtMs));
        }
        if (!completed && reservedAtMs < 0) {
            // Ids of this lease exist, but none of the holds asked for now: another request under the same id.
            return ReserveResponse.refused(Refusal.INVALID_REQUEST);
        }
        AdmissionRules.KnownLease known = completed
                ? AdmissionRules.KnownLease.finished(leaseId)
                : AdmissionRules.KnownLease.live(leaseId, reservedAtMs, firstExpiryMs);
        boolean same = sameRequirements;
        ReserveResponse response = AdmissionRules.repeat(known, () -> same, reserve.nowMs());
        if (response.allowed()) {
            leases.rememberLive(LeaseRecord.live(leaseId, reserve.requirements(), holds, reservedAtMs), reserve.nowMs());
        }
        return response;
    }

    /** The retry hint of a capacity denial caused by {@code key} (SPEC 6). */
    private long deniedRetryAfterMs(String key) {
        KeyState state = keys.get(key);
        return state == null ? hints.decreasingMs() : AdmissionRules.deniedRetryAfterMs(hints, state.definition());
    }

    private LimitKind kindOf(String key) {
        KeyState state = keys.get(key);
        return state == null ? LimitKind.ROLLING : state.definition().kind();
    }

    private static long committedAtMs(TransferResults results) {
        return results.timestampNanos() / 1_000_000L;
    }

    // ---------------------------------------------------------------- unknown leases

    /**
     * One pass of the settler: once the cluster answers, each unknown lease older than the grace
     * period gets its very chain resubmitted, which makes its outcome definite (created now,
     * created before, or refused; a refused id stays refused, so a late copy of the first attempt
     * can never apply afterwards), and whatever it holds is voided. The lease then counts as
     * completed (or denied), so a late retry of it answers {@code lease_expired} (or a denial).
     * Package-private so that tests can run a pass without waiting for the timer.
     */
    void settleUnknownLeases() {
        if (!submitter.isAnswering()) {
            return;
        }
        long nowMs = clock.nowMillis();
        List<UnknownLeases.Entry> due = unknown.claimDue(nowMs, UNKNOWN_LEASE_GRACE_MS, SETTLE_PER_PASS);
        if (due.isEmpty()) {
            return;
        }
        List<List<Transfer>> chains = new ArrayList<>(due.size());
        due.forEach(entry -> chains.add(entry.chain()));
        List<CompletableFuture<TransferResults>> answers = submitter.submitAll(chains);
        List<UnknownLeases.Entry> toVoid = new ArrayList<>();
        for (int i = 0; i < due.size(); i++) {
            UnknownLeases.Entry entry = due.get(i);
            try {
                ReserveOutcome outcome = Outcomes.ofReserve(await(answers.get(i), "the settling of " + entry.leaseId())
                        .results());
                switch (outcome.verdict()) {
                    case ADMITTED, REPEAT -> toVoid.add(entry);
                    case NO_CAPACITY, DENIED_BEFORE -> {
                        // Never applied, and now it never can be: the lease stays denied, as a denied lease does.
                        long retryAfterMs = deniedRetryAfterMs(keyAt(entry, outcome.causeIndex()));
                        leases.rememberDenied(LeaseRecord.denied(entry.leaseId(), entry.requirements(), retryAfterMs),
                                nowMs);
                        unknown.endSettling(entry, true);
                    }
                    default -> {
                        LOG.warn("TigerBeetle refused the settling of lease " + entry.leaseId() + ": "
                                + outcome.cause() + "; its holds, if any, expire by themselves");
                        unknown.endSettling(entry, true);
                    }
                }
            } catch (BackendException e) {
                unknown.endSettling(entry, false);
            }
        }
        voidUnknown(toVoid, nowMs);
    }

    /** Voids every hold of settled unknown leases; each void is a chain of its own, so one gone hold does not stop the others. */
    private void voidUnknown(List<UnknownLeases.Entry> entries, long nowMs) {
        List<List<Transfer>> voids = new ArrayList<>();
        for (UnknownLeases.Entry entry : entries) {
            for (Map.Entry<String, Long> requirement : entry.requirements().entrySet()) {
                voids.add(Chains.release(ids, entry.leaseId(), requirement.getKey(), requirement.getValue()));
            }
        }
        List<CompletableFuture<TransferResults>> answers = voids.isEmpty() ? List.of() : submitter.submitAll(voids);
        int next = 0;
        for (UnknownLeases.Entry entry : entries) {
            boolean done = true;
            for (int i = 0; i < entry.requirements().size(); i++) {
                try {
                    done &= Outcomes.ofStep(StepKind.RELEASE, await(answers.get(next++), "a void of "
                            + entry.leaseId()).results()) == StepVerdict.DONE;
                } catch (BackendException e) {
                    done = false;
                }
            }
            if (done) {
                leases.rememberSettled(entry.leaseId(), entry.requirements(), nowMs);
                LOG.info("settled lease " + entry.leaseId() + ", whose reserve was not answered in time: its holds,"
                        + " if the cluster took them, are released");
            }
            unknown.endSettling(entry, done);
        }
    }

    /** The key of the transfer at {@code index} of an unknown lease's chain, which holds its keys in sorted order. */
    private static String keyAt(UnknownLeases.Entry entry, int index) {
        int i = 0;
        for (String key : entry.requirements().keySet()) {
            if (i++ == Math.max(0, index)) {
                return key;
            }
        }
        throw new IllegalStateException("lease " + entry.leaseId() + " has no requirement at " + index);
    }

    private void settleQuietly() {
        try {
            settleUnknownLeases();
        } catch (RuntimeException e) {
            // The next pass retries; an entry that cannot be settled is dropped once its holds have expired.
            LOG.warn("settling unknown leases failed; retrying on the next pass", e);
        }
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
        List<CompletableFuture<TransferResults>> answers = submitter.submitAll(chains);
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
                } else if (verdict == StepVerdict.DID_NOT_FIT && afterRefusedOverageIsDebt(step.key())) {
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
        List<CompletableFuture<TransferResults>> debtAnswers =
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
     * already expired are ignored. A complete that voids no hold also writes the completion marker,
     * so that the ledger alone tells a completed lease from a live one after a restart.
     */
    private List<Step> completeSteps(LeaseRecord lease, List<Actual> actuals, long nowMs) {
        Map<String, Long> actualByKey = new HashMap<>();
        for (Actual actual : actuals) {
            actualByKey.putIfAbsent(actual.key(), actual.actualAmount());
        }
        List<Step> steps = new ArrayList<>();
        boolean voidsAHold = false;
        for (LeaseRecord.Hold hold : lease.holds()) {
            String key = hold.key();
            Settlement settlement = AdmissionRules.settle(hold.kind(), hold.amount(), actualByKey.getOrDefault(key, -1L));
            if (settlement == Settlement.RELEASE) {
                steps.add(new Step(StepKind.RELEASE, key, 0, Chains.release(ids, lease.leaseId(), key, hold.amount())));
                voidsAHold = true;
                continue;
            }
            long remainingMs = hold.expiresAtUnixMs() - nowMs;
            if (settlement == Settlement.KEEP || remainingMs <= 0) {
                // Kept as reserved, or past its window already: nothing to settle.
                continue;
            }
            long actual = actualByKey.get(key);
            long remainingSeconds = (remainingMs + 999) / 1000;
            if (settlement == Settlement.SHRINK) {
                steps.add(new Step(StepKind.SHRINK, key, 0,
                        Chains.shrink(ids, lease.leaseId(), key, hold.amount(), actual, remainingSeconds)));
                voidsAHold = true;
            } else {
                steps.add(overageStep(lease.leaseId(), key, actual - hold.amount(), remainingSeconds));
            }
        }
        if (!voidsAHold && !lease.holds().isEmpty()) {
            steps.add(new Step(StepKind.COMPLETION, lease.holds().get(0).key(), 0,
                    Chains.completion(ids, lease.leaseId(), lease.holds().get(0).key())));
        }
        return steps;
    }

    /**
     * Holds the overage until the hold's expiry; while the key is decreasing it goes straight to debt
     * instead, or is dropped under overage deny (a completion marker stands in). Whether a hold fits is
     * learnt by trying it: {@link #afterRefusedOverageIsDebt} routes the overage the cluster refused.
     */
    private Step overageStep(String leaseId, String key, long extra, long remainingSeconds) {
        KeyState state = keys.get(key);
        boolean decreasing = state != null && state.decreasing();
        return switch (AdmissionRules.overage(decreasing, true, overagePolicy(state))) {
            case HOLD -> new Step(StepKind.OVERAGE, key, extra, Chains.overage(ids, leaseId, key, extra, remainingSeconds));
            case DEBT -> new Step(StepKind.DEBT, key, extra, Chains.debt(ids, leaseId, key, extra));
            case DROP -> new Step(StepKind.COMPLETION, key, 0, Chains.completion(ids, leaseId, key));
        };
    }

    /** Whether overage the cluster refused to hold goes to the key's debt (else it is dropped). */
    private boolean afterRefusedOverageIsDebt(String key) {
        return AdmissionRules.overage(false, false, overagePolicy(keys.get(key))) == AdmissionRules.OverageRoute.DEBT;
    }

    /** The key's overage policy; a key this server no longer knows records no debt. */
    private static Overage overagePolicy(KeyState state) {
        return state == null ? Overage.DENY : state.definition().overage();
    }

    private StepVerdict stepVerdict(Step step, CompletableFuture<TransferResults> answer, String leaseId) {
        try {
            List<CreateTransferResult> results = await(answer, "the complete of lease " + leaseId).results();
            StepVerdict verdict = Outcomes.ofStep(step.kind(), results);
            if (verdict == StepVerdict.FAILED) {
                LOG.warn("TigerBeetle refused the " + step.kind() + " step of lease " + leaseId + " on "
                        + step.key() + ": " + results);
            }
            return verdict;
        } catch (BackendException e) {
            LOG.atDebug().log(() -> "complete of lease " + leaseId + " failed: " + e.getMessage());
            return StepVerdict.FAILED;
        }
    }

    // ---------------------------------------------------------------- usage, health, close

    /**
     * The key's usage from the cluster, read on the reads session: {@code reserved} is the limit
     * account's pending debits, {@code debt} the debt account's posted debits. While the cluster
     * does not answer, the last values read are returned (zero before any), so that admin reads
     * keep answering; /healthz says meanwhile that they may be stale.
     */
    @Override
    public Usage usage(String key) {
        KeyState state = keys.get(key);
        long capacity = state == null ? 0 : state.definition().capacity();
        if (state == null || !state.provisioned() || !reads.isAnswering()) {
            return lastUsage(key, capacity);
        }
        LedgerId limitId = ids.limitAccount(key);
        LedgerId debtId = ids.debtAccount(key);
        List<AccountRecord> accounts;
        try {
            accounts = await(reads.call("usage of " + key, client -> client.lookupAccounts(List.of(limitId, debtId))),
                    "usage of " + key);
        } catch (BackendException e) {
            LOG.atDebug().log(() -> "usage of " + key + " failed; answering the last values read: " + e.getMessage());
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

    /** True while the cluster answers the admissions session; waits at most about a second for a probe. */
    @Override
    public boolean isHealthy() {
        return healthProblem().isEmpty();
    }

    /**
     * Why admissions cannot go through now: the cluster refuses this client's session (a release it
     * does not accept, or an eviction), or it does not answer. Waits at most about a second.
     */
    @Override
    public Optional<String> healthProblem() {
        Optional<String> refused = submitter.sessionProblem();
        if (refused.isPresent()) {
            return refused;
        }
        return answersNow() ? Optional.empty()
                : Optional.of("TigerBeetle does not answer within " + submitter.requestTimeoutMs() + " ms");
    }

    private boolean answersNow() {
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

    /**
     * {@code create_transfers} requests sent so far; with {@link #transfersSent()} it tells how well
     * concurrent reserves and completes share requests (events per request).
     */
    public long createTransfersRequests() {
        return submitter.transferRequestsSent();
    }

    /** Transfers sent so far in {@code create_transfers} requests. */
    public long transfersSent() {
        return submitter.transfersSent();
    }

    /** Answers every waiting caller with backend_error and closes both sessions, within a few seconds. */
    @Override
    public void close() {
        settler.shutdownNow();
        submitter.close();
        reads.close();
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
