package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>This class wires the parts and owns their lifecycle (both sessions and the settler thread);
 * each job is a package-private class of its own: {@link Provisioning} (accounts and capacity),
 * {@link Admissions} (reserve, repeats, unknown leases), {@link Completions} (complete, overage and
 * debt) and {@link UsageAndHealth}. They share the sessions, the {@link LedgerIds}, the
 * {@link LeaseBook} and the key table, which this class creates and hands to each.
 *
 * <p>Thread-safety: reserve, complete, usage and isHealthy run from many threads; the key table is
 * a concurrent map of immutable values that only {@link Provisioning} writes, and each part says in
 * its Javadoc how it is safe. {@link #install} and {@link #tryApplyDecrease} are called by one
 * thread at a time (the service's admin lock), which also serialises every capacity transfer.
 */
public final class TigerBeetleBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(TigerBeetleBackend.class);
    /**
     * How long a denied or completed lease is remembered here at least; afterwards the cluster
     * answers a repeat by itself (id_already_failed, or the void transfers of the complete).
     */
    private static final long FINISHED_MEMORY_MS = 10 * 60_000L;
    /** How often the settler looks for unknown leases to settle. */
    private static final long SETTLE_CHECK_MS = 250;
    /** Most unknown leases kept at once. */
    private static final int UNKNOWN_LEASES_MAX = 100_000;

    private final Submitter submitter;
    private final Submitter reads;
    private final ScheduledExecutorService settler;
    private final Provisioning provisioning;
    private final Admissions admissions;
    private final Completions completions;
    private final UsageAndHealth usageAndHealth;

    /**
     * Who moves the capacity of the limit accounts, when several servers share one cluster.
     *
     * <p>{@link #MOVES} (the default): this server brings each limit account's balance in line with
     * the capacity it is given, raising it, and lowering it once the holds leave room (SPEC 5.2).
     * {@link #FOLLOWS}: another server does (the one whose limits this server follows); this one
     * creates the accounts if they are missing but never moves a balance, and takes a decrease as
     * applied once the ledger shows it. A follower restarted on an old registry therefore cannot
     * undo a change the other server made, and two servers never race to raise the same account.
     */
    public enum CapacityRole {
        MOVES,
        FOLLOWS
    }

    /**
     * A backend on two sessions of one cluster: {@code admissions} for everything that takes or
     * releases capacity, {@code reads} for usage and capacity lookups.
     */
    TigerBeetleBackend(
            LedgerClient admissions,
            LedgerClient reads,
            TigerBeetleSettings settings,
            RetryHints hints,
            Clock clock,
            LedgerIds ids) {
        this(admissions, reads, settings, hints, clock, ids, CapacityRole.MOVES);
    }

    TigerBeetleBackend(
            LedgerClient admissions,
            LedgerClient reads,
            TigerBeetleSettings settings,
            RetryHints hints,
            Clock clock,
            LedgerIds ids,
            CapacityRole role) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(hints, "hints");
        Objects.requireNonNull(clock, "clock");
        this.submitter = new Submitter(admissions, settings);
        this.reads = new Submitter(reads, settings);
        LeaseBook leases = new LeaseBook(settings.leaseRecordsMax(), FINISHED_MEMORY_MS);
        ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();
        this.provisioning = new Provisioning(submitter, this.reads, ids, keys, Objects.requireNonNull(role, "role"));
        this.admissions =
                new Admissions(submitter, ids, hints, clock, leases, keys, new UnknownLeases(UNKNOWN_LEASES_MAX));
        this.completions = new Completions(submitter, ids, clock, leases, keys);
        this.usageAndHealth = new UsageAndHealth(submitter, this.reads, ids, keys);
        this.settler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tigerbeetle-settler");
            thread.setDaemon(true);
            return thread;
        });
        this.settler.scheduleWithFixedDelay(
                this::settleQuietly, SETTLE_CHECK_MS, SETTLE_CHECK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects to the cluster of {@code settings}. Returns at once, also when no replica answers:
     * until one does, installs fail (the service retries them), reserves answer
     * {@code backend_error} within the request timeout and {@link #isHealthy()} is false.
     *
     * @throws IllegalArgumentException when the TigerBeetle client refuses the settings
     */
    public static TigerBeetleBackend connect(TigerBeetleSettings settings, RetryHints hints, Clock clock) {
        return connect(settings, hints, clock, CapacityRole.MOVES);
    }

    /** As {@link #connect(TigerBeetleSettings, RetryHints, Clock)}, moving capacity or following it as {@code role} says. */
    public static TigerBeetleBackend connect(
            TigerBeetleSettings settings, RetryHints hints, Clock clock, CapacityRole role) {
        return connect(settings, hints, clock, LedgerIds.standard(), role);
    }

    /** As {@link #connect(TigerBeetleSettings, RetryHints, Clock)}, with every label under {@code ids}' namespace. */
    static TigerBeetleBackend connect(TigerBeetleSettings settings, RetryHints hints, Clock clock, LedgerIds ids) {
        return connect(settings, hints, clock, ids, CapacityRole.MOVES);
    }

    static TigerBeetleBackend connect(
            TigerBeetleSettings settings, RetryHints hints, Clock clock, LedgerIds ids, CapacityRole role) {
        LedgerClient admissions = TigerBeetleLedgerClient.open(settings.clusterId(), settings.addresses());
        LedgerClient reads = TigerBeetleLedgerClient.open(settings.clusterId(), settings.addresses());
        return new TigerBeetleBackend(admissions, reads, settings, hints, clock, ids, role);
    }

    /**
     * Creates the key's accounts if needed and brings the limit account's balance in line with the
     * state's capacity (this is also the start-up reconciliation, since the service installs every
     * state at start). While decreasing, a balance between the pending and the old capacity is left
     * alone: a decrease applied just before a crash stays applied. A backend that
     * {@link CapacityRole#FOLLOWS} never moves the balance.
     *
     * @throws BackendException when the cluster does not answer or refuses; the service retries
     */
    @Override
    public void install(LimitState state) {
        provisioning.install(state);
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        return provisioning.tryApplyDecrease(key);
    }

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        return reserveAll(List.of(request)).get(0);
    }

    /** Reserves a batch: every chain that needs the cluster travels in as few requests as fit. */
    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        return admissions.reserveAll(requests);
    }

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        return completeAll(List.of(request)).get(0);
    }

    /** Completes a batch: every step of every lease travels together, then the debt steps together. */
    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        return completions.completeAll(requests);
    }

    /**
     * The key's usage from the cluster, read on the reads session: {@code reserved} is the limit
     * account's pending debits, {@code debt} the debt account's posted debits. While the cluster
     * does not answer, the last values read are returned (zero before any), so that admin reads
     * keep answering; /healthz says meanwhile that they may be stale.
     */
    @Override
    public Usage usage(String key) {
        return usageAndHealth.usage(key);
    }

    /** True while the cluster answers the admissions session; waits at most about a second for a probe. */
    @Override
    public boolean isHealthy() {
        return usageAndHealth.isHealthy();
    }

    /**
     * Why admissions cannot go through now: the cluster refuses this client's session (a release it
     * does not accept, or an eviction), or it does not answer. Waits at most about a second.
     */
    @Override
    public Optional<String> healthProblem() {
        return usageAndHealth.healthProblem();
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

    /**
     * One pass of the settler (see {@link Admissions#settleUnknownLeases}). Package-private so that
     * tests can run a pass without waiting for the timer.
     */
    void settleUnknownLeases() {
        admissions.settleUnknownLeases();
    }

    private void settleQuietly() {
        try {
            settleUnknownLeases();
        } catch (RuntimeException e) {
            // The next pass retries; an entry that cannot be settled is dropped once its holds have expired.
            LOG.warn("settling unknown leases failed; retrying on the next pass", e);
        }
    }
}
