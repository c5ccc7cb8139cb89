package dev.ratelimiter.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When each lease record may be dropped, so that records of leases nobody completes go away even if
 * their keys are never touched again (SPEC 5.1 and 11).
 *
 * <p>Instead of one global queue (one lock every reserve would contend on), records are spread
 * round-robin over {@link #SHARDS} min-heaps, each with its own lock. Every reserve and complete
 * calls {@link #due} for the next shard in turn and drops at most {@link #SWEEP_BATCH} due records,
 * while it adds at most one: the sweep outpaces the growth, and no record waits for more than a
 * bounded number of calls after it is due.
 *
 * <p>Thread-safety: each shard's monitor guards its heap and the sweep fields of the records in it.
 * A shard lock is a leaf: nothing else is locked while it is held.
 */
final class LeaseSweeper {
    static final int SHARDS = 16;
    static final int SWEEP_BATCH = 8;

    private final Shard[] shards = new Shard[SHARDS];
    /** Separate counters for placing and sweeping, so that neither can skip a shard for good. */
    private final AtomicInteger nextPlacement = new AtomicInteger();
    private final AtomicInteger nextSweep = new AtomicInteger();

    LeaseSweeper() {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    /** The shard for a new record; round-robin so the shards fill evenly. */
    int nextShard() {
        return Math.floorMod(nextPlacement.getAndIncrement(), SHARDS);
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
        Shard shard = shards[Math.floorMod(nextSweep.getAndIncrement(), SHARDS)];
        List<Lease> due = new ArrayList<>(0);
        synchronized (shard) {
            while (due.size() < SWEEP_BATCH) {
                Lease first = shard.heap.peek();
                if (first == null || first.heapKey() > nowMillis) {
                    break;
                }
                due.add(shard.heap.poll());
            }
        }
        return due;
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
