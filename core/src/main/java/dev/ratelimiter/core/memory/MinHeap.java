package dev.ratelimiter.core.memory;

import java.util.Arrays;

/**
 * A binary min-heap of {@link HeapEntry} ordered by {@link HeapEntry#heapKey()}, with removal of an
 * exact entry by the position it carries. Identity matters: {@link #remove} removes that object and
 * no other, which is how an expiry entry can never release a hold it was not created for (SPEC 11).
 *
 * <p>Each entry's key is copied into a parallel array when the entry is added, so sifting compares
 * numbers that lie next to each other in memory instead of following a pointer to every entry it
 * compares: a profile of the server's batch path spent most of its heap time on those cache misses.
 * That is also why an entry's key must not change while it is in the heap.
 *
 * <p>Bounded by what its owner puts in; the arrays shrink again when the heap empties, so a burst
 * does not pin memory forever. Not thread-safe: the owner's lock guards every call.
 *
 * @param <T> the entry type; an entry is in at most one heap at a time
 */
final class MinHeap<T extends HeapEntry> {
    private static final int INITIAL_CAPACITY = 16;

    private HeapEntry[] entries = new HeapEntry[INITIAL_CAPACITY];
    /** {@code keys[i]} is {@code entries[i].heapKey()}, copied when the entry was added. */
    private long[] keys = new long[INITIAL_CAPACITY];

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
            resize(Math.multiplyExact(entries.length, 2));
        }
        siftUp(size++, entry, entry.heapKey());
    }

    /** The entry at {@code index}, from 0 to {@code size() - 1}, in no particular order (for invariant checks). */
    T get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of a heap of " + size);
        }
        return cast(entries[index]);
    }

    /** The entry with the smallest key, or null when empty. */
    T peek() {
        return size == 0 ? null : cast(entries[0]);
    }

    /** The smallest key; only when not empty. */
    long peekKey() {
        return keys[0];
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
        int last = --size;
        HeapEntry moved = entries[last];
        long movedKey = keys[last];
        entries[last] = null;
        removed.heapIndex(HeapEntry.NOT_IN_HEAP);
        if (index != last) {
            // The last entry fills the hole and goes down, or up when it is smaller than the hole's parent.
            if (index > 0 && movedKey < keys[(index - 1) >>> 1]) {
                siftUp(index, moved, movedKey);
            } else {
                siftDown(index, moved, movedKey);
            }
        }
        shrinkIfSparse();
    }

    /** Places {@code entry} with {@code key} at {@code index} or above, moving larger parents down. */
    private void siftUp(int index, HeapEntry entry, long key) {
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            place(entries[parent], keys[parent], index);
            index = parent;
        }
        place(entry, key, index);
    }

    /** Places {@code entry} with {@code key} at {@code index} or below, moving smaller children up. */
    private void siftDown(int index, HeapEntry entry, long key) {
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && keys[right] < keys[child]) {
                child = right;
            }
            if (key <= keys[child]) {
                break;
            }
            place(entries[child], keys[child], index);
            index = child;
        }
        place(entry, key, index);
    }

    private void place(HeapEntry entry, long key, int index) {
        entries[index] = entry;
        keys[index] = key;
        entry.heapIndex(index);
    }

    private void shrinkIfSparse() {
        if (entries.length > INITIAL_CAPACITY && size < entries.length / 4) {
            resize(Math.max(INITIAL_CAPACITY, entries.length / 2));
        }
    }

    private void resize(int capacity) {
        entries = Arrays.copyOf(entries, capacity);
        keys = Arrays.copyOf(keys, capacity);
    }

    @SuppressWarnings("unchecked")
    private T cast(HeapEntry entry) {
        // Only add(T) puts entries in, so every stored entry is a T.
        return (T) entry;
    }
}
