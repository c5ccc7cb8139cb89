package dev.ratelimiter.core.memory;

/**
 * The holds of one key in expiry order: a first-in-first-out ring for holds that arrive in expiry
 * order, and a {@link MinHeap} for the others.
 *
 * <p>Why two structures: every hold of a key lasts the same window (or timeout), so with a clock
 * that does not go back each new hold expires no earlier than the one before it. Appending to a ring
 * and taking expired holds from its head costs O(1), where a heap costs O(log holds) on both ends;
 * with a minute's or a day's holds in one key that difference is most of a reserve's cost. A hold
 * goes to the heap instead only when it would break the ring's order (the wall clock stepped back,
 * the key's window was shortened while older holds still run, or holds read back from the journal
 * out of order).
 *
 * <p>The ring keeps no references to holds, only each entry's sequence number ({@link Hold#ringSeq}),
 * expiry and amount, in three arrays of numbers. Expiring a hold reads only those arrays: the
 * {@link Hold} object, allocated a whole window ago and long gone from the cache, is not touched (a
 * profile of reserve + complete spent a fifth of its time on those misses); and storing a number
 * needs no garbage collector barrier, where storing a young hold into an old array took a fenced
 * card mark (the next profile's top frame). An expired hold keeps {@code held} set; it is known to
 * be gone by its sequence number being behind the ring's ({@link #isHeld}). A held hold is found
 * again by its sequence number: at its original offset from the head until the ring is compacted,
 * by binary search after that (the numbers stay ascending).
 *
 * <p>A hold released while in the ring (a concurrency hold at complete, a rolling hold reconciled to
 * 0) stays there with amount 0 and never counts again; no other hold is touched (SPEC 11: an expiry
 * entry is matched to the exact hold it was created for). Once more than half of the ring (and more
 * than {@link #COMPACT_AT_LEAST}) is released entries, the ring is compacted: O(ring) for at least
 * ring / 2 releases, so O(1) amortized per release, and the ring never holds more than about twice
 * the held holds, released holds included. Compaction moves numbers only; the holds keep their
 * sequence numbers.
 *
 * <p>Not thread-safe: the owning {@link KeyState}'s lock guards every call and every hold in it.
 */
final class HoldQueue {
    private static final int INITIAL_CAPACITY = 16;
    /** Released entries are compacted away only beyond this many, so small rings are never rebuilt. */
    static final int COMPACT_AT_LEAST = 16;

    private final MinHeap<Hold> heap = new MinHeap<>();
    /** {@code ringSeq[i]} is the {@link Hold#ringSeq} of the hold of slot {@code i}; ascending from the head. */
    private long[] ringSeq = new long[INITIAL_CAPACITY];
    /** {@code ringExpiry[i]} is that hold's {@code expiresAtMillis}. */
    private long[] ringExpiry = new long[INITIAL_CAPACITY];
    /** {@code ringAmount[i]} is the amount that hold counts: its amount while held, 0 once released. */
    private long[] ringAmount = new long[INITIAL_CAPACITY];
    /** Index of the ring's oldest entry. */
    private int head;
    /** Every hold with a lower {@link Hold#ringSeq} has left the ring; only grows. */
    private long firstSeq;
    /** The sequence number the next hold put in the ring gets. */
    private long nextSeq;
    /** Entries in the ring, released ones included. */
    private int ringSize;
    /** Entries in the ring whose hold was released. */
    private int releasedInRing;
    /** Holds that are held, in either structure. */
    private int heldCount;

    /** How many holds are held now (released ones waiting in the ring are not counted). */
    int heldCount() {
        return heldCount;
    }

    /** How many entries the ring has, released ones included (for tests of the bound). */
    int ringEntries() {
        return ringSize;
    }

    /** Adds a hold that has just been taken (or read back); see the class comment for where it goes. */
    void add(Hold hold) {
        if (ringSize > 0 && ringExpiry[slot(ringSize - 1)] > hold.expiresAtMillis) {
            hold.inRing = false;
            heap.add(hold);
        } else {
            if (ringSize == ringSeq.length) {
                resize(Math.multiplyExact(ringSeq.length, 2));
            }
            int slot = slot(ringSize);
            hold.ringSeq = nextSeq++;
            ringSeq[slot] = hold.ringSeq;
            ringExpiry[slot] = hold.expiresAtMillis;
            ringAmount[slot] = hold.amount;
            ringSize++;
            hold.inRing = true;
        }
        hold.held = true;
        heldCount++;
    }

    /** Whether this hold still counts: taken, not released, not yet dropped as expired. */
    boolean isHeld(Hold hold) {
        return hold.held && (!hold.inRing || hold.ringSeq >= firstSeq);
    }

