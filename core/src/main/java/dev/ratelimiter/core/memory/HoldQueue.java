package dev.ratelimiter.core.memory;

/**
 * The holds of one key in expiry order: a first-in-first-out ring for holds that arrive in expiry
 * order, and a {@link MinHeap} for the others.
 *
 * <p>Why two structures: every rolling hold of a key lasts the same window, so with a clock that
 * does not go back each new hold expires no earlier than the one before it. Appending to a ring and
 * taking expired holds from its head costs O(1), where a heap costs O(log holds) on both ends; with a
 * minute's or a day's holds in one key that difference is most of a reserve's cost. A hold goes to
 * the heap instead when it would break the ring's order (the wall clock stepped back, or the key's
 * window was shortened while older holds still run) or when it is expected to leave before it expires
 * ({@code releasable}: concurrency holds, released by complete), because the heap removes one exact
 * hold in O(log holds) while the ring can only forget it where it stands.
 *
 * <p>A hold released while in the ring stays there, marked not held, until it reaches the head and
 * is dropped; it never counts again, and no other hold is touched (SPEC 11: an expiry entry is
 * matched to the exact hold it was created for). Such a hold was a rolling hold reconciled to 0, so
 * it leaves the ring no later than it would have expired had it been kept: the ring never holds
 * more entries than the key admitted within one window.
 *
 * <p>Not thread-safe: the owning {@link KeyState}'s lock guards every call and every hold in it.
 */
final class HoldQueue {
    private static final int INITIAL_CAPACITY = 16;

    private final MinHeap<Hold> heap = new MinHeap<>();
    private Hold[] ring = new Hold[INITIAL_CAPACITY];
    /** Index of the ring's oldest entry. */
    private int head;
    /** Entries in the ring, released ones included. */
    private int ringSize;
    /** Holds that are held, in either structure. */
    private int heldCount;

    /** How many holds are held now (released ones waiting in the ring are not counted). */
    int heldCount() {
        return heldCount;
    }

    /** Adds a hold that has just been taken; see the class comment for where it goes. */
    void add(Hold hold, boolean releasable) {
        if (releasable || (ringSize > 0 && tail().expiresAtMillis > hold.expiresAtMillis)) {
            heap.add(hold);
        } else {
            if (ringSize == ring.length) {
                resize(Math.multiplyExact(ring.length, 2));
            }
            ring[(head + ringSize) & (ring.length - 1)] = hold;
            ringSize++;
            hold.inRing = true;
        }
        hold.held = true;
        heldCount++;
    }

    /**
     * Removes and returns the next held hold that has expired at {@code nowMillis}, or null when none
     * has. Released holds met at the ring's head on the way are dropped.
     */
    Hold pollExpired(long nowMillis) {
        while (ringSize > 0 && ring[head].expiresAtMillis <= nowMillis) {
            Hold first = ring[head];
            ring[head] = null;
            head = (head + 1) & (ring.length - 1);
            ringSize--;
            first.inRing = false;
            shrinkIfSparse();
            if (first.held) {
                return forget(first);
            }
        }
        if (!heap.isEmpty() && heap.peekKey() <= nowMillis) {
            return forget(heap.poll());
        }
        return null;
    }

    /** Stops counting this exact hold; false when it was no longer held. */
    boolean release(Hold hold) {
        if (!hold.held) {
            return false;
        }
        if (!hold.inRing) {
            heap.remove(hold);
        }
        return forget(hold) != null;
    }

    /**
     * The sum of the amounts of the held holds, or -1 when {@link #heldCount} does not match the
     * held holds found: O(holds), for assertions only.
     */
    long heldSum() {
        long sum = 0;
        int held = 0;
        for (int i = 0; i < ringSize; i++) {
            Hold hold = ring[(head + i) & (ring.length - 1)];
            if (hold.held) {
                sum = Math.addExact(sum, hold.amount);
                held++;
            }
        }
        for (int i = 0; i < heap.size(); i++) {
            Hold hold = heap.get(i);
            if (!hold.held) {
                return -1;
            }
            sum = Math.addExact(sum, hold.amount);
            held++;
        }
        return held == heldCount ? sum : -1;
    }

    private Hold forget(Hold hold) {
        hold.held = false;
        heldCount--;
        return hold;
    }

    private Hold tail() {
        return ring[(head + ringSize - 1) & (ring.length - 1)];
    }

    /** Gives memory back after a burst, halving the ring once it is less than a quarter full. */
    private void shrinkIfSparse() {
        if (ring.length > INITIAL_CAPACITY && ringSize < ring.length / 4) {
            resize(ring.length / 2);
        }
    }

    private void resize(int capacity) {
        Hold[] larger = new Hold[capacity];
        for (int i = 0; i < ringSize; i++) {
            larger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = larger;
        head = 0;
    }
}
