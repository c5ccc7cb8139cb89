package dev.ratelimiter.tigerbeetle;

import static dev.ratelimiter.tigerbeetle.Answers.await;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.tigerbeetle.LedgerClient.AccountRecord;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage and health: reads a key's usage from its accounts on the reads session, keeping the last
 * values read to answer with while the cluster does not; and tells whether admissions can go
 * through now, from the admissions session's state and, when it has not answered lately, one
 * shared probe.
 *
 * <p>Thread-safety: every method runs from many threads. The last values are a concurrent map of
 * immutable {@link Usage}s; the probe in flight is an atomic reference, so concurrent health checks
 * share one probe instead of sending one each.
 */
final class UsageAndHealth {
    private static final Logger LOG = LoggerFactory.getLogger(UsageAndHealth.class);
    /** Longest wait of {@link #isHealthy()} for a probe, so that /healthz answers within about a second. */
    private static final long HEALTH_WAIT_MS = 900;
    /** Traffic answered this recently proves the cluster answers without a probe. */
    private static final long HEALTH_FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Submitter submitter;
    private final Submitter reads;
    private final LedgerIds ids;
    private final ConcurrentMap<String, KeyState> keys;
    /** The last usage read per key; only its reserved and debt are used, the capacity is the key's current one. */
    private final ConcurrentHashMap<String, Usage> lastUsage = new ConcurrentHashMap<>();

    private final AtomicReference<CompletableFuture<List<AccountRecord>>> probe = new AtomicReference<>();

    /**
     * Usage read through {@code reads}, health told by {@code submitter} (the admissions session),
     * for the keys {@code keys} holds.
     */
    UsageAndHealth(Submitter submitter, Submitter reads, LedgerIds ids, ConcurrentMap<String, KeyState> keys) {
        this.submitter = Objects.requireNonNull(submitter, "submitter");
        this.reads = Objects.requireNonNull(reads, "reads");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    /** See {@link TigerBeetleBackend#usage}. */
    Usage usage(String key) {
        KeyState state = keys.get(key);
        long capacity = state == null ? 0 : state.definition().capacity();
        if (state == null || !state.provisioned() || !reads.isAnswering()) {
            return lastUsage(key, capacity);
        }
        LedgerId limitId = ids.limitAccount(key);
        LedgerId debtId = ids.debtAccount(key);
        List<AccountRecord> accounts;
        try {
            accounts = await(
                    reads,
                    reads.call("usage of " + key, client -> client.lookupAccounts(List.of(limitId, debtId))),
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

    /** See {@link TigerBeetleBackend#isHealthy}. */
    boolean isHealthy() {
        return healthProblem().isEmpty();
    }

    /** See {@link TigerBeetleBackend#healthProblem}. */
    Optional<String> healthProblem() {
        Optional<String> refused = submitter.sessionProblem();
        if (refused.isPresent()) {
            return refused;
        }
        return answersNow()
                ? Optional.empty()
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
            CompletableFuture<List<AccountRecord>> fresh = submitter.call(
                    "health probe", client -> client.lookupAccounts(List.of(ids.operatorAccount())), false);
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

    private Usage lastUsage(String key, long capacity) {
        Usage last = lastUsage.get(key);
        return last == null ? Usage.of(capacity, 0, 0) : Usage.of(capacity, last.reserved(), last.debt());
    }

    private static long saturatedLong(BigInteger value) {
        return value.bitLength() > 63 ? (value.signum() < 0 ? 0 : Long.MAX_VALUE) : Math.max(0, value.longValue());
    }
}
