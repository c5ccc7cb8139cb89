package dev.ratelimiter.core.memory;

import dev.ratelimiter.core.model.Requirement;
import java.util.List;

/**
 * The memory backend's record of one lease id, from its first reserve until it is evicted as a
 * finished record ({@link FinishedLeases}).
 *
 * <p>Thread-safety: the record's own monitor ({@code synchronized (lease)}) guards the fields
 * marked so. The creating reserve holds the monitor from before it publishes the record until the
 * outcome is decided, so a concurrent reserve with the same lease id waits and then answers from
 * the decided outcome instead of taking capacity a second time. Lock order: a lease monitor may be
 * held while taking key locks, a sweeper shard lock or a {@link FinishedLeases} stripe lock, never
 * the other way round.
 *
 * <p>The sweep fields ({@link #heapKey()}, {@link #heapIndex()}) are guarded by the lock of the
 * sweeper shard {@link #shard}, because the sweeper reorders them without the lease monitor.
 */
final class Lease implements HeapEntry {
    /**
     * Where a record stands. {@code DENIED} and {@code DROPPED} records stay in the lease map, within
     * the bounds of {@link FinishedLeases}, to answer repeats; an {@code ABANDONED} one leaves it at
     * once. A completed lease is dropped at once: what it still holds expires by itself in its keys'
     * queues.
     */
    enum Outcome {
        /** The creating reserve is still deciding (only ever seen by the thread holding the monitor). */
        PENDING,
        /** Admitted and not completed; holds may have expired. */
        LIVE,
        /** Denied for capacity: repeats are denied again (sticky). */
        DENIED,
        /** Completed, or dropped after its holds were gone: repeats answer {@code lease_expired}. */
        DROPPED,
        /** Rejected without taking anything (unknown key, decreasing, too large): repeats start over. */
        ABANDONED
    }

    final String leaseId;
    /** The sweeper shard this record is scheduled in; fixed at creation. */
    final int shard;

    /** Guarded by this. */
    Outcome outcome = Outcome.PENDING;
    /**
     * Guarded by this: the requirements as admitted (an immutable list), for idempotent repeats; null
     * for a live lease read back from the journal, whose holds say the same.
     */
    List<Requirement> requirements = List.of();
    /** Guarded by this. */
    long reservedAtMillis;
    /** Guarded by this: when the first hold expires; a repeat from then on answers {@code lease_expired}. */
    long firstExpiryMillis;
    /** Guarded by this: when the last remaining hold expires; the record may be dropped from then on. */
    long dropAtMillis;
    /** Guarded by this: the holds, in request order. */
    Hold[] holds = new Hold[0];
    /** Guarded by this: the hint given when the lease was denied. */
    long retryAfterMs;
    /** Guarded by this: when a denial is forgotten and the id may be decided afresh. */
    long forgetAtMillis;
    /**
     * Guarded by this: the journal sequence number of the last record about this lease (its reserve,
     * complete or denial), 0 when there is none or it was read back at start. An answer that
     * acknowledges what that record says waits until it is durable.
     */
    long journalSeq;

    /** Guarded by the shard lock. */
    private long sweepAtMillis;
    /** Guarded by the shard lock: whether the record is in its shard's ring (else in its heap, or nowhere). */
    boolean inSweepRing;
    /** Guarded by the shard lock: the record's sequence number in its shard's ring while {@link #inSweepRing}. */
    long sweepSeq;
    /** Guarded by the shard lock. */
    private int heapIndex = NOT_IN_HEAP;

    Lease(String leaseId, int shard) {
        this.leaseId = leaseId;
        this.shard = shard;
    }

    /** Sets the sweep time; only while the record is in no heap. Caller holds the shard lock. */
    void sweepAtMillis(long millis) {
        sweepAtMillis = millis;
    }

    @Override
    public long heapKey() {
        return sweepAtMillis;
    }

    @Override
    public int heapIndex() {
        return heapIndex;
    }

    @Override
    public void heapIndex(int index) {
        heapIndex = index;
    }
}
