package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.AccountBatch;
import com.tigerbeetle.Batch;
import com.tigerbeetle.Client;
import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateAccountResultBatch;
import com.tigerbeetle.CreateTransferResult;
import com.tigerbeetle.CreateTransferResultBatch;
import com.tigerbeetle.IdBatch;
import com.tigerbeetle.PacketStatus;
import com.tigerbeetle.RequestException;
import com.tigerbeetle.TransferBatch;
import com.tigerbeetle.UInt128;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LedgerClient} on {@code com.tigerbeetle:tigerbeetle-java}. Converts between the backend's
 * records and the client's batch cursors, and never touches the client's futures except to attach
 * conversions to them (NOTES-STACK: completing one makes the client halt the JVM).
 *
 * <p>Sessions: the cluster can end this client's session (it answers {@code ClientEvicted}, for
 * instance after too many other clients), and every later request on that session would fail the
 * same way, so the client is replaced by a fresh one and the old one is closed in the background.
 * {@link #renewSession()} opens a candidate session for a session that stopped answering: the
 * candidate registers with the cluster and looks up an unused account, and the first candidate
 * that is answered becomes the current session (the others and the old one are closed). A
 * candidate is never closed for being slow before {@link #CANDIDATES_MAX} newer ones exist, so a
 * registration that takes seconds on a busy cluster is not cut short by the next renewal. When the
 * current session answers again first, the candidates retire: it works, and promoting one later
 * would fail the requests outstanding on it for nothing. A retiring session is closed once its
 * probe is answered or fails, never while it may be registering ({@link #OPEN_SESSIONS_MAX}). A cluster
 * that refuses this client's release ({@code ClientReleaseTooLow}/{@code TooHigh}) is reported by
 * {@link #sessionProblem()}; a new session would be refused too, so nothing is replaced then.
 *
 * <p>Thread-safety: the TigerBeetle client is thread-safe; the current client is held in an
 * {@link AtomicReference} and swapped under {@code this} lock, one replacement at a time; the
 * problem is a volatile string.
 */
final class TigerBeetleLedgerClient implements LedgerClient {
    private static final Logger LOG = LoggerFactory.getLogger(TigerBeetleLedgerClient.class);
    /** How long {@link #close()} waits for the native client to shut down before leaving it to a daemon thread. */
    private static final long CLOSE_WAIT_MS = 2_000;
    /**
     * Candidate sessions kept at once: with renewals every 0.5 s early in an outage each has 2 s to
     * register, with renewals every 2 s later 8 s.
     */
    static final int CANDIDATES_MAX = 4;
    /**
     * Candidate and retiring sessions open at once; no candidate opens beyond it. A session is
     * closed only once its registration is over: closing a tigerbeetle-java 0.16.30 client at the
     * moment its registration is answered panics the native client and ends the JVM (seen in the
     * replicated chaos suite: {@code reached unreachable code} in {@code signal_notify_callback}),
     * so a candidate no longer wanted retires until its probe is answered or fails.
     */
    static final int OPEN_SESSIONS_MAX = 8;
    /** How long a session may go unanswered before it may be closed to make room at {@link #OPEN_SESSIONS_MAX}. */
    static final long STUCK_MS = 10_000;
    /** An account id no limit uses, looked up by a candidate session to learn that the cluster answers it. */
    private static final long PROBE_ACCOUNT_LOW = 1;
    /** The release of the tigerbeetle-java dependency (the pom pins it), for the release-mismatch message. */
    static final String CLIENT_RELEASE = "0.16.30";

    private final byte[] clusterId;
    private final String[] addresses;
    private final AtomicReference<Client> client;
    /** True while a replacement for an evicted client is being made, so that only one is. */
    private final AtomicBoolean replacing = new AtomicBoolean();

    private volatile boolean closed;
    /** Why the cluster refuses the current session, or null; see {@link #sessionProblem()}. */
    private volatile String problem;
    /** Candidate sessions opened by {@link #renewSession()}, oldest first; guarded by itself. */
    private final ArrayDeque<Client> candidates = new ArrayDeque<>();
    /**
     * Sessions no longer wanted whose probe is still unanswered: closed once it is answered or
     * fails (their registration is over then); guarded by {@link #candidates}.
     */
    private final Set<Client> retiring = new LinkedHashSet<>();
    /** When each candidate was opened ({@link System#nanoTime()}); guarded by {@link #candidates}. */
    private final Map<Client, Long> openedAt = new HashMap<>();
    /** Whether {@link #candidates} may be non-empty; read without the lock on every answer. */
    private volatile boolean renewing;

    private TigerBeetleLedgerClient(byte[] clusterId, String[] addresses) {
        this.clusterId = clusterId;
        this.addresses = addresses;
        this.client = new AtomicReference<>(new Client(clusterId, addresses));
    }

    /**
     * Creates the client. Returns at once, also when no replica answers: the client connects in the
     * background and requests wait until it does (or until {@link Submitter} times them out).
     *
     * @throws IllegalArgumentException when the client refuses the cluster id or an address
     */
    static TigerBeetleLedgerClient open(BigInteger clusterId, List<String> addresses) {
        try {
            return new TigerBeetleLedgerClient(UInt128.asBytes(clusterId), addresses.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the TigerBeetle client refused addresses " + addresses + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<TransferResults> createTransfers(List<Transfer> transfers) {
        TransferBatch batch = new TransferBatch(transfers.size());
        for (Transfer transfer : transfers) {
            batch.add();
            batch.setId(transfer.id().low(), transfer.id().high());
            batch.setDebitAccountId(
                    transfer.debitAccount().low(), transfer.debitAccount().high());
            batch.setCreditAccountId(
                    transfer.creditAccount().low(), transfer.creditAccount().high());
            batch.setAmount(transfer.amount(), 0);
            batch.setPendingId(transfer.pendingId().low(), transfer.pendingId().high());
            batch.setUserData128(
                    transfer.userData128().low(), transfer.userData128().high());
            batch.setUserData64(transfer.userData64());
            batch.setTimeout((int) transfer.timeoutSeconds());
            batch.setLedger(Transfer.LEDGER);
            batch.setCode(Transfer.CODE);
            batch.setFlags(transfer.flags());
        }
        int size = transfers.size();
        return request(current -> current.createTransfersAsync(batch), results -> transferResults(results, size));
    }

    @Override
    public CompletableFuture<Void> renewSession() {
        CompletableFuture<Void> promoted = new CompletableFuture<>();
        Client stuck = null;
        synchronized (candidates) {
            if (closed) {
                return promoted;
            }
            if (candidates.size() + retiring.size() >= OPEN_SESSIONS_MAX) {
                stuck = oldestStuck(System.nanoTime());
                if (stuck == null) {
                    // Every open session is still registering, none for long: one of them has to finish first.
                    return promoted;
                }
            }
        }
        if (stuck != null) {
            closeInBackground(stuck, false);
        }
        Client candidate;
        try {
            candidate = new Client(clusterId, addresses);
        } catch (RuntimeException e) {
            LOG.warn("could not open a new TigerBeetle session; keeping the current one", e);
            return promoted;
        }
        boolean closedMeanwhile;
        synchronized (candidates) {
            closedMeanwhile = closed;
            if (!closedMeanwhile) {
                candidates.addLast(candidate);
                openedAt.put(candidate, System.nanoTime());
                renewing = true;
                if (candidates.size() > CANDIDATES_MAX) {
                    retiring.add(candidates.pollFirst());
                }
            }
        }
        if (closedMeanwhile) {
            // close() ran meanwhile; a session that is still registering is left to end with the JVM.
            return promoted;
        }
        IdBatch probe = new IdBatch(1);
        probe.add(PROBE_ACCOUNT_LOW, 0);
        CompletableFuture<AccountBatch> answer;
        try {
            answer = candidate.lookupAccountsAsync(probe);
        } catch (RuntimeException e) {
            forget(candidate);
            return promoted;
        }
        // A dependent only; the client's own future is never completed here.
        answer.whenComplete((accounts, error) -> {
            if (error == null && promote(candidate)) {
                promoted.complete(null);
            } else {
                // Registered (or refused) by now, so closing it is safe; see OPEN_SESSIONS_MAX.
                forget(candidate);
            }
        });
        return promoted;
    }

    /** Makes an answered candidate the current session; the other candidates retire. False if it retired first. */
    private boolean promote(Client winner) {
        Client old;
        synchronized (candidates) {
            if (closed || !candidates.remove(winner)) {
                return false;
            }
            openedAt.remove(winner);
            retiring.addAll(candidates);
            candidates.clear();
            renewing = false;
            old = client.getAndSet(winner);
        }
        // The submitter logs once per outage; a renewal is no news of its own.
        LOG.debug("a renewed TigerBeetle session was answered; it replaces the one that stopped answering");
        // Registered long ago: closing it only fails its outstanding requests.
        closeInBackground(old, false);
        return true;
    }

    /** The current session {@code answered} again while candidates were open: they are not needed. */
    private void retireCandidates(Client answered) {
        synchronized (candidates) {
            if (client.get() != answered) {
                return;
            }
            retiring.addAll(candidates);
            candidates.clear();
            renewing = false;
        }
    }

    /**
     * At the bound of open sessions, the oldest that has been registering for {@link #STUCK_MS}
     * (retiring first, then candidates), taken out of the books for closing; null if none has.
     * Closing it is the one risk taken with the native client's assertion (see {@link
     * #OPEN_SESSIONS_MAX}): after that long without an answer its registration is resent with a
     * backoff of seconds, so an answer landing in the few milliseconds of its close is unlikely,
     * and without it a long outage would leave only stale sessions to notice the cluster's return.
     * Caller holds {@link #candidates}.
     */
    private Client oldestStuck(long nowNanos) {
        long stuckNanos = TimeUnit.MILLISECONDS.toNanos(STUCK_MS);
        for (Iterable<Client> group : List.<Iterable<Client>>of(retiring, candidates)) {
            for (Client open : group) {
                Long opened = openedAt.get(open);
                if (opened != null && nowNanos - opened >= stuckNanos) {
                    retiring.remove(open);
                    candidates.remove(open);
                    openedAt.remove(open);
                    renewing = !candidates.isEmpty();
                    return open;
                }
            }
        }
        return null;
    }

    /** Closes a candidate whose probe was answered or failed, unless it became the current session. */
    private void forget(Client candidate) {
        boolean mine;
        synchronized (candidates) {
            mine = candidates.remove(candidate) | retiring.remove(candidate);
            openedAt.remove(candidate);
            renewing = !candidates.isEmpty();
        }
        if (mine) {
            closeInBackground(candidate, false);
        }
    }

    @Override
    public Optional<String> sessionProblem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> accounts) {
        AccountBatch batch = new AccountBatch(accounts.size());
        for (NewAccount account : accounts) {
            batch.add();
            batch.setId(account.id().low(), account.id().high());
            batch.setLedger(Transfer.LEDGER);
            batch.setCode(Transfer.CODE);
            batch.setFlags(account.flags());
        }
        int size = accounts.size();
        return request(current -> current.createAccountsAsync(batch), results -> accountResults(results, size));
    }

    @Override
    public CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids) {
        IdBatch batch = idBatch(ids);
        return request(current -> current.lookupAccountsAsync(batch), TigerBeetleLedgerClient::accounts);
    }

    @Override
    public CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids) {
        IdBatch batch = idBatch(ids);
        return request(current -> current.lookupTransfersAsync(batch), TigerBeetleLedgerClient::transfers);
    }

    @Override
    public void close() {
        List<Client> open = new ArrayList<>();
        synchronized (candidates) {
            closed = true;
            open.addAll(candidates);
            open.addAll(retiring);
            candidates.clear();
            retiring.clear();
            openedAt.clear();
            renewing = false;
        }
        open.forEach(candidate -> closeInBackground(candidate, false));
        closeInBackground(client.get(), true);
    }

    /**
     * Sends one request on the current client and converts its answer. The conversion is a
     * dependent of the client's future, so the future handed back is ours to give away.
     */
    private <B, R> CompletableFuture<R> request(Function<Client, CompletableFuture<B>> send, Function<B, R> convert) {
        Client current = client.get();
        CompletableFuture<B> answer;
        try {
            answer = send.apply(current);
        } catch (RuntimeException e) {
            // A closed client throws at submission; report it like any failed request.
            return CompletableFuture.failedFuture(e);
        }
        return answer.handle((batch, error) -> {
            if (error != null) {
                noteRefusal(current, error);
                throw error instanceof CompletionException completion ? completion : new CompletionException(error);
            }
            if (problem != null && client.get() == current) {
                problem = null;
            }
            if (renewing) {
                retireCandidates(current);
            }
            return convert.apply(batch);
        });
    }

    /** Records why the cluster refused the session, and replaces an evicted one. */
    private void noteRefusal(Client refused, Throwable error) {
        Throwable cause = Submitter.unwrap(error);
        if (!(cause instanceof RequestException request) || client.get() != refused) {
            return;
        }
        byte status = request.getStatus();
        if (status == PacketStatus.ClientReleaseTooLow.value || status == PacketStatus.ClientReleaseTooHigh.value) {
            String reason = "the TigerBeetle cluster refuses this client's release (" + PacketStatus.fromValue(status)
                    + "): the server uses tigerbeetle-java " + CLIENT_RELEASE + ", run a cluster that accepts it";
            if (!reason.equals(problem)) {
                LOG.error(reason);
            }
            problem = reason;
            return;
        }
        if (status != PacketStatus.ClientEvicted.value || !replacing.compareAndSet(false, true)) {
            return;
        }
        problem = "the TigerBeetle cluster evicted this server's session (too many clients, or it restarted"
                + " with other sessions); continuing on a new session";
        // Not on this thread: it is the client's own, which must not wait on a new client's start.
        Thread replacer = new Thread(
                () -> {
                    try {
                        replace(refused, "TigerBeetle evicted this client's session; continuing on a new session");
                    } finally {
                        replacing.set(false);
                    }
                },
                "tigerbeetle-client-replace");
        replacer.setDaemon(true);
        replacer.start();
    }

    /** Swaps {@code stale} for a fresh client and closes it in the background; the caller holds {@code replacing}. */
    private void replace(Client stale, String logLine) {
        try {
            if (closed || client.get() != stale) {
                return;
            }
            Client fresh = new Client(clusterId, addresses);
            client.set(fresh);
            if (closed) {
                // close() ran meanwhile and closed the stale client; this one is ours to close.
                closeInBackground(fresh, false);
                return;
            }
            LOG.warn(logLine);
            closeInBackground(stale, false);
        } catch (RuntimeException e) {
            LOG.warn("could not replace the TigerBeetle client; requests keep failing", e);
        }
    }

    private static void closeInBackground(Client closing, boolean wait) {
        Thread closer = new Thread(
                () -> {
                    try {
                        closing.close();
                    } catch (RuntimeException e) {
                        LOG.debug("closing a TigerBeetle client failed; it is being dropped anyway", e);
                    }
                },
                "tigerbeetle-client-close");
        closer.setDaemon(true);
        closer.start();
        if (!wait) {
            return;
        }
        try {
            closer.join(CLOSE_WAIT_MS);
            if (closer.isAlive()) {
                LOG.warn("the TigerBeetle client did not close within " + CLOSE_WAIT_MS
                        + " ms; leaving it to a daemon thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static IdBatch idBatch(List<LedgerId> ids) {
        IdBatch batch = new IdBatch(ids.size());
        for (LedgerId id : ids) {
            batch.add(id.low(), id.high());
        }
        return batch;
    }

    private static TransferResults transferResults(CreateTransferResultBatch batch, int size) {
        CreateTransferResult[] results = new CreateTransferResult[size];
        Arrays.fill(results, CreateTransferResult.Ok);
        batch.beforeFirst();
        while (batch.next()) {
            results[checkedIndex(batch.getIndex(), size)] = batch.getResult();
        }
        Batch.Header header = batch.getHeader();
        if (header == null || header.getTimestamp() <= 0) {
            throw new IllegalStateException("TigerBeetle answered create_transfers without a commit timestamp");
        }
        return new TransferResults(List.of(results), header.getTimestamp());
    }

    private static List<CreateAccountResult> accountResults(CreateAccountResultBatch batch, int size) {
        CreateAccountResult[] results = new CreateAccountResult[size];
        Arrays.fill(results, CreateAccountResult.Ok);
        batch.beforeFirst();
        while (batch.next()) {
            results[checkedIndex(batch.getIndex(), size)] = batch.getResult();
        }
        return List.of(results);
    }

    private static int checkedIndex(int index, int size) {
        if (index < 0 || index >= size) {
            throw new IllegalStateException("TigerBeetle answered for event " + index + " of a batch of " + size);
        }
        return index;
    }

    private static List<AccountRecord> accounts(AccountBatch batch) {
        List<AccountRecord> accounts = new ArrayList<>(batch.getLength());
        batch.beforeFirst();
        while (batch.next()) {
            accounts.add(new AccountRecord(
                    id(batch.getId(UInt128.LeastSignificant), batch.getId(UInt128.MostSignificant)),
                    batch.getDebitsPending(),
                    batch.getDebitsPosted(),
                    batch.getCreditsPending(),
                    batch.getCreditsPosted(),
                    batch.getFlags()));
        }
        return accounts;
    }

    private static List<TransferRecord> transfers(TransferBatch batch) {
        List<TransferRecord> transfers = new ArrayList<>(batch.getLength());
        batch.beforeFirst();
        while (batch.next()) {
            long amountHigh = batch.getAmount(UInt128.MostSignificant);
            long amountLow = batch.getAmount(UInt128.LeastSignificant);
            long amount = amountHigh == 0 && amountLow >= 0 ? amountLow : -1;
            transfers.add(new TransferRecord(
                    id(batch.getId(UInt128.LeastSignificant), batch.getId(UInt128.MostSignificant)),
                    id(
                            batch.getDebitAccountId(UInt128.LeastSignificant),
                            batch.getDebitAccountId(UInt128.MostSignificant)),
                    id(
                            batch.getCreditAccountId(UInt128.LeastSignificant),
                            batch.getCreditAccountId(UInt128.MostSignificant)),
                    amount,
                    id(batch.getPendingId(UInt128.LeastSignificant), batch.getPendingId(UInt128.MostSignificant)),
                    id(batch.getUserData128(UInt128.LeastSignificant), batch.getUserData128(UInt128.MostSignificant)),
                    batch.getUserData64(),
                    Integer.toUnsignedLong(batch.getTimeout()),
                    batch.getFlags(),
                    batch.getTimestamp()));
        }
        return transfers;
    }

    private static LedgerId id(long low, long high) {
        return new LedgerId(low, high);
    }
}
