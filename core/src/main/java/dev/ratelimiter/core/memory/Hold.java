package dev.ratelimiter.core.memory;

/**
 * One lease's hold on one key: {@code amount} units until {@code expiresAtMillis}. Each hold is its
 * own object and is its own expiry entry in the key's {@link HoldQueue}, so releasing or expiring it
 * can only ever touch this hold (SPEC 11: a stale expiry entry must never release a later lease's
 * hold).
 *
 * <p>Thread-safety: {@code key} and {@code expiresAtMillis} are final; every other field is guarded
 * by {@code key.lock}.
 */
final class Hold implements HeapEntry {
    final KeyState key;
    final long expiresAtMillis;
    /** Guarded by {@code key.lock}. Shrinks on reconciliation, grows when an overage fits. */
    long amount;
    /**
     * Guarded by {@code key.lock}: set when the hold is taken, cleared when it is released or leaves
     * the heap. A hold that expires out of the ring keeps it set: ask {@link HoldQueue#isHeld}.
     */
    boolean held;
    /** Guarded by {@code key.lock}: whether the hold was put in its queue's ring (else in its heap). */
    boolean inRing;
    /** Guarded by {@code key.lock}: the hold's sequence number in its queue's ring while {@link #inRing}; fixed once set. */
    long ringSeq;
    /** Guarded by {@code key.lock}. */
    private int heapIndex = NOT_IN_HEAP;

    Hold(KeyState key, long amount, long expiresAtMillis) {
        this.key = key;
        this.amount = amount;
        this.expiresAtMillis = expiresAtMillis;
    }

    @Override
    public long heapKey() {
        return expiresAtMillis;
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
