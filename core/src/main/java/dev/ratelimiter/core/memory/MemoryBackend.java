package dev.ratelimiter.core.memory;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.journal.Journal;
import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalRecord;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.RepeatedKeys;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.rules.AdmissionRules;
import dev.ratelimiter.core.rules.AdmissionRules.KnownLease;
import dev.ratelimiter.core.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The embedded backend (SPEC 5.1): every hold lives in this process; without a journal it is forgotten
 * on restart, with one ({@link #withJournal}, the server's default) it is read back.
 *
 * <h2>Reserve and complete</h2>
 * The decisions are core's {@link AdmissionRules}, shared with the TigerBeetle backend: a repeat of a
 * lease id this backend remembers is answered from the lease's fate, then the checks before fit, then
 * the fit of every key (after dropping its expired holds) at one instant under all the keys' locks;
 * an admission takes the clock's time as {@code reserved_at_unix_ms}. Only a capacity denial is
 * remembered (sticky); the refusals before fit take nothing and are not remembered. A complete
 * settles each live hold as {@link AdmissionRules#settle} says and routes overage as
 * {@link AdmissionRules#overage} says; a hold that has already expired is past its window, so its
 * actual changes nothing. Complete is idempotent and always {@code ok}.
 *
 * <h2>Bounded memory</h2>
 * Expired holds are dropped lazily from each key's {@link HoldQueue} (a ring for holds in expiry
 * order, a min-heap for the rest), so a reserve costs O(requirements) amortized, O(requirements x log
 * holds) at worst, and never a scan. A lease record is dropped at once when the lease completes
 * (what it still holds expires by itself in its keys' queues and can no longer change), otherwise
 * once all its holds have expired, by the {@link LeaseSweeper}, which every reserve and complete
 * advances by a bounded step. A dropped record stays in the lease map as its own tombstone (late
 * repeats answer {@code lease_expired}), a denied one as its sticky denial, so the one lookup every
 * reserve makes finds them; {@link FinishedLeases} evicts the oldest beyond {@code maxTombstones}
 * tombstones and, separately, beyond as many denials. A denial is also forgotten after the longest
 * hold its requirements would have had.
 *
 * <h2>Thread-safety</h2>
 * Safe for any number of threads, with no global lock on the hot path:
 * <ul>
 *   <li>{@code keys} and {@code leases} are concurrent maps; a key is never removed.</li>
 *   <li>Each {@link KeyState}'s own lock guards its definition, status, pending decrease, reserved
 *       amount, debt and hold queue. A reserve takes the locks of its keys in ascending lock order
 *       and reads the clock only once it holds them all, so per key the holds are checked and
 *       taken at one consistent instant.</li>
 *   <li>Each {@link Lease} record's monitor guards its outcome and holds; the reserve that creates
 *       a record holds its monitor until it has decided, so two concurrent reserves with the same
 *       lease id take capacity once. Lock order: lease monitor, then key locks (ascending), then a
 *       sweeper shard lock or a stripe of the finished-record bounds (below); never the reverse.</li>
 *   <li>The bounds on tombstones and denials are striped, each stripe under its own monitor; a
 *       stripe lock is a leaf, like a sweeper shard's ({@link FinishedLeases}).</li>
 * </ul>
 * {@link #install} and {@link #tryApplyDecrease} take one key lock; the service calls them from one
 * thread at a time, but they are safe concurrently with everything else too.
 *
 * <p>Arithmetic never wraps: sums of held amounts use {@link Math#addExact} (they cannot exceed the
 * capacity, so it never throws), expiries and debt saturate at {@link Long#MAX_VALUE}.
 */
public final class MemoryBackend implements Backend {
    /** Default bound of the tombstone and denial memories. */
    public static final int DEFAULT_MAX_TOMBSTONES = 100_000;
    /**
     * How many times a reserve starts over when the record it waited for was abandoned by a
     * concurrent reserve of the same lease id; each start-over needs another such race, so a real
     * workload never comes near it.
     */
    private static final int MAX_RESERVE_ATTEMPTS = 16;
    /** At most this many leases of a batch are decided under one taking of their keys' locks. */
    static final int GROUP_MAX_LEASES = 256;
    /** At most this many distinct keys are locked at once by a batch (a single lease may name more). */
    static final int GROUP_MAX_KEYS = 64;

    private static final Hold[] NO_HOLDS = new Hold[0];
    private static final int DEFAULT_EXPECTED_LEASES = 16;
    private static final int MAX_EXPECTED_LEASES = 1 << 24;
    private static final long JOURNAL_BYTES_PER_LEASE_MIN = 48;
    /** Stands for "no actual sent for this key" in {@link #reconcile}; valid actuals are never negative. */
    private static final long NO_ACTUAL = -1;

    private final Clock clock;
    private final RetryHints retryHints;
    private final ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();
    /** Keys read back from the journal that the registry has not installed yet; moved to {@link #keys} by install. */
    private final ConcurrentHashMap<String, KeyState> restoredKeys = new ConcurrentHashMap<>();
    /** Where every change to the books is recorded before it is answered; null when the journal is off. */
    private final Journal journal;

    private final ConcurrentHashMap<String, Lease> leases;
    private final LeaseSweeper sweeper = new LeaseSweeper();
    /** Completed and dropped records, kept in {@link #leases} as tombstones, within their bound. */
    private final FinishedLeases tombstones;
    /** Denied records, kept in {@link #leases} for sticky denials, within their bound. */
    private final FinishedLeases denials;

    private volatile boolean closed;

    public MemoryBackend(Clock clock, RetryHints retryHints) {
        this(clock, retryHints, DEFAULT_MAX_TOMBSTONES);
    }

    /**
     * @param maxTombstones how many dropped lease ids, and separately how many denied lease ids, are
     *     remembered (at least 1)
     */
    public MemoryBackend(Clock clock, RetryHints retryHints, int maxTombstones) {
        this(clock, retryHints, maxTombstones, (JournalOpener) null, DEFAULT_EXPECTED_LEASES);
    }

    /**
     * A backend that keeps its books in a journal in {@code settings.directory()}: it starts with the
     * books read back from there (holds, debts, lease records; what expired while the process was
     * down is gone), records every change, and answers a change only once its record is durable. The
     * backend owns the journal and closes it.
     *
     * @param maxTombstones how many dropped lease ids, and separately how many denied lease ids, are
     *     remembered (at least 1)
     * @throws dev.ratelimiter.core.journal.JournalDamagedException naming the file and byte offset
     *     when the journal is damaged other than by a torn last record
     * @throws IOException when the journal's directory cannot be read or written
     */
    public static MemoryBackend withJournal(
            Clock clock, RetryHints retryHints, int maxTombstones, JournalSettings settings, JournalIo io)
            throws IOException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(io, "io");
        try {
            return new MemoryBackend(
                    clock,
                    retryHints,
                    maxTombstones,
                    replay -> Journal.open(settings, io, clock, maxTombstones, replay),
                    expectedLeases(settings));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * How many lease records the journal in {@code settings} may hold, from its size (a record takes
     * at least about {@link #JOURNAL_BYTES_PER_LEASE_MIN} bytes): the lease map is made that large at
     * once, because growing a concurrent map step by step to a million entries was most of the time a
     * start with a million holds took, after garbage collection.
     */
    private static int expectedLeases(JournalSettings settings) {
        long bytes = 0;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(settings.directory())) {
            bytes = files.mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException e) {
            // No directory yet (a first start): nothing to read back, the default size will do.
        }
        return (int)
                Math.min(MAX_EXPECTED_LEASES, Math.max(DEFAULT_EXPECTED_LEASES, bytes / JOURNAL_BYTES_PER_LEASE_MIN));
    }

    /** Opens the journal, folding every record it reads back into the backend under construction. */
    @FunctionalInterface
    private interface JournalOpener {
        Journal open(Consumer<JournalRecord> replay) throws IOException;
    }

    /** @throws UncheckedIOException when the journal cannot be read back (unwrapped by {@link #withJournal}) */
    private MemoryBackend(
            Clock clock, RetryHints retryHints, int maxTombstones, JournalOpener opener, int expectedLeases) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryHints = Objects.requireNonNull(retryHints, "retryHints");
        if (maxTombstones < 1) {
            throw new IllegalArgumentException("maxTombstones must be at least 1, got " + maxTombstones);
        }
        this.leases = new ConcurrentHashMap<>(expectedLeases);
        this.tombstones = new FinishedLeases(leases, maxTombstones);
        this.denials = new FinishedLeases(leases, maxTombstones);
        if (opener == null) {
            this.journal = null;
            return;
        }
        Restore restore = new Restore();
        Journal opened;
        try {
            opened = opener.open(restore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.journal = opened;
        restore.finish(clock.nowMillis());
    }

    @Override
    public void install(LimitState state) {
        ensureOpen();
        KeyState restored = restoredKeys.remove(state.key());
        KeyState created = restored == null ? new KeyState(state) : restored;
        if (restored != null) {
            restored.lock();
            try {
                restored.apply(state);
            } finally {
                restored.unlock();
            }
        }
        KeyState existing = keys.putIfAbsent(state.key(), created);
        if (existing == null) {
            return;
        }
        existing.lock();
        try {
            existing.apply(state);
        } finally {
            existing.unlock();
        }
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        ensureOpen();
        KeyState state = keys.get(key);
        if (state == null) {
            return false;
        }
        state.lock();
        try {
            state.purgeExpired(clock.nowMillis());
            return state.tryApplyDecrease();
        } finally {
            state.unlock();
        }
    }

    /** Reserves; with the journal on, returns once the admission's record is durable. */
    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        ensureOpen();
        if (journal == null) {
            return decideInMemory(request).response;
        }
        journal.ensureWritable();
        Decided decided = decideInMemory(request);
        journal.awaitDurable(decided.seq);
        return decided.response;
    }

    /**
     * Decides on the calling thread without waiting for I/O; with the journal on, the future completes
     * once the admission's record is durable (on the journal's writer thread), or fails with a
     * {@link BackendException}.
     */
    @Override
    public CompletableFuture<ReserveResponse> reserveAsync(ReserveRequest request) {
        return failuresInFuture(() -> {
            ensureOpen();
            if (journal == null) {
                return CompletableFuture.completedFuture(decideInMemory(request).response);
            }
            journal.ensureWritable();
            Decided decided = decideInMemory(request);
            return whenDurable(decided.seq, decided.response);
        });
    }

    /**
     * Reserves a batch: answers as a loop of {@link #reserve} in request order would, but takes each
     * key's lock once per group of leases instead of once per lease ({@link #decideAllInMemory}).
     */
    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        ensureOpen();
        if (journal == null) {
            return settleReserves(decideAllInMemory(requests), true);
        }
        journal.ensureWritable();
        List<Decided> decided = decideAllInMemory(requests);
        boolean durable = awaitQuietly(lastSeq(decided));
        return settleReserves(decided, durable);
    }

    @Override
    public CompletableFuture<List<ReserveResponse>> reserveAllAsync(List<ReserveRequest> requests) {
        return failuresInFuture(() -> {
            ensureOpen();
            if (journal == null) {
                return CompletableFuture.completedFuture(settleReserves(decideAllInMemory(requests), true));
            }
            journal.ensureWritable();
            List<Decided> decided = decideAllInMemory(requests);
            return journal.durable(lastSeq(decided))
                    .handle((durable, failure) -> settleReserves(decided, failure == null));
        });
    }

    /** Completes; with the journal on, returns once the complete's record is durable. */
    @Override
    public CompleteResponse complete(CompleteRequest request) {
        ensureOpen();
        if (journal == null) {
            completeInMemory(request);
            return CompleteResponse.succeeded();
        }
        journal.ensureWritable();
        journal.awaitDurable(completeInMemory(request));
        return CompleteResponse.succeeded();
    }

    @Override
    public CompletableFuture<CompleteResponse> completeAsync(CompleteRequest request) {
        return failuresInFuture(() -> {
            ensureOpen();
            if (journal == null) {
                completeInMemory(request);
                return CompletableFuture.completedFuture(CompleteResponse.succeeded());
            }
            journal.ensureWritable();
            return whenDurable(completeInMemory(request), CompleteResponse.succeeded());
        });
    }

    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        ensureOpen();
        if (journal == null) {
            return Backend.super.completeAll(requests);
        }
        journal.ensureWritable();
        long[] seqs = completeAllInMemory(requests);
        return settleCompletes(seqs, awaitQuietly(max(seqs)));
    }

    @Override
    public CompletableFuture<List<CompleteResponse>> completeAllAsync(List<CompleteRequest> requests) {
        return failuresInFuture(() -> {
            ensureOpen();
            if (journal == null) {
                return CompletableFuture.completedFuture(Backend.super.completeAll(requests));
            }
            journal.ensureWritable();
            long[] seqs = completeAllInMemory(requests);
            return journal.durable(max(seqs)).handle((durable, failure) -> settleCompletes(seqs, failure == null));
        });
    }

    /** {@code answer} once journal record {@code seq} is durable; a {@link BackendException} when it cannot be. */
    private <T> CompletableFuture<T> whenDurable(long seq, T answer) {
        return journal.durable(seq).handle((durable, failure) -> {
            if (failure != null) {
                throw Journal.failure(failure);
            }
            return answer;
        });
    }

    /** Runs an async form's call now; a failure fails the returned future instead of being thrown. */
    private static <T> CompletableFuture<T> failuresInFuture(java.util.function.Supplier<CompletableFuture<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * An answer decided in memory and the journal record it acknowledges: 0 when it acknowledges
     * nothing that must be durable first (a denial, a refusal, or the journal is off).
     */
    private record Decided(ReserveResponse response, long seq) {}

    private static final Decided NOT_DECIDED = null;

    private Decided decideInMemory(ReserveRequest request) {
        sweep();
        for (int attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
            Decided repeat = answerFromRecord(request);
            if (repeat != NOT_DECIDED) {
                return repeat;
            }
            Lease fresh = new Lease(request.leaseId(), LeaseSweeper.shardOf(request.leaseId()));
            synchronized (fresh) {
                if (leases.putIfAbsent(request.leaseId(), fresh) != null) {
                    continue;
                }
                ReserveResponse response = decide(fresh, request);
                return new Decided(response, response.allowed() ? fresh.journalSeq : 0);
            }
        }
        throw contended(request);
    }

    private static BackendException contended(ReserveRequest request) {
        return new BackendException("lease " + request.leaseId() + " was contended by " + MAX_RESERVE_ATTEMPTS
                + " concurrent reserves that each gave up; send it again");
    }

    /**
     * The answer of a reserve whose lease id has a record, from that record; null when the id has
     * none (any more), so that the reserve is decided afresh. Holds no lock when called, and waits
     * only for the monitor of the record it answers from.
     */
    private Decided answerFromRecord(ReserveRequest request) {
        for (int attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
            Lease existing = leases.get(request.leaseId());
            if (existing == null) {
                return NOT_DECIDED;
            }
            Decided repeat = answerRepeat(existing, request);
            if (repeat != NOT_DECIDED) {
                return repeat;
            }
        }
        throw contended(request);
    }

    /**
     * Decides a batch as a loop of {@link #decideInMemory} in request order would, group by group:
     * each group takes the locks of its distinct keys once, in the same ascending lock order every
     * reserve uses, and decides its new leases one after another under them.
     */
    private List<Decided> decideAllInMemory(List<ReserveRequest> requests) {
        Decided[] decided = new Decided[requests.size()];
        int start = 0;
        while (start < decided.length) {
            start = decideGroup(requests, start, decided);
        }
        return Arrays.asList(decided);
    }

    /**
     * Decides the group of {@code requests} that starts at {@code start} into {@code decided}; returns
     * where the next group starts. A group has at most {@link #GROUP_MAX_LEASES} leases and {@link
     * #GROUP_MAX_KEYS} distinct keys (but at least one lease), so that a large batch cannot hold keys
     * long enough to starve other callers, and never names one lease id twice: a repeat inside a
     * batch is answered, in the next group, from the record its first occurrence left.
     *
     * <p>Why this answers as the loop would: a reserve of an id with a record is answered from the
     * record alone (and the clock), whatever the keys hold, so those are answered first, without key
     * locks. The others are decided in request order under the group's key locks, each exactly as
     * {@link #decide} would. Lock order is kept: a new record's monitor is taken while the key locks
     * are held, but the record is not yet published then, so nobody else can hold it; should
     * another thread publish the same id first, that request is left for the single path after the
     * group, when this thread holds nothing. Without such a race (every sequential caller), the
     * answers, the key states and the journal records are those of the loop, with one exception
     * that the bound on finished records allows: when the group's own denials and completions push
     * the record of an id out of that bound before the loop would have reached the id, the loop
     * would decide it afresh where the batch answered from the record (as the loop would have with
     * a bound one larger). Both answers are ones SPEC 5.1 allows; no capacity check is skipped.
     */
    private int decideGroup(List<ReserveRequest> requests, int start, Decided[] decided) {
        Set<String> leaseIds = new HashSet<>();
        Map<KeyState, Boolean> distinct = new IdentityHashMap<>();
        List<KeyState[]> statesOf = new ArrayList<>();
        int end = start;
        while (end < requests.size() && end - start < GROUP_MAX_LEASES) {
            ReserveRequest request = requests.get(end);
            if (leaseIds.contains(request.leaseId())) {
                break;
            }
            KeyState[] states = statesOf(request.requirements());
            int newKeys = 0;
            for (KeyState state : states) {
                newKeys += state != null && !distinct.containsKey(state) ? 1 : 0;
            }
            if (end > start && distinct.size() + newKeys > GROUP_MAX_KEYS) {
                break;
            }
            for (KeyState state : states) {
                if (state != null) {
                    distinct.put(state, Boolean.TRUE);
                }
            }
            leaseIds.add(request.leaseId());
            statesOf.add(states);
            end++;
        }
        for (int i = start; i < end; i++) {
            // One sweep step per lease, as the single path takes: each adds at most one record and
            // a step drops up to LeaseSweeper.SWEEP_BATCH, so records of leases nobody completes
            // cannot pile up (one step per group let a batch of 256 add 256 and drop 8).
            sweep();
        }
        boolean anyNew = false;
        for (int i = start; i < end; i++) {
            decided[i] = answerFromRecord(requests.get(i));
            anyNew |= decided[i] == NOT_DECIDED;
        }
        if (anyNew) {
            KeyState[] lockOrder = lockOrder(distinct.keySet().toArray(new KeyState[0]));
            int locked = 0;
            try {
                for (KeyState state : lockOrder) {
                    state.lock();
                    locked++;
                }
                for (int i = start; i < end; i++) {
                    if (decided[i] == NOT_DECIDED) {
                        decided[i] = decideNewLocked(requests.get(i), statesOf.get(i - start));
                    }
                }
            } finally {
                for (int i = locked - 1; i >= 0; i--) {
                    lockOrder[i].unlock();
                }
            }
        }
        for (int i = start; i < end; i++) {
            if (decided[i] == NOT_DECIDED) {
                // Another thread published this id between the look-up and the decision.
                decided[i] = decideInMemory(requests.get(i));
            }
        }
        return end;
    }

    /**
     * Decides a reserve whose id had no record, with every known key's lock held; null when another
     * thread published a record for the id meanwhile (the caller then starts over without locks).
     */
    private Decided decideNewLocked(ReserveRequest request, KeyState[] states) {
        Lease fresh = new Lease(request.leaseId(), LeaseSweeper.shardOf(request.leaseId()));
        // Not yet published: nobody else can hold this monitor, so taking it under key locks cannot wait.
        synchronized (fresh) {
            if (leases.putIfAbsent(request.leaseId(), fresh) != null) {
                return NOT_DECIDED;
            }
            List<Requirement> requirements = request.requirements();
            ReserveResponse malformed = checkShape(requirements);
            ReserveResponse response =
                    malformed != null ? abandon(fresh, malformed) : decideLocked(fresh, requirements, states);
            return new Decided(response, response.allowed() ? fresh.journalSeq : 0);
        }
    }

    /** The state of each requirement's key, null for a key this backend does not know. */
    private KeyState[] statesOf(List<Requirement> requirements) {
        KeyState[] states = new KeyState[requirements.size()];
        for (int i = 0; i < states.length; i++) {
            states[i] = keys.get(requirements.get(i).key());
        }
        return states;
    }

    /** Each answer as decided when its records are durable; otherwise the admissions among them are backend errors. */
    private static List<ReserveResponse> settleReserves(List<Decided> decided, boolean durable) {
        List<ReserveResponse> responses = new ArrayList<>(decided.size());
        for (Decided one : decided) {
            responses.add(durable || one.seq == 0 ? one.response : ReserveResponse.refused(Refusal.BACKEND_ERROR));
        }
        return responses;
    }

    private static List<CompleteResponse> settleCompletes(long[] seqs, boolean durable) {
        List<CompleteResponse> responses = new ArrayList<>(seqs.length);
        for (long seq : seqs) {
            responses.add(
                    durable || seq == 0
                            ? CompleteResponse.succeeded()
                            : CompleteResponse.failed(ErrorCodes.BACKEND_ERROR));
        }
        return responses;
    }

    private long[] completeAllInMemory(List<CompleteRequest> requests) {
        long[] seqs = new long[requests.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = completeInMemory(requests.get(i));
        }
        return seqs;
    }

    private static long lastSeq(List<Decided> decided) {
        long last = 0;
        for (Decided one : decided) {
            last = Math.max(last, one.seq);
        }
        return last;
    }

    private static long max(long[] seqs) {
        long last = 0;
        for (long seq : seqs) {
            last = Math.max(last, seq);
        }
        return last;
    }

    /** Waits for a batch's records; false when they did not become durable (the batch's acknowledgements fail). */
    private boolean awaitQuietly(long seq) {
        try {
            journal.awaitDurable(seq);
            return true;
        } catch (BackendException e) {
            return false;
        }
    }

    /**
     * Completes in memory and records the outcome; returns the journal record the answer acknowledges
     * (0: none, or the journal is off). The complete of a lease already completed acknowledges that
     * earlier complete's record.
     */
    private long completeInMemory(CompleteRequest request) {
        sweep();
        Lease lease = leases.get(request.leaseId());
        if (lease == null) {
            return 0;
        }
        synchronized (lease) {
            if (lease.outcome != Lease.Outcome.LIVE) {
                return lease.journalSeq;
            }
            long nowMillis = clock.nowMillis();
            List<Actual> actuals = request.actuals();
            Map<String, Long> byKey = actuals.size() > RepeatedKeys.PAIRWISE_UP_TO ? actualsByKey(actuals) : null;
            Hold[] holds = lease.holds;
            long[] amountsAfter = journal == null ? null : new long[holds.length];
            long[] debtsAdded = journal == null ? null : new long[holds.length];
            for (int i = 0; i < holds.length; i++) {
                Hold hold = holds[i];
                long actual =
                        byKey == null ? actualFor(actuals, hold.key.key) : byKey.getOrDefault(hold.key.key, NO_ACTUAL);
                if (journal == null && keepsWithoutLock(hold, actual)) {
                    continue;
                }
                reconcile(hold, actual, nowMillis, amountsAfter, debtsAdded, i);
            }
            if (journal != null) {
                lease.journalSeq = journal.append(completedRecord(lease, amountsAfter, debtsAdded));
            }
            // What is still held now expires by itself in its key's queue and can no longer change:
            // the record is only needed to answer repeats, which the tombstone does.
            drop(lease);
            sweeper.cancel(lease);
            return lease.journalSeq;
        }
    }

    /**
     * The usage of {@code key} after dropping expired holds. An unknown key has no usage: all zero.
     * While a key is decreasing, {@code available} is measured against the capacity still in force.
     */
    @Override
    public Usage usage(String key) {
        ensureOpen();
        KeyState state = keys.get(key);
        if (state == null) {
            return new Usage(0, 0, 0);
        }
        state.lock();
        try {
            state.purgeExpired(clock.nowMillis());
            return Usage.of(state.capacity(), state.reserved(), state.debt());
        } finally {
            state.unlock();
        }
    }

    /**
     * The async forms (and usage, health) are bounded work under this process's own locks: no I/O, no
     * unbounded wait. With the journal on, the sync forms wait for the fsync of their record; the
     * async forms hand that wait to the journal's writer thread, which completes their futures.
     */
    @Override
    public boolean neverBlocks() {
        return true;
    }

    /** Open, and with the journal on, the journal is being written (SPEC 5.1: /healthz answers 503 otherwise). */
    @Override
    public boolean isHealthy() {
        return !closed && (journal == null || journal.isHealthy());
    }

    /**
     * Marks the backend closed; later calls fail with {@link BackendException}. Closes the journal
     * after writing what is queued (bounded). Safe to call twice.
     */
    @Override
    public void close() {
        closed = true;
        if (journal != null) {
            journal.close();
        }
    }

    /** The journal, for measurements (fsyncs, records, bytes); empty when the journal is off. */
    public java.util.Optional<Journal> journal() {
        return java.util.Optional.ofNullable(journal);
    }

    /** How many records of admitted, not yet finished leases are kept now (for tests of the bounds). */
    int leaseRecordCount() {
        int live = 0;
        for (Lease lease : leases.values()) {
            synchronized (lease) {
                live += lease.outcome == Lease.Outcome.LIVE ? 1 : 0;
            }
        }
        return live;
    }

    /** How many tombstones (completed or dropped records) are kept (for tests of the bounds). */
    int tombstoneCount() {
        return tombstones.size();
    }

    /** How many denied records are kept (for tests of the bounds). */
    int deniedLeaseCount() {
        return denials.size();
    }

    /** How many lease records wait in the sweeper (for tests of the bounds). */
    int scheduledSweepCount() {
        return sweeper.scheduledCount();
    }

    /** How many holds of {@code key} are in its heap, expired ones not yet dropped included. */
    int holdCount(String key) {
        KeyState state = keys.get(key);
        if (state == null) {
            return 0;
        }
        state.lock();
        try {
            return state.holdCount();
        } finally {
            state.unlock();
        }
    }

    static long saturatingAdd(long a, long b) {
        long sum = a + b;
        // Overflow happened iff both operands have the sign opposite to the result's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /**
     * Answers a reserve for a lease id with a record; null when the record was abandoned meanwhile
     * or is a denial old enough to forget, so the caller starts over.
     */
    private Decided answerRepeat(Lease lease, ReserveRequest request) {
        synchronized (lease) {
            long nowMillis = clock.nowMillis();
            switch (lease.outcome) {
                case LIVE: {
                    ReserveResponse response = AdmissionRules.repeat(
                            KnownLease.live(lease.leaseId, lease.reservedAtMillis, lease.firstExpiryMillis),
                            () -> AdmissionRules.sameAsSet(requirementsOf(lease), request.requirements()),
                            nowMillis);
                    // A repeat acknowledges the same admission: not before its record is durable.
                    return new Decided(response, response.allowed() ? lease.journalSeq : 0);
                }
                case DROPPED:
                    return new Decided(AdmissionRules.repeat(KnownLease.finished(lease.leaseId), null, nowMillis), 0);
                case DENIED:
                    if (nowMillis >= lease.forgetAtMillis) {
                        // The longest hold the lease asked for would have ended: the id may be
                        // decided afresh. Its entry in the denials bound is evicted later, a no-op.
                        leases.remove(lease.leaseId, lease);
                        return NOT_DECIDED;
                    }
                    return new Decided(
                            AdmissionRules.repeat(
                                    KnownLease.denied(lease.leaseId, lease.retryAfterMs), null, nowMillis),
                            0);
                case ABANDONED:
                    return NOT_DECIDED;
                case PENDING:
                default:
                    throw new IllegalStateException(
                            "lease " + lease.leaseId + " is " + lease.outcome + " after its creator released it");
            }
        }
    }

    /** Decides a reserve for a record this thread just published; the caller holds its monitor. */
    private ReserveResponse decide(Lease lease, ReserveRequest request) {
        List<Requirement> requirements = request.requirements();
        ReserveResponse malformed = checkShape(requirements);
        if (malformed != null) {
            return abandon(lease, malformed);
        }
        KeyState[] states = statesOf(requirements);
        KeyState[] lockOrder = lockOrder(states);
        int locked = 0;
        try {
            for (KeyState state : lockOrder) {
                state.lock();
                locked++;
            }
            return decideLocked(lease, requirements, states);
        } finally {
            for (int i = locked - 1; i >= 0; i--) {
                lockOrder[i].unlock();
            }
        }
    }

    /** The rest of {@link #decide}, with the lease monitor and every known key's lock held. */
    private ReserveResponse decideLocked(Lease lease, List<Requirement> requirements, KeyState[] states) {
        ReserveResponse refused = AdmissionRules.refusalBeforeFit(requirements, states, retryHints.decreasingMs());
        if (refused != null) {
            return abandon(lease, refused);
        }
        long nowMillis = clock.nowMillis();
        long retryAfterMs = 0;
        long longestHoldMillis = 0;
        for (int i = 0; i < states.length; i++) {
            KeyState state = states[i];
            state.purgeExpired(nowMillis);
            longestHoldMillis = Math.max(longestHoldMillis, holdMillis(state));
            if (!state.fits(requirements.get(i).amount())) {
                retryAfterMs =
                        Math.max(retryAfterMs, AdmissionRules.deniedRetryAfterMs(retryHints, state.definition()));
            }
        }
        if (retryAfterMs > 0) {
            lease.retryAfterMs = retryAfterMs;
            lease.forgetAtMillis = saturatingAdd(nowMillis, longestHoldMillis);
            lease.outcome = Lease.Outcome.DENIED;
            // The record stays in the map as the sticky denial, until the bound evicts it or a
            // repeat after forgetAtMillis removes it.
            denials.add(lease);
            if (journal != null) {
                // Recorded, but not waited for: forgetting a denial is safe (the id then counts as
                // new), so a denial answered just before a crash needs no fsync first.
                lease.journalSeq =
                        journal.append(new JournalRecord.Denied(lease.leaseId, retryAfterMs, lease.forgetAtMillis));
            }
            return ReserveResponse.denied(retryAfterMs);
        }
        return admit(lease, requirements, states, nowMillis);
    }

    private ReserveResponse admit(Lease lease, List<Requirement> requirements, KeyState[] states, long nowMillis) {
        Hold[] holds = new Hold[states.length];
        long firstExpiryMillis = Long.MAX_VALUE;
        long lastExpiryMillis = Long.MIN_VALUE;
        for (int i = 0; i < states.length; i++) {
            KeyState state = states[i];
            long expiresAtMillis = saturatingAdd(nowMillis, holdMillis(state));
            holds[i] = state.hold(requirements.get(i).amount(), expiresAtMillis);
            firstExpiryMillis = Math.min(firstExpiryMillis, expiresAtMillis);
            lastExpiryMillis = Math.max(lastExpiryMillis, expiresAtMillis);
            retryHints.admitted(state.key);
        }
        lease.holds = holds;
        lease.requirements = requirements;
        lease.reservedAtMillis = nowMillis;
        lease.firstExpiryMillis = firstExpiryMillis;
        lease.dropAtMillis = lastExpiryMillis;
        lease.outcome = Lease.Outcome.LIVE;
        sweeper.schedule(lease, lastExpiryMillis);
        if (journal != null) {
            lease.journalSeq = journal.append(reservedRecord(lease));
        }
        return ReserveResponse.allowed(nowMillis);
    }

    /**
     * Reconciles one hold of a completing lease with its actual ({@link #NO_ACTUAL} when none was
     * sent). A negative actual never gets past the service's validation; should one reach the
     * backend directly it counts as no actual, which keeps the hold as reserved (the safe side).
     * With the journal on, writes what the hold still counts and the debt it added at {@code index}
     * of {@code amountsAfter} and {@code debtsAdded} (null with the journal off).
     * Takes the hold's key lock; the caller holds the lease monitor.
     */
    private static void reconcile(
            Hold hold, long actual, long nowMillis, long[] amountsAfter, long[] debtsAdded, int index) {
        KeyState state = hold.key;
        state.lock();
        try {
            long debt = reconcileLocked(state, hold, actual, nowMillis);
            if (amountsAfter != null) {
                amountsAfter[index] = state.isHeld(hold) ? hold.amount : 0;
                debtsAdded[index] = debt;
            }
        } finally {
            state.unlock();
        }
    }

    /**
     * Whether completing {@code hold} with {@code actual} keeps it as it is (a rolling hold without
     * an actual, or with the amount held), so that the key's lock need not be taken: nothing of the
     * key changes, and its expired holds are dropped by the next call that locks it anyway. Saves
     * three of the four lock round trips of a typical complete. The definition is read without the
     * lock: it is an immutable record, so a stale one is a whole one, and a stale kind can only keep
     * a hold that a fresh one would release (the safe side). The caller holds the lease monitor,
     * under which alone a live hold's amount changes.
     */
    private static boolean keepsWithoutLock(Hold hold, long actual) {
        LimitDefinition definition = hold.key.definitionWithoutLock();
        return definition != null
                && AdmissionRules.settle(definition.kind(), hold.amount, actual) == AdmissionRules.Settlement.KEEP;
    }

    /** The rest of {@link #reconcile}, under the key's lock; returns the debt it added. */
    private static long reconcileLocked(KeyState state, Hold hold, long actual, long nowMillis) {
        if (!state.isInstalled()) {
            // A key read back from the journal that the registry no longer has: nothing can reserve
            // it, so its holds no longer matter; they expire with the rest.
            return 0;
        }
        state.purgeExpired(nowMillis);
        if (!state.isHeld(hold)) {
            return 0;
        }
        switch (AdmissionRules.settle(state.definition().kind(), hold.amount, actual)) {
            case RELEASE:
                state.release(hold);
                return 0;
            case SHRINK:
                state.shrink(hold, actual);
                return 0;
            case OVERAGE:
                return holdOverage(state, hold, actual - hold.amount);
            case KEEP:
            default:
                return 0;
        }
    }

    /** Holds, records as debt or drops the overage of a hold (SPEC 2.3); returns the debt it added. */
    private static long holdOverage(KeyState state, Hold hold, long overage) {
        switch (AdmissionRules.overage(
                state.decreasing(), state.fits(overage), state.definition().overage())) {
            case HOLD:
                state.grow(hold, overage);
                return 0;
            case DEBT:
                state.addDebt(overage);
                return overage;
            case DROP:
            default:
                return 0;
        }
    }

    // ---- The journal: records of changes, and the books read back at start ----

    /** The record of an admission; the caller holds the lease monitor and every key lock of it. */
    private static JournalRecord.Reserved reservedRecord(Lease lease) {
        List<JournalRecord.HeldAmount> held = new ArrayList<>(lease.holds.length);
        for (Hold hold : lease.holds) {
            held.add(new JournalRecord.HeldAmount(
                    hold.key.key,
                    hold.amount,
                    hold.expiresAtMillis,
                    hold.key.definition().kind() == LimitKind.CONCURRENCY));
        }
        return new JournalRecord.Reserved(lease.leaseId, lease.reservedAtMillis, held);
    }

    private static JournalRecord.Completed completedRecord(Lease lease, long[] amountsAfter, long[] debtsAdded) {
        List<Long> amounts = new ArrayList<>(amountsAfter.length);
        List<JournalRecord.KeyAmount> debts = new ArrayList<>(0);
        for (int i = 0; i < amountsAfter.length; i++) {
            amounts.add(amountsAfter[i]);
            if (debtsAdded[i] > 0) {
                debts.add(new JournalRecord.KeyAmount(lease.holds[i].key.key, debtsAdded[i]));
            }
        }
        return new JournalRecord.Completed(lease.leaseId, amounts, debts);
    }

    /**
     * Folds the records the journal reads back at start into this backend, which is not yet published:
     * one thread, no locks needed. Records carry outcomes, so folding needs no capacity check. Holds
     * are collected per key and put into the keys' queues at the end, in expiry order, leaving out
     * those that were released or have expired; keys wait in {@link #restoredKeys} until the registry
     * installs them.
     */
    private final class Restore implements Consumer<JournalRecord> {
        private final Map<KeyState, List<Hold>> byKey = new HashMap<>();

        @Override
        public void accept(JournalRecord record) {
            if (record instanceof JournalRecord.Reserved reserved) {
                reserved(reserved);
            } else if (record instanceof JournalRecord.Completed completed) {
                completed(completed);
            } else if (record instanceof JournalRecord.Denied denied) {
                Lease lease = replace(denied.leaseId());
                lease.outcome = Lease.Outcome.DENIED;
                lease.retryAfterMs = denied.retryAfterMs();
                lease.forgetAtMillis = denied.forgetAtMillis();
                denials.add(lease);
            } else if (record instanceof JournalRecord.Tombstone tombstone) {
                Lease lease = replace(tombstone.leaseId());
                lease.outcome = Lease.Outcome.DROPPED;
                tombstones.add(lease);
            } else if (record instanceof JournalRecord.OrphanHold orphan) {
                KeyState state = restoredKey(orphan.key());
                byKey.computeIfAbsent(state, k -> new ArrayList<>())
                        .add(new Hold(state, orphan.amount(), orphan.expiresAtMillis()));
            } else if (record instanceof JournalRecord.Debt debt) {
                restoredKey(debt.key()).addDebt(debt.amount());
            }
        }

        private void reserved(JournalRecord.Reserved reserved) {
            Lease lease = replace(reserved.leaseId());
            Hold[] holds = new Hold[reserved.holds().size()];
            long firstExpiryMillis = Long.MAX_VALUE;
            long lastExpiryMillis = Long.MIN_VALUE;
            for (int i = 0; i < holds.length; i++) {
                JournalRecord.HeldAmount held = reserved.holds().get(i);
                KeyState state = restoredKey(held.key());
                holds[i] = new Hold(state, held.amount(), held.expiresAtMillis());
                firstExpiryMillis = Math.min(firstExpiryMillis, held.expiresAtMillis());
                lastExpiryMillis = Math.max(lastExpiryMillis, held.expiresAtMillis());
                byKey.computeIfAbsent(state, k -> new ArrayList<>()).add(holds[i]);
            }
            lease.holds = holds;
            // Left for requirementsOf to derive from the holds when a repeat asks: three objects
            // fewer per lease, which at a million leases is much of what a start spends collecting garbage.
            lease.requirements = null;
            lease.reservedAtMillis = reserved.reservedAtMillis();
            lease.firstExpiryMillis = firstExpiryMillis;
            lease.dropAtMillis = lastExpiryMillis;
            lease.outcome = Lease.Outcome.LIVE;
            sweeper.schedule(lease, lastExpiryMillis);
        }

        private void completed(JournalRecord.Completed completed) {
            // Debt is the key's: it counts even when the lease's record is gone.
            for (JournalRecord.KeyAmount debt : completed.debts()) {
                restoredKey(debt.key()).addDebt(debt.amount());
            }
            Lease lease = leases.get(completed.leaseId());
            if (lease == null || lease.outcome != Lease.Outcome.LIVE) {
                return;
            }
            for (int i = 0; i < lease.holds.length; i++) {
                // 0 marks a hold as released; finish leaves it out.
                lease.holds[i].amount = i < completed.amountsAfter().size()
                        ? completed.amountsAfter().get(i)
                        : 0;
            }
            sweeper.cancel(lease);
            drop(lease);
        }

        /** A fresh record for {@code leaseId}, replacing one the id had (it was forgotten before it came back). */
        private Lease replace(String leaseId) {
            Lease lease = new Lease(leaseId, LeaseSweeper.shardOf(leaseId));
            Lease previous = leases.put(leaseId, lease);
            if (previous != null && previous.outcome == Lease.Outcome.LIVE) {
                sweeper.cancel(previous);
            }
            return lease;
        }

        /** Puts every hold that still counts at {@code nowMillis} into its key's queue, in expiry order. */
        void finish(long nowMillis) {
            Comparator<Hold> byExpiry = Comparator.comparingLong(hold -> hold.expiresAtMillis);
            byKey.forEach((state, holds) -> {
                holds.sort(byExpiry);
                for (Hold hold : holds) {
                    if (hold.amount > 0 && hold.expiresAtMillis > nowMillis) {
                        state.restore(hold);
                    }
                }
            });
        }
    }

    private KeyState restoredKey(String key) {
        return restoredKeys.computeIfAbsent(key, KeyState::new);
    }

    /**
     * The actual sent for {@code key}, or {@link #NO_ACTUAL}. A linear search: a complete names a
     * handful of keys, and a map would cost more to build than the search costs; longer lists (the
     * limit is configurable up to thousands) go through {@link #actualsByKey}, so that a complete
     * never costs holds x actuals. With duplicate keys the first one counts, here and there; the
     * service's validator refuses duplicates before they get here.
     */
    private static long actualFor(List<Actual> actuals, String key) {
        for (Actual actual : actuals) {
            if (actual.key().equals(key)) {
                return actual.actualAmount();
            }
        }
        return NO_ACTUAL;
    }

    private static Map<String, Long> actualsByKey(List<Actual> actuals) {
        Map<String, Long> byKey = new HashMap<>();
        for (Actual actual : actuals) {
            byKey.putIfAbsent(actual.key(), actual.actualAmount());
        }
        return byKey;
    }

    /**
     * Drops lease records that are due, at most a bounded batch per call. Runs before the caller
     * takes any lock, so it may take lease monitors without breaking the lock order.
     */
    private void sweep() {
        long nowMillis = clock.nowMillis();
        for (Lease lease : sweeper.due(nowMillis)) {
            synchronized (lease) {
                if (lease.outcome == Lease.Outcome.LIVE && nowMillis >= lease.dropAtMillis) {
                    drop(lease);
                }
            }
        }
    }

    /**
     * Turns a record into its own tombstone: it lets go of its holds and requirements and stays in
     * the map, answering repeats with {@code lease_expired}, until the bound evicts it. The caller
     * holds the lease monitor.
     */
    private void drop(Lease lease) {
        lease.outcome = Lease.Outcome.DROPPED;
        lease.holds = NO_HOLDS;
        lease.requirements = List.of();
        tombstones.add(lease);
    }

    /** Forgets a record that took nothing; a waiting repeat starts over and is decided afresh. */
    private ReserveResponse abandon(Lease lease, ReserveResponse answer) {
        lease.outcome = Lease.Outcome.ABANDONED;
        leases.remove(lease.leaseId, lease);
        return answer;
    }

    /** Duplicate keys or amounts below 1 never reach a backend through the service; refuse them anyway. */
    private static ReserveResponse checkShape(List<Requirement> requirements) {
        if (requirements.isEmpty()) {
            return ReserveResponse.refused(Refusal.INVALID_REQUEST);
        }
        for (Requirement requirement : requirements) {
            if (requirement.amount() < 1) {
                return ReserveResponse.refused(Refusal.INVALID_REQUEST);
            }
        }
        if (RepeatedKeys.firstRepeat(requirements, Requirement::key) >= 0) {
            return ReserveResponse.refused(Refusal.INVALID_REQUEST);
        }
        return null;
    }

    /**
     * The requirements a live lease was admitted with. A lease read back from the journal keeps none
     * (null): its holds have not changed since the reserve (a complete drops the record), so they say
     * the same. The caller holds the lease monitor.
     */
    private static List<Requirement> requirementsOf(Lease lease) {
        if (lease.requirements != null) {
            return lease.requirements;
        }
        List<Requirement> requirements = new ArrayList<>(lease.holds.length);
        for (Hold hold : lease.holds) {
            // Read without the key lock: only a complete changes a hold's amount, under the lease
            // monitor this caller holds, and a live lease has not been completed.
            requirements.add(new Requirement(hold.key.key, hold.amount));
        }
        return requirements;
    }

    /**
     * The known keys of a reserve in ascending {@link KeyState#lockOrder}: the order every reserve
     * takes their locks in. Insertion sort: a lease names a handful of keys.
     */
    private static KeyState[] lockOrder(KeyState[] states) {
        KeyState[] order = new KeyState[states.length];
        int count = 0;
        for (KeyState state : states) {
            if (state == null) {
                continue;
            }
            int at = count++;
            while (at > 0 && order[at - 1].lockOrder > state.lockOrder) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = state;
        }
        return count == order.length ? order : Arrays.copyOf(order, count);
    }

    /** The hold length of a key in milliseconds, saturating instead of overflowing. */
    private static long holdMillis(KeyState state) {
        LimitKind kind = state.definition().kind();
        long seconds = kind == LimitKind.ROLLING
                ? state.definition().windowSeconds()
                : state.definition().timeoutSeconds();
        return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : Math.max(0, seconds) * 1000;
    }

    private void ensureOpen() {
        if (closed) {
            throw new BackendException("the memory backend is closed");
        }
    }
}
