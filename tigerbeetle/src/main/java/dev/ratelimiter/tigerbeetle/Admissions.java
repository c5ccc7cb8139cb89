package dev.ratelimiter.tigerbeetle;

import static dev.ratelimiter.tigerbeetle.Answers.await;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.rules.AdmissionRules;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferRecord;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import dev.ratelimiter.tigerbeetle.Outcomes.ReserveOutcome;
import dev.ratelimiter.tigerbeetle.Outcomes.StepKind;
import dev.ratelimiter.tigerbeetle.Outcomes.StepVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission: reserves a batch of leases in as few requests as fit, answering what it can without
 * the cluster (a repeat remembered in {@link LeaseBook}, a refusal by {@link AdmissionRules}),
 * resolving a repeat it does not remember from the transfers in the ledger, and remembering a
 * reserve the cluster did not answer in {@link UnknownLeases} until a pass of
 * {@link #settleUnknownLeases} settles it (SPEC 5.2).
 *
 * <p>Thread-safety: {@link #reserveAll} runs from many threads and {@link #settleUnknownLeases}
 * from the settler thread. This class keeps no mutable state of its own: lease records are
 * guarded by {@link LeaseBook}'s lock, unknown leases by {@link UnknownLeases}' lock, and the key
 * table is a concurrent map of immutable values that only {@link Provisioning} writes.
 */
final class Admissions {
    private static final Logger LOG = LoggerFactory.getLogger(Admissions.class);
    /**
     * How long an unanswered reserve waits before it is settled, so that the caller's retry of the
     * same lease id (the client retries unknown outcomes at once, with backoff) decides it instead.
     */
    static final long UNKNOWN_LEASE_GRACE_MS = 2_000;
    /** Most unknown leases settled in one pass, so that one pass stays within a few requests. */
    private static final int SETTLE_PER_PASS = 1_024;
    /**
     * How long beyond its longest hold an unanswered reserve may still hold anything: covers the
     * time a request can spend in a session before that session is renewed and closed.
     */
    private static final long UNKNOWN_LEASE_MARGIN_MS = 60_000;

    private final Submitter submitter;
    private final LedgerIds ids;
    private final RetryHints hints;
    private final Clock clock;
    private final LeaseBook leases;
    private final ConcurrentMap<String, KeyState> keys;
    private final UnknownLeases unknown;

    /** Admission through {@code submitter}, the admissions session, on the keys {@code keys} holds. */
    Admissions(
            Submitter submitter,
            LedgerIds ids,
            RetryHints hints,
            Clock clock,
            LeaseBook leases,
            ConcurrentMap<String, KeyState> keys,
            UnknownLeases unknown) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.hints = Objects.requireNonNull(hints, "hints");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.unknown = Objects.requireNonNull(unknown, "unknown");
    }

    // ---------------------------------------------------------------- reserve

    /** Reserves a batch: every chain that needs the cluster travels in as few requests as fit. */
    List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
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
    private sealed interface Prepared permits Answered, ToCluster {}

    /** A reserve answered without the cluster: a repeat known here, or refused before the cluster. */
    private record Answered(ReserveResponse response) implements Prepared {}

    /** A reserve that needs the cluster: its chain and what is needed to read the answer. */
    private record ToCluster(
            ReserveRequest request,
            SortedMap<String, Long> requirements,
            List<Chains.HoldPlan> plans,
            LedgerId requirementSet,
            List<Transfer> chain,
            long nowMs)
            implements Prepared {}

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
        // Each hold lasts as the key state that passed the checks says, not one installed since.
        List<Chains.HoldPlan> plans = new ArrayList<>(requirements.size());
        for (Map.Entry<String, Long> requirement : requirements.entrySet()) {
            plans.add(new Chains.HoldPlan(
                    requirement.getKey(),
                    requirement.getValue(),
                    checked(asked, states, requirement.getKey()).holdSeconds()));
        }
        LedgerId requirementSet = LedgerIds.requirementSet(requirements);
        List<Transfer> chain = Chains.reserve(ids, request.leaseId(), plans, requirementSet, nowMs);
        return new ToCluster(request, requirements, plans, requirementSet, chain, nowMs);
    }

    /** The state checked for {@code key}: a reserve names a handful of keys, each once (validated). */
    private static KeyState checked(List<Requirement> asked, KeyState[] states, String key) {
        for (int i = 0; i < states.length; i++) {
            if (asked.get(i).key().equals(key)) {
                return states[i];
            }
        }
        throw new IllegalStateException("key " + key + " is not among the requirements checked");
    }

    /** A repeat of a lease this server remembers, answered by the shared rules (docs/DECISIONS.md). */
    private static ReserveResponse answerKnownLease(LeaseRecord known, Map<String, Long> requirements, long nowMs) {
        return AdmissionRules.repeat(known.known(), () -> known.requirements().equals(requirements), nowMs);
    }

    private ReserveResponse finishReserve(ToCluster reserve, CompletableFuture<TransferResults> answer) {
        String leaseId = reserve.request().leaseId();
        TransferResults results;
        try {
            results = await(submitter, answer, "the reserve of lease " + leaseId);
        } catch (BackendException e) {
            if (Submitter.isUnanswered(e)) {
                // The cluster may apply it still: keep it until it is retried or settled (SPEC 5.2).
                long longestHoldMs = 0;
                for (Chains.HoldPlan plan : reserve.plans()) {
                    longestHoldMs = Math.max(longestHoldMs, plan.timeoutSeconds() * 1000L);
                }
                unknown.remember(new UnknownLeases.Entry(
                        leaseId,
                        reserve.requirements(),
                        reserve.chain(),
                        reserve.nowMs(),
                        reserve.nowMs() + longestHoldMs + UNKNOWN_LEASE_MARGIN_MS));
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
                long retryAfterMs = deniedRetryAfterMs(
                        reserve.plans().get(outcome.causeIndex()).key());
                leases.rememberDenied(
                        LeaseRecord.denied(leaseId, reserve.requirements(), retryAfterMs), reserve.nowMs());
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
            holds.add(new LeaseRecord.Hold(
                    plan.key(), plan.amount(), kindOf(plan.key()), reservedAtMs + plan.timeoutSeconds() * 1000L));
            hints.admitted(plan.key());
        }
        leases.rememberLive(
                LeaseRecord.live(reserve.request().leaseId(), reserve.requirements(), holds, reservedAtMs),
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
        List<TransferRecord> found = await(
                submitter,
                submitter.call("lookup of lease " + leaseId, client -> client.lookupTransfers(lookup)),
                "lookup of lease " + leaseId);
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
            leases.rememberLive(
                    LeaseRecord.live(leaseId, reserve.requirements(), holds, reservedAtMs), reserve.nowMs());
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
     * The backend's settler thread runs a pass on a timer; tests run one through
     * {@link TigerBeetleBackend#settleUnknownLeases} without waiting for it.
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
                ReserveOutcome outcome =
                        Outcomes.ofReserve(await(submitter, answers.get(i), "the settling of " + entry.leaseId())
                                .results());
                switch (outcome.verdict()) {
                    case ADMITTED, REPEAT -> toVoid.add(entry);
                    case NO_CAPACITY, DENIED_BEFORE -> {
                        // Never applied, and now it never can be: the lease stays denied, as a denied lease does.
                        long retryAfterMs = deniedRetryAfterMs(keyAt(entry, outcome.causeIndex()));
                        leases.rememberDenied(
                                LeaseRecord.denied(entry.leaseId(), entry.requirements(), retryAfterMs), nowMs);
                        unknown.endSettling(entry, true);
                    }
                    default -> {
                        LOG.warn("TigerBeetle refused the settling of lease " + entry.leaseId() + ": " + outcome.cause()
                                + "; its holds, if any, expire by themselves");
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
                    done &= Outcomes.ofStep(
                                    StepKind.RELEASE,
                                    await(submitter, answers.get(next++), "a void of " + entry.leaseId())
                                            .results())
                            == StepVerdict.DONE;
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
}