    /**
     * Drops every held hold that has expired at {@code nowMillis} and returns the sum of their
     * amounts. Released entries met at the ring's head on the way are dropped too.
     */
    long expire(long nowMillis) {
        long expired = 0;
        while (ringSize > 0 && ringExpiry[head] <= nowMillis) {
            long amount = ringAmount[head];
            if (amount > 0) {
                expired = Math.addExact(expired, amount);
                heldCount--;
            } else {
                releasedInRing--;
            }
            firstSeq = ringSeq[head] + 1;
            head = (head + 1) & (ringSeq.length - 1);
            ringSize--;
        }
        shrinkIfSparse();
        while (!heap.isEmpty() && heap.peekKey() <= nowMillis) {
            Hold hold = heap.poll();
            hold.held = false;
            heldCount--;
            expired = Math.addExact(expired, hold.amount);
        }
        return expired;
    }

    /** Stops counting this exact hold; false when it was no longer held. */
    boolean release(Hold hold) {
        if (!isHeld(hold)) {
            return false;
        }
        hold.held = false;
        heldCount--;
        if (hold.inRing) {
            ringAmount[slotOf(hold)] = 0;
            releasedInRing++;
            if (releasedInRing >= COMPACT_AT_LEAST && releasedInRing > ringSize / 2) {
                compact();
            }
        } else {
            heap.remove(hold);
        }
        return true;
    }

    /** Changes the amount of a held hold (reconciliation); the caller keeps the key's sum right. */
    void setAmount(Hold hold, long amount) {
        assert amount >= 1 && isHeld(hold) : hold;
        hold.amount = amount;
        if (hold.inRing) {
            ringAmount[slotOf(hold)] = amount;
        }
    }

    /**
     * The sum of the amounts of the held holds, or -1 when {@link #heldCount} does not match the
     * held holds found or the ring's sequence numbers are out of order: O(holds), for assertions only.
     */
    long heldSum() {
        long sum = 0;
        int held = 0;
        long previousSeq = firstSeq - 1;
        for (int i = 0; i < ringSize; i++) {
            int slot = slot(i);
            if (ringSeq[slot] <= previousSeq || ringSeq[slot] >= nextSeq) {
                return -1;
            }
            previousSeq = ringSeq[slot];
            if (ringAmount[slot] > 0) {
                sum = Math.addExact(sum, ringAmount[slot]);
                held++;
            }
        }
        for (int i = 0; i < heap.size(); i++) {
            Hold hold = heap.get(i);
            if (!hold.held || hold.inRing) {
                return -1;
            }
            sum = Math.addExact(sum, hold.amount);
            held++;
        }
        return held == heldCount ? sum : -1;
    }

    /** The slot of the ring's {@code index}-th entry from the head. */
    private int slot(int index) {
        return (head + index) & (ringSeq.length - 1);
    }

    /**
     * The slot of a held hold in the ring: where it was put unless the ring was compacted since,
     * else found by binary search of the ascending sequence numbers.
     */
    private int slotOf(Hold hold) {
        long seq = hold.ringSeq;
        long offset = seq - ringSeq[head];
        if (offset < ringSize && ringSeq[slot((int) offset)] == seq) {
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
        throw new IllegalStateException("held hold " + seq + " is not in the ring");
    }

    /** Drops the released entries, keeping the others in order. */
    private void compact() {
        int kept = 0;
        for (int i = 0; i < ringSize; i++) {
            int from = slot(i);
            if (ringAmount[from] == 0) {
                continue;
            }
            int to = slot(kept);
            ringSeq[to] = ringSeq[from];
            ringExpiry[to] = ringExpiry[from];
            ringAmount[to] = ringAmount[from];
            kept++;
        }
        ringSize = kept;
        releasedInRing = 0;
        shrinkIfSparse();
    }

    /** Gives memory back after a burst, halving the ring once it is less than a quarter full. */
    private void shrinkIfSparse() {
        if (ringSeq.length > INITIAL_CAPACITY && ringSize < ringSeq.length / 4) {
            resize(ringSeq.length / 2);
        }
    }

    private void resize(int capacity) {
        long[] seqs = new long[capacity];
        long[] expiries = new long[capacity];
        long[] amounts = new long[capacity];
        for (int i = 0; i < ringSize; i++) {
            int from = slot(i);
            seqs[i] = ringSeq[from];
            expiries[i] = ringExpiry[from];
            amounts[i] = ringAmount[from];
        }
        ringSeq = seqs;
        ringExpiry = expiries;
        ringAmount = amounts;
        head = 0;
    }
}
