package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The indexed min-heap against a list kept by brute force. */
class MinHeapTest {

    private static final class Entry implements HeapEntry {
        final long key;
        int index = NOT_IN_HEAP;

        Entry(long key) {
            this.key = key;
        }

        @Override
        public long heapKey() {
            return key;
        }

        @Override
        public int heapIndex() {
            return index;
        }

        @Override
        public void heapIndex(int index) {
            this.index = index;
        }
    }

    @Test
    void pollsInKeyOrderAndRemovesExactlyTheEntryAsked() {
        MinHeap<Entry> heap = new MinHeap<>();
        Entry a = new Entry(5);
        Entry b = new Entry(5);
        Entry c = new Entry(1);
        heap.add(a);
        heap.add(b);
        heap.add(c);

        assertTrue(heap.remove(a));
        assertFalse(heap.remove(a), "a second removal finds nothing");
        assertEquals(HeapEntry.NOT_IN_HEAP, a.heapIndex());
        assertEquals(1, heap.peekKey());
        assertEquals(c, heap.poll());
        assertEquals(b, heap.poll());
        assertNull(heap.poll());
        assertThrows(IllegalStateException.class, () -> {
            Entry twice = new Entry(3);
            heap.add(twice);
            heap.add(twice);
        });
    }

    @Test
    void agreesWithABruteForceModel() {
        Random random = new Random(20261128);
        MinHeap<Entry> heap = new MinHeap<>();
        List<Entry> model = new ArrayList<>();
        for (int step = 0; step < 100_000; step++) {
            int action = random.nextInt(10);
            if (action < 5 || model.isEmpty()) {
                Entry entry = new Entry(random.nextInt(1_000));
                heap.add(entry);
                model.add(entry);
            } else if (action < 8) {
                Entry victim = model.remove(random.nextInt(model.size()));
                assertTrue(heap.remove(victim), "step " + step);
            } else {
                long smallest =
                        model.stream().mapToLong(entry -> entry.key).min().orElseThrow();
                assertEquals(smallest, heap.peekKey(), "step " + step);
                Entry polled = heap.poll();
                assertEquals(smallest, polled.key, "step " + step);
                assertTrue(model.remove(polled), "step " + step);
            }
            assertEquals(model.size(), heap.size(), "step " + step);
        }
        for (Entry entry : model) {
            assertTrue(heap.remove(entry));
        }
        assertTrue(heap.isEmpty());
    }
}
