package dev.ratelimiter.tigerbeetle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded, expiring memory of lease records (SPEC 5.2, hazard of SPEC 11: caches must not grow
 * without bound).
 *
 * <p>Each record has a time to be forgotten: a live lease when its last hold expires (after that
 * the cluster has released everything and answers repeats by itself); a completed lease
 * {@code finishedMemoryMs} after the complete, or when its last rolling hold expires if that is
 * later (while a rolling hold lives, only this record knows the lease was completed); a denied lease
 * {@code finishedMemoryMs} after the denial (after that the cluster's {@code id_already_failed}
 * keeps it denied). Expired records are dropped lazily, a bounded number per call, through a min-heap by
 * time. When more than {@code capacity} records are held, the ones due soonest are dropped first;
 * forgetting is always safe, because the cluster still holds the truth.
 *
 * <p>Thread-safety: every method is {@code synchronized} on this book, which guards both the map
 * and the heap. Calls are short (a map lookup and a few heap operations).
 */
final class LeaseBook {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseBook.class);
    /** Most expired records dropped per call, so that no caller pays for a large backlog at once. */
    private static final int PRUNE_PER_CALL = 32;

    private record Entry(LeaseRecord record, long forgetAtUnixMs) {}

    private record Due(long atUnixMs, String leaseId) {}

    private final int capacity;
    private final long finishedMemoryMs;
    private final Map<String, Entry> entries = new HashMap<>();
    private final PriorityQueue<Due> dues = new PriorityQueue<>((a, b) -> Long.compare(a.atUnixMs(), b.atUnixMs()));
    private long droppedLiveRecords;

    LeaseBook(int capacity, long finishedMemoryMs) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.finishedMemoryMs = finishedMemoryMs;
    }

    /** The record of {@code leaseId}, or null when there is none or it has been forgotten. */
    synchronized LeaseRecord find(String leaseId, long nowUnixMs) {
        prune(nowUnixMs, PRUNE_PER_CALL);
        Entry entry = entries.get(leaseId);
        if (entry == null || entry.forgetAtUnixMs() <= nowUnixMs) {
            return null;
        }
        return entry.record();
    }

    /** Remembers a lease that now holds capacity, until its last hold expires. */
    synchronized void rememberLive(LeaseRecord record, long nowUnixMs) {
        put(record, record.lastExpiryUnixMs(), nowUnixMs);
    }

    /** Remembers a denied lease for {@code finishedMemoryMs}. */
    synchronized void rememberDenied(LeaseRecord record, long nowUnixMs) {
        put(record, saturatingAdd(nowUnixMs, finishedMemoryMs), nowUnixMs);
    }

    /**
     * Remembers, for {@code finishedMemoryMs}, a lease whose unanswered reserve was settled: whatever
     * it held is released, so a repeat answers {@code lease_expired} like a completed lease.
     */
    synchronized void rememberSettled(String leaseId, Map<String, Long> requirements, long nowUnixMs) {
        LeaseRecord settled =
                LeaseRecord.live(leaseId, requirements, List.of(), nowUnixMs).withStatus(LeaseRecord.Status.COMPLETED);
        put(settled, saturatingAdd(nowUnixMs, finishedMemoryMs), nowUnixMs);
    }

    /**
     * Marks a live lease as being completed and returns it, or returns null when there is nothing to
     * complete (unknown, forgotten, denied, already completed or being completed): then the complete
     * answers ok and changes nothing (SPEC 2.3).
     */
    synchronized LeaseRecord beginComplete(String leaseId, long nowUnixMs) {
        Entry entry = entries.get(leaseId);
        if (entry == null
                || entry.forgetAtUnixMs() <= nowUnixMs
                || entry.record().status() != LeaseRecord.Status.LIVE) {
            return null;
        }
        LeaseRecord record = entry.record();
        entries.put(leaseId, new Entry(record.withStatus(LeaseRecord.Status.COMPLETING), entry.forgetAtUnixMs()));
        return record;
    }

    /** Ends a complete begun with {@link #beginComplete}: completed, or back to live so that a retry does it again. */
    synchronized void endComplete(String leaseId, boolean completed, long nowUnixMs) {
        Entry entry = entries.get(leaseId);
        if (entry == null || entry.record().status() != LeaseRecord.Status.COMPLETING) {
            return;
        }
        if (!completed) {
            entries.put(leaseId, new Entry(entry.record().withStatus(LeaseRecord.Status.LIVE), entry.forgetAtUnixMs()));
            return;
        }
        long keepUntil = Math.max(
                saturatingAdd(nowUnixMs, finishedMemoryMs), entry.record().lastRollingExpiryUnixMs());
        long forgetAt = Math.min(entry.forgetAtUnixMs(), keepUntil);
        entries.put(leaseId, new Entry(entry.record().withStatus(LeaseRecord.Status.COMPLETED), forgetAt));
        if (forgetAt != entry.forgetAtUnixMs()) {
            dues.add(new Due(forgetAt, leaseId));
        }
    }

    synchronized int size() {
        return entries.size();
    }

    private void put(LeaseRecord record, long forgetAtUnixMs, long nowUnixMs) {
        prune(nowUnixMs, PRUNE_PER_CALL);
        entries.put(record.leaseId(), new Entry(record, forgetAtUnixMs));
        dues.add(new Due(forgetAtUnixMs, record.leaseId()));
        while (entries.size() > capacity && !dues.isEmpty()) {
            dropDue(dues.poll(), true);
        }
        if (dues.size() > 2 * capacity + 1_024) {
            rebuildDues();
        }
    }

    private void prune(long nowUnixMs, int budget) {
        for (int i = 0; i < budget && !dues.isEmpty() && dues.peek().atUnixMs() <= nowUnixMs; i++) {
            dropDue(dues.poll(), false);
        }
    }

    /** Drops the record a heap entry points to, unless the record was replaced with another time since. */
    private void dropDue(Due due, boolean overCapacity) {
        Entry entry = entries.get(due.leaseId());
        if (entry == null || entry.forgetAtUnixMs() != due.atUnixMs()) {
            return;
        }
        entries.remove(due.leaseId());
        if (overCapacity && entry.record().status() == LeaseRecord.Status.LIVE) {
            droppedLiveRecords++;
            if (droppedLiveRecords == 1 || droppedLiveRecords % 10_000 == 0) {
                LOG.warn("lease records are at their bound of " + capacity + "; dropped " + droppedLiveRecords
                        + " live records so far (their holds expire by themselves)");
            }
        }
    }

    /** Removes stale heap entries, which pile up when records are replaced; keeps the heap within bound. */
    private void rebuildDues() {
        dues.clear();
        for (Map.Entry<String, Entry> entry : entries.entrySet()) {
            dues.add(new Due(entry.getValue().forgetAtUnixMs(), entry.getKey()));
        }
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
