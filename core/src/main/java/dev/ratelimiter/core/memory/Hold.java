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
    /** Guarded by {@code key.lock}: whether the hold still counts against its key. */
    boolean held;
    /** Guarded by {@code key.lock}: whether the hold sits in its queue's ring (else in its heap, or nowhere). */
    boolean inRing;
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
