package dev.ratelimiter.core.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * When each lease record may be dropped, so that records of leases nobody completes go away even if
 * their keys are never touched again (SPEC 5.1 and 11).
 *
 * <p>Instead of one global queue (one lock every reserve would contend on), records are spread by
 * a hash of their lease id over {@link #SHARDS} min-heaps, each with its own lock. Every reserve
 * and complete calls {@link #due} for the next shard in its own thread's round-robin and drops at
 * most {@link #SWEEP_BATCH} due records, while it adds at most one: the sweep outpaces the growth,
 * and no record waits for more than a bounded number of one thread's calls after it is due. Neither
 * placing nor sweeping writes a counter that all threads share: on a hot path every shared write
 * moves a cache line between cores.
 *
 * <p>Thread-safety: each shard's monitor guards its heap and the sweep fields of the records in it.
 * A shard lock is a leaf: nothing else is locked while it is held.
 */
final class LeaseSweeper {
    static final int SHARDS = 16;
    static final int SWEEP_BATCH = 8;

    private final Shard[] shards = new Shard[SHARDS];
    /** Each thread's next shard to sweep: one int per thread, written by that thread only. */
    private final ThreadLocal<int[]> nextSweep = ThreadLocal.withInitial(() -> new int[1]);

    LeaseSweeper() {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    /** The shard of a lease id's record: a hash, so the shards fill evenly without a shared counter. */
    static int shardOf(String leaseId) {
        return Stripes.of(leaseId, SHARDS);
    }

    /** (Re)schedules a record to be looked at from {@code sweepAtMillis}. */
    void schedule(Lease lease, long sweepAtMillis) {
        Shard shard = shards[lease.shard];
        synchronized (shard) {
            shard.heap.remove(lease);
            lease.sweepAtMillis(sweepAtMillis);
            shard.heap.add(lease);
        }
    }

    /** Forgets a record that was dropped before its time. */
    void cancel(Lease lease) {
        Shard shard = shards[lease.shard];
        synchronized (shard) {
            shard.heap.remove(lease);
        }
    }

    /**
     * Takes at most {@link #SWEEP_BATCH} records that are due at {@code nowMillis} out of the next
     * shard. The caller decides, under each record's monitor, whether it really may be dropped.
     */
    List<Lease> due(long nowMillis) {
        int[] next = nextSweep.get();
        Shard shard = shards[next[0]];
        next[0] = (next[0] + 1) % SHARDS;
        synchronized (shard) {
            MinHeap<Lease> heap = shard.heap;
            if (heap.isEmpty() || heap.peekKey() > nowMillis) {
                // The common case: nothing is due, and nothing is allocated to say so.
                return List.of();
            }
            List<Lease> due = new ArrayList<>(SWEEP_BATCH);
            while (!heap.isEmpty() && heap.peekKey() <= nowMillis && due.size() < SWEEP_BATCH) {
                due.add(heap.poll());
            }
            return due;
        }
    }

    /** How many records are scheduled, over all shards (for tests of the bounds). */
    int scheduledCount() {
        int count = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                count += shard.heap.size();
            }
        }
        return count;
    }

    private static final class Shard {
        /** Guarded by this shard's monitor. */
        final MinHeap<Lease> heap = new MinHeap<>();
    }
}
