package dev.ratelimiter.tigerbeetle;

import com.tigerbeetle.CreateAccountResult;
import com.tigerbeetle.CreateTransferResult;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The four TigerBeetle operations the backend uses, asynchronous, in the backend's own types, and
 * the life of the client session they travel on.
 * {@link TigerBeetleLedgerClient} wraps the real client; tests script their own to drive the
 * {@link Submitter} without a cluster.
 *
 * <p>Contract: a returned future belongs to the implementation (for the real client, completing it
 * ourselves makes the client halt the JVM). Callers only attach dependents to it and never complete,
 * cancel or time it out. Nothing here times out by itself; {@link Submitter} adds every timeout.
 * Implementations are thread-safe.
 */
interface LedgerClient extends AutoCloseable {

    /**
     * Creates transfers in order; the answer has one result per transfer, {@code Ok} included, and
     * the cluster time of the commit.
     */
    CompletableFuture<TransferResults> createTransfers(List<Transfer> transfers);

    /** Creates accounts in order; the answer has one result per account, {@code Ok} included. */
    CompletableFuture<List<CreateAccountResult>> createAccounts(List<NewAccount> accounts);

    /** The accounts that exist among {@code ids}, in no particular order. */
    CompletableFuture<List<AccountRecord>> lookupAccounts(List<LedgerId> ids);

    /** The transfers that exist among {@code ids}, in no particular order. */
    CompletableFuture<List<TransferRecord>> lookupTransfers(List<LedgerId> ids);

    /**
     * Opens a fresh session to replace one that stopped answering: after an outage the old session
     * resends with a backoff that grows to about 10 s, a fresh one connects and registers at once.
     * The answer completes once the fresh session was answered and became the current one (the
     * old one is then closed and its outstanding requests fail); it never completes if the fresh
     * session is dropped first (a newer one won, the current one answered again, or the client
     * closed). Never blocks.
     */
    CompletableFuture<Void> renewSession();

    /**
     * Why the cluster refuses this client's session (evicted, or a release the cluster does not
     * accept), or empty while it does not. Cleared once a request on the current session succeeds.
     */
    Optional<String> sessionProblem();

    /** Releases the client; every request still outstanding fails. Never blocks without bound. */
    @Override
    void close();

    /**
     * The answer to one {@code create_transfers} request.
     *
     * @param results one per transfer, in order
     * @param timestampNanos the cluster time of the commit (the reply header's timestamp), in
     *     nanoseconds since the Unix epoch: every transfer of the request was created at most a
     *     few microseconds before it, and a pending transfer's timeout starts then
     */
    record TransferResults(List<CreateTransferResult> results, long timestampNanos) {

        public TransferResults {
            results = List.copyOf(results);
        }

        /** The results of transfers {@code from} (inclusive) to {@code to} (exclusive), with the same time. */
        TransferResults slice(int from, int to) {
            return new TransferResults(results.subList(from, to), timestampNanos);
        }
    }

    /** An account to create on ledger 1 with code 1. */
    record NewAccount(LedgerId id, int flags) {}

    /** An account as TigerBeetle reports it. Amounts are u128, hence BigInteger. */
    record AccountRecord(
            LedgerId id,
            BigInteger debitsPending,
            BigInteger debitsPosted,
            BigInteger creditsPending,
            BigInteger creditsPosted,
            int flags) {

        /** {@code credits_posted - debits_posted}: for a limit account, its capacity. */
        BigInteger balance() {
            return creditsPosted.subtract(debitsPosted);
        }
    }

    /**
     * A transfer as TigerBeetle reports it.
     *
     * @param amount the amount when it fits in a long (every amount this backend writes does); -1 otherwise
     * @param timestampNanos when the cluster created it, in nanoseconds since the Unix epoch
     */
    record TransferRecord(
            LedgerId id,
            LedgerId debitAccount,
            LedgerId creditAccount,
            long amount,
            LedgerId pendingId,
            LedgerId userData128,
            long userData64,
            long timeoutSeconds,
            int flags,
            long timestampNanos) {}
}
