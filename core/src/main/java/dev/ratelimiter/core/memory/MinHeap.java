package dev.ratelimiter.core.memory;

import java.util.Arrays;

/**
 * A binary min-heap of {@link HeapEntry} ordered by {@link HeapEntry#heapKey()}, with removal of an
 * exact entry by the position it carries. Identity matters: {@link #remove} removes that object and
 * no other, which is how an expiry entry can never release a hold it was not created for (SPEC 11).
 *
 * <p>Bounded by what its owner puts in; the array shrinks again when the heap empties, so a burst
 * does not pin memory forever. Not thread-safe: the owner's lock guards every call.
 *
 * @param <T> the entry type; an entry is in at most one heap at a time
 */
final class MinHeap<T extends HeapEntry> {
    private static final int INITIAL_CAPACITY = 16;

    private HeapEntry[] entries = new HeapEntry[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds an entry that is in no heap. */
    void add(T entry) {
        if (entry.heapIndex() != HeapEntry.NOT_IN_HEAP) {
            throw new IllegalStateException("entry is already in a heap");
        }
        if (size == entries.length) {
            entries = Arrays.copyOf(entries, Math.addExact(entries.length, entries.length));
        }
        entries[size] = entry;
        entry.heapIndex(size);
        size++;
        siftUp(size - 1);
    }

    /** The entry with the smallest key, or null when empty. */
    T peek() {
        return size == 0 ? null : cast(entries[0]);
    }

    /** Removes and returns the entry with the smallest key, or null when empty. */
    T poll() {
        if (size == 0) {
            return null;
        }
        T first = cast(entries[0]);
        removeAt(0);
        return first;
    }

    /** Removes exactly this entry; false when it is not in this heap. */
    boolean remove(T entry) {
        int index = entry.heapIndex();
        if (index < 0 || index >= size || entries[index] != entry) {
            return false;
        }
        removeAt(index);
        return true;
    }

    private void removeAt(int index) {
        HeapEntry removed = entries[index];
        int last = size - 1;
        if (index != last) {
            entries[index] = entries[last];
            entries[index].heapIndex(index);
        }
        entries[last] = null;
        size = last;
        removed.heapIndex(HeapEntry.NOT_IN_HEAP);
        if (index < size) {
            siftDown(index);
            siftUp(index);
        }
        shrinkIfSparse();
    }

    private void siftUp(int index) {
        HeapEntry entry = entries[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (entries[parent].heapKey() <= entry.heapKey()) {
                break;
            }
            place(entries[parent], index);
            index = parent;
        }
        place(entry, index);
    }

    private void siftDown(int index) {
        HeapEntry entry = entries[index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && entries[right].heapKey() < entries[child].heapKey()) {
                child = right;
            }
            if (entry.heapKey() <= entries[child].heapKey()) {
                break;
            }
            place(entries[child], index);
            index = child;
        }
        place(entry, index);
    }

    private void place(HeapEntry entry, int index) {
        entries[index] = entry;
        entry.heapIndex(index);
    }

    private void shrinkIfSparse() {
        if (entries.length > INITIAL_CAPACITY && size < entries.length / 4) {
            entries = Arrays.copyOf(entries, Math.max(INITIAL_CAPACITY, entries.length / 2));
        }
    }

    @SuppressWarnings("unchecked")
    private T cast(HeapEntry entry) {
        // Only add(T) puts entries in, so every stored entry is a T.
        return (T) entry;
    }
}
