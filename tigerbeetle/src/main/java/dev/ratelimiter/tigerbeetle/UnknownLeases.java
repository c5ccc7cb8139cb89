package dev.ratelimiter.tigerbeetle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reserves whose chain was sent to the cluster and never answered (SPEC 5.2): the caller got
 * {@code backend_error}, but the cluster may have applied the chain, or may still apply it, and
 * then its holds would take capacity for a whole window that nobody uses. Each one is kept here
 * until it is settled: either its lease id is retried (then the retry decides, as an idempotent
 * repeat), or, once the cluster answers and a grace period has passed, the backend resubmits the
 * same chain to make its outcome definite and voids whatever it holds.
 *
 * <p>Bounded: at most {@code capacity} entries; beyond it the oldest is dropped with a log line
 * (its holds, if any, then expire by themselves, which only ever under-admits). An entry is also
 * dropped once every hold it could have taken has expired.
 *
 * <p>Thread-safety: every method is {@code synchronized} on this object, which guards the map.
 */
final class UnknownLeases {
    private static final Logger LOG = LoggerFactory.getLogger(UnknownLeases.class);

    /** What became of a lease id that a caller retries. */
    enum Retry {
        /** Not an unknown lease: reserve as usual. */
        NOT_UNKNOWN,
        /** It was unknown; the retry now decides its fate (its chain is the same, so the cluster answers "exists" if it was applied). */
        TAKEN_BY_RETRY,
        /** Being settled right now: answer {@code backend_error}; the next retry finds it settled. */
        SETTLING
    }

    /**
     * One unanswered reserve.
     *
     * @param requirements the lease's requirements, sorted by key as the holds in its chain are
     * @param chain the exact chain sent, resubmitted unchanged when settling
     * @param sentAtUnixMs when it was sent, by this server's clock
     * @param forgetAtUnixMs when every hold it could have taken has expired for sure
     */
    record Entry(
            String leaseId,
            SortedMap<String, Long> requirements,
            List<Transfer> chain,
            long sentAtUnixMs,
            long forgetAtUnixMs) {

        Entry {
            requirements = Collections.unmodifiableSortedMap(new TreeMap<>(requirements));
            chain = List.copyOf(chain);
            if (requirements.size() != chain.size()) {
                throw new IllegalArgumentException("a lease's chain holds one transfer per requirement");
            }
        }
    }

    private final int capacity;
    /** Insertion order is age order: the oldest entries come first. */
    private final Map<String, Entry> waiting = new LinkedHashMap<>();

    private final Map<String, Entry> settling = new LinkedHashMap<>();
    private long dropped;

    UnknownLeases(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Keeps an unanswered reserve until it is settled or retried. */
    synchronized void remember(Entry entry) {
        waiting.remove(entry.leaseId());
        waiting.put(entry.leaseId(), entry);
        while (waiting.size() + settling.size() > capacity && !waiting.isEmpty()) {
            Iterator<String> oldest = waiting.keySet().iterator();
            oldest.next();
            oldest.remove();
            dropped++;
            if (dropped == 1 || dropped % 10_000 == 0) {
                LOG.warn("unknown leases are at their bound of " + capacity + "; dropped " + dropped
                        + " so far (whatever they hold expires by itself)");
            }
        }
    }

    /** A caller retries {@code leaseId}: takes it out of the waiting entries, or says it is being settled. */
    synchronized Retry takeForRetry(String leaseId) {
        if (settling.containsKey(leaseId)) {
            return Retry.SETTLING;
        }
        return waiting.remove(leaseId) == null ? Retry.NOT_UNKNOWN : Retry.TAKEN_BY_RETRY;
    }

    /**
     * Claims the entries sent at least {@code graceMs} ago for settling, oldest first, at most
     * {@code max}; drops the ones whose holds have all expired.
     */
    synchronized List<Entry> claimDue(long nowUnixMs, long graceMs, int max) {
        List<Entry> due = new ArrayList<>();
        Iterator<Entry> entries = waiting.values().iterator();
        while (entries.hasNext() && due.size() < max) {
            Entry entry = entries.next();
            if (entry.forgetAtUnixMs() <= nowUnixMs) {
                entries.remove();
            } else if (nowUnixMs - entry.sentAtUnixMs() >= graceMs) {
                entries.remove();
                settling.put(entry.leaseId(), entry);
                due.add(entry);
            } else {
                break;
            }
        }
        return due;
    }

    /** Ends the settling of a claimed entry: done, or back to waiting for the next attempt. */
    synchronized void endSettling(Entry entry, boolean settled) {
        if (settling.remove(entry.leaseId()) != null && !settled) {
            waiting.put(entry.leaseId(), entry);
        }
    }

    synchronized int size() {
        return waiting.size() + settling.size();
    }
}
