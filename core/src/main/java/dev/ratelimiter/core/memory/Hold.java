package dev.ratelimiter.core.memory;

/**
 * One lease's hold on one key: {@code amount} units until {@code expiresAtMillis}. Each hold is its
 * own object and is its own expiry entry in the key's heap, so releasing or expiring it can only
 * ever touch this hold (SPEC 11: a stale expiry entry must never release a later lease's hold).
 *
 * <p>Thread-safety: {@code key} and {@code expiresAtMillis} are final; {@code amount} and the heap
 * position are guarded by {@code key.lock}.
 */
final class Hold implements HeapEntry {
    final KeyState key;
    final long expiresAtMillis;
    /** Guarded by {@code key.lock}. Shrinks on reconciliation, grows when an overage fits. */
    long amount;
    /** Guarded by {@code key.lock}. */
    private int heapIndex = NOT_IN_HEAP;

    Hold(KeyState key, long amount, long expiresAtMillis) {
        this.key = key;
        this.amount = amount;
        this.expiresAtMillis = expiresAtMillis;
    }

    /** Whether the hold still counts against its key; caller holds {@code key.lock}. */
    boolean isHeld() {
        return heapIndex != NOT_IN_HEAP;
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
