package dev.ratelimiter.tigerbeetle;

import static dev.ratelimiter.tigerbeetle.Answers.await;

import com.tigerbeetle.CreateTransferResult;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.rules.AdmissionRules;
import dev.ratelimiter.core.rules.AdmissionRules.Settlement;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.tigerbeetle.LedgerClient.TransferResults;
import dev.ratelimiter.tigerbeetle.Outcomes.StepKind;
import dev.ratelimiter.tigerbeetle.Outcomes.StepVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion: turns the actuals of a batch of completes into the chains that settle each lease's
 * holds (release, shrink, overage held until the hold's expiry, or debt, as {@link AdmissionRules}
 * decides), sends them together, then sends the debt for overage the cluster refused to hold.
 *
 * <p>Thread-safety: {@link #completeAll} runs from many threads. This class keeps no mutable state
 * of its own: {@link LeaseBook} hands a lease to one complete at a time under its lock, and the
 * key table is a concurrent map of immutable values that only {@link Provisioning} writes.
 */
final class Completions {
    private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

    private final Submitter submitter;
    private final LedgerIds ids;
    private final Clock clock;
    private final LeaseBook leases;
    private final ConcurrentMap<String, KeyState> keys;

    /** Completion through {@code submitter}, the admissions session, on the keys {@code keys} holds. */
    Completions(
            Submitter submitter, LedgerIds ids, Clock clock, LeaseBook leases, ConcurrentMap<String, KeyState> keys) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** One chain of a complete and what it is for. */
    private record Step(StepKind kind, String key, long extraAmount, List<Transfer> chain) {}

    /** Completes a batch: every step of every lease travels together, then the debt steps together. */
    List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
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
                    debts.add(new Step(
                            StepKind.DEBT,
                            step.key(),
                            step.extraAmount(),
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
            Settlement settlement =
                    AdmissionRules.settle(hold.kind(), hold.amount(), actualByKey.getOrDefault(key, -1L));
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
                steps.add(new Step(
                        StepKind.SHRINK,
                        key,
                        0,
                        Chains.shrink(ids, lease.leaseId(), key, hold.amount(), actual, remainingSeconds)));
                voidsAHold = true;
            } else {
                steps.add(overageStep(lease.leaseId(), key, actual - hold.amount(), remainingSeconds));
            }
        }
        if (!voidsAHold && !lease.holds().isEmpty()) {
            steps.add(new Step(
                    StepKind.COMPLETION,
                    lease.holds().get(0).key(),
                    0,
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
            case HOLD ->
                new Step(StepKind.OVERAGE, key, extra, Chains.overage(ids, leaseId, key, extra, remainingSeconds));
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
            List<CreateTransferResult> results =
                    await(submitter, answer, "the complete of lease " + leaseId).results();
            StepVerdict verdict = Outcomes.ofStep(step.kind(), results);
            if (verdict == StepVerdict.FAILED) {
                LOG.warn("TigerBeetle refused the " + step.kind() + " step of lease " + leaseId + " on " + step.key()
                        + ": " + results);
            }
            return verdict;
        } catch (BackendException e) {
            LOG.atDebug().log(() -> "complete of lease " + leaseId + " failed: " + e.getMessage());
            return StepVerdict.FAILED;
        }
    }
}
