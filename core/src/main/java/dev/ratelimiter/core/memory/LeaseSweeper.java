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
 * <p>Each shard keeps its records like a key keeps its holds ({@link HoldQueue}): records whose sweep
 * time is no earlier than the newest one's (leases on the same keys, the usual case) are appended to
 * a ring, O(1) in and out; the others go to a heap. A record cancelled while in the ring (its lease
 * completed) leaves its slot empty, found by the record's sequence number; empty slots are compacted
 * away once they are more than half of the ring, so quickly completed leases cost no heap sift and
 * the ring stays within about twice the records scheduled.
 *
 * <p>Thread-safety: each shard's monitor guards its ring, its heap and the sweep fields of the records in it.
 * A shard lock is a leaf: nothing else is locked while it is held.
 */
final class LeaseSweeper {
    static final int SHARDS = 16;
    static final int SWEEP_BATCH = 8;
    /** Cancelled ring slots are compacted away only beyond this many. */
    static final int COMPACT_AT_LEAST = 16;

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
            shard.remove(lease);
            lease.sweepAtMillis(sweepAtMillis);
            shard.add(lease);
        }
    }

    /** Forgets a record that was dropped before its time. */
    void cancel(Lease lease) {
        Shard shard = shards[lease.shard];
        synchronized (shard) {
            shard.remove(lease);
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
        if (shard.earliest > nowMillis) {
            // The common case, without the shard's lock: nothing is due, and nothing is allocated to say so.
            return List.of();
        }
        synchronized (shard) {
            return shard.due(nowMillis);
        }
    }

    /** How many records are scheduled, over all shards (for tests of the bounds). */
    int scheduledCount() {
        int count = 0;
        for (Shard shard : shards) {
            synchronized (shard) {
                count += shard.size();
            }
        }
        return count;
    }

    /** One shard's records: a ring for those scheduled in sweep-time order, a heap for the rest. Guarded by its monitor. */
    private static final class Shard {
        private static final int INITIAL_CAPACITY = 16;

        private final MinHeap<Lease> heap = new MinHeap<>();
        /** The ring's records; null where a record was cancelled. */
        private Lease[] ring = new Lease[INITIAL_CAPACITY];
        /** {@code ringSeq[i]} is the sweep sequence number of the record put in slot {@code i}; ascending from the head. */
        private long[] ringSeq = new long[INITIAL_CAPACITY];
        /** {@code ringAt[i]} is the sweep time of that record. */
        private long[] ringAt = new long[INITIAL_CAPACITY];

        /**
         * No record of this shard is due before this time: a lower bound, written under the monitor
         * and read without it by {@link LeaseSweeper#due}, so that a sweep of a shard with nothing due
         * takes no lock. A stale read can only delay a sweep to the thread's next visit.
         */
        volatile long earliest = Long.MAX_VALUE;

        private int head;
        private int ringSize;
        private int cancelledInRing;
        private long nextSeq;

        void add(Lease lease) {
            if (lease.heapKey() < earliest) {
                earliest = lease.heapKey();
            }
            if (ringSize > 0 && ringAt[slot(ringSize - 1)] > lease.heapKey()) {
                heap.add(lease);
                return;
            }
            if (ringSize == ring.length) {
                resize(Math.multiplyExact(ring.length, 2));
            }
            int slot = slot(ringSize);
            ring[slot] = lease;
            ringSeq[slot] = nextSeq;
            ringAt[slot] = lease.heapKey();
            lease.sweepSeq = nextSeq++;
            lease.inSweepRing = true;
            ringSize++;
        }

        /** Takes the record out of this shard if it is in it. */
        void remove(Lease lease) {
            if (!lease.inSweepRing) {
                heap.remove(lease);
                return;
            }
            lease.inSweepRing = false;
            ring[slotOf(lease.sweepSeq)] = null;
            cancelledInRing++;
            if (cancelledInRing >= COMPACT_AT_LEAST && cancelledInRing > ringSize / 2) {
                compact();
            }
        }

        List<Lease> due(long nowMillis) {
            List<Lease> due = null;
            while (ringSize > 0 && ringAt[head] <= nowMillis && (due == null || due.size() < SWEEP_BATCH)) {
                Lease lease = ring[head];
                ring[head] = null;
                head = (head + 1) & (ring.length - 1);
                ringSize--;
                if (lease == null) {
                    cancelledInRing--;
                    continue;
                }
                lease.inSweepRing = false;
                if (due == null) {
                    due = new ArrayList<>(SWEEP_BATCH);
                }
                due.add(lease);
            }
            shrinkIfSparse();
            while (!heap.isEmpty() && heap.peekKey() <= nowMillis && (due == null || due.size() < SWEEP_BATCH)) {
                if (due == null) {
                    due = new ArrayList<>(SWEEP_BATCH);
                }
                due.add(heap.poll());
            }
            long ringFirst = ringSize > 0 ? ringAt[head] : Long.MAX_VALUE;
            long next = heap.isEmpty() ? ringFirst : Math.min(ringFirst, heap.peekKey());
            if (next != earliest) {
                earliest = next;
            }
            return due == null ? List.of() : due;
        }

        int size() {
            return ringSize - cancelledInRing + heap.size();
        }

        private int slot(int index) {
            return (head + index) & (ring.length - 1);
        }

        /** The slot of a record in the ring: where it was put unless compacted since, else by binary search. */
        private int slotOf(long seq) {
            long offset = seq - ringSeq[head];
            if (offset >= 0 && offset < ringSize && ringSeq[slot((int) offset)] == seq) {
                return slot((int) offset);
            }
            int low = 0;
            int high = ringSize - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                long found = ringSeq[slot(middle)];
                if (found < seq) {
                    low = middle + 1;
                } else if (found > seq) {
                    high = middle - 1;
                } else {
                    return slot(middle);
                }
            }
            throw new IllegalStateException("scheduled record " + seq + " is not in the ring");
        }

        private void compact() {
            int kept = 0;
            for (int i = 0; i < ringSize; i++) {
                int from = slot(i);
                Lease lease = ring[from];
                if (lease == null) {
                    continue;
                }
                int to = slot(kept++);
                ring[from] = null;
                ring[to] = lease;
                ringSeq[to] = ringSeq[from];
                ringAt[to] = ringAt[from];
            }
            ringSize = kept;
            cancelledInRing = 0;
            shrinkIfSparse();
        }

        private void shrinkIfSparse() {
            if (ring.length > INITIAL_CAPACITY && ringSize < ring.length / 4) {
                resize(ring.length / 2);
            }
        }

        private void resize(int capacity) {
            Lease[] leases = new Lease[capacity];
            long[] seqs = new long[capacity];
            long[] times = new long[capacity];
            for (int i = 0; i < ringSize; i++) {
                int from = slot(i);
                leases[i] = ring[from];
                seqs[i] = ringSeq[from];
                times[i] = ringAt[from];
            }
            ring = leases;
            ringSeq = seqs;
            ringAt = times;
            head = 0;
        }
    }
}
