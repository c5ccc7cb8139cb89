package dev.ratelimiter.core.memory;

/**
 * Something a {@link MinHeap} can order and find again: the heap stores each entry's position in
 * the entry itself, so that removing one exact entry costs O(log n) and never a scan.
 *
 * <p>Not thread-safe by itself: the owner of the heap guards both methods with the heap's lock.
 */
interface HeapEntry {
    /** Where the heap stands for "not in any heap". */
    int NOT_IN_HEAP = -1;

    /** The value the heap orders by (smallest first); must not change while the entry is in a heap. */
    long heapKey();

    /** The entry's position in its heap, or {@link #NOT_IN_HEAP}. */
    int heapIndex();

    void heapIndex(int index);
}
