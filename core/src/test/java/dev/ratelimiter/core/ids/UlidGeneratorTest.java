package dev.ratelimiter.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.core.wire.RequestValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class UlidGeneratorTest {
    private static final long NOW_MILLIS = 1_700_000_000_123L;

    @Test
    void producesTwentySixCrockfordCharactersWithALowFirstCharacter() {
        UlidGenerator generator = new UlidGenerator(new ManualClock(NOW_MILLIS), new Random(1));
        for (int i = 0; i < 1_000; i++) {
            String text = generator.nextString();
            assertEquals(26, text.length());
            assertTrue(text.matches("[0-9A-HJKMNP-TV-Z]{26}"), text);
            assertTrue(text.charAt(0) <= '7', text);
        }
    }

    @Test
    void timePartIsTheClocksTime() {
        ManualClock clock = new ManualClock(NOW_MILLIS);
        UlidGenerator generator = new UlidGenerator(clock, new Random(2));
        assertEquals(NOW_MILLIS, generator.next().timestampMillis());
        clock.advanceMillis(1_500);
        assertEquals(NOW_MILLIS + 1_500, Ulid.parse(generator.nextString()).timestampMillis());
    }

    @Test
    void sortsInCreationOrderWithinOneMillisecond() {
        UlidGenerator generator = new UlidGenerator(new ManualClock(NOW_MILLIS), new Random(3));
        String previous = generator.nextString();
        for (int i = 0; i < 10_000; i++) {
            String next = generator.nextString();
            assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
            assertEquals(NOW_MILLIS, Ulid.parse(next).timestampMillis());
            previous = next;
        }
    }

    @Test
    void incrementsTheRandomPartByOneWithinOneMillisecond() {
        UlidGenerator generator = new UlidGenerator(new ManualClock(NOW_MILLIS), scripted(0x1234L, -1L));
        Ulid first = generator.next();
        Ulid second = generator.next();
        // The low 64 bits were all ones: the increment carries into the high 16 random bits.
        assertEquals(Ulid.of(NOW_MILLIS, 0x1234, -1L), first);
        assertEquals(Ulid.of(NOW_MILLIS, 0x1235, 0L), second);
    }

    @Test
    void movesTheTimeForwardWhenTheRandomPartOverflows() {
        UlidGenerator generator = new UlidGenerator(new ManualClock(NOW_MILLIS), scripted(0xFFFFL, -1L, 0L, 5L));
        Ulid full = generator.next();
        Ulid next = generator.next();
        assertEquals(Ulid.of(NOW_MILLIS, 0xFFFF, -1L), full);
        assertEquals(Ulid.of(NOW_MILLIS + 1, 0, 5L), next);
        assertTrue(next.compareTo(full) > 0);
    }

    @Test
    void staysMonotonicWhenTheClockStepsBack() {
        ManualClock clock = new ManualClock(NOW_MILLIS);
        long[] offsetMillis = {0};
        UlidGenerator generator = new UlidGenerator(() -> clock.nowMillis() - offsetMillis[0], new Random(4));
        Ulid before = generator.next();
        offsetMillis[0] = 5_000;
        Ulid after = generator.next();
        assertTrue(after.compareTo(before) > 0);
        assertEquals(NOW_MILLIS, after.timestampMillis());
    }

    @Test
    void refusesAClockBeforeTheEpoch() {
        UlidGenerator generator = new UlidGenerator(() -> -1L, new Random(5));
        assertThrows(IllegalStateException.class, generator::next);
    }

    @Test
    void idsFromManyThreadsAreDistinctAndEachThreadSeesThemRise() throws InterruptedException {
        UlidGenerator generator = new UlidGenerator(new ManualClock(NOW_MILLIS), new Random(6));
        int threads = 8;
        int perThread = 2_000;
        ConcurrentLinkedQueue<String> all = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                String previous = "";
                for (int i = 0; i < perThread; i++) {
                    String next = generator.nextString();
                    if (next.compareTo(previous) <= 0) {
                        failures.add(previous + " then " + next);
                    }
                    all.add(next);
                    previous = next;
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(30_000);
        }
        assertEquals(List.of(), List.copyOf(failures));
        Set<String> distinct = new HashSet<>(all);
        assertEquals(threads * perThread, distinct.size());
    }

    @Test
    void fitsTheLeaseIdRule() {
        UlidGenerator generator = UlidGenerator.system();
        RequestValidator validator = new RequestValidator(RequestLimits.DEFAULT);
        for (int i = 0; i < 100; i++) {
            validator.validate(new ReserveRequest(generator.nextString(), "", List.of(new Requirement("k", 1))));
        }
    }

    /** A random source that answers the given values in turn, then zeros. */
    private static RandomGenerator scripted(long... values) {
        int[] next = {0};
        return () -> next[0] < values.length ? values[next[0]++] : 0L;
    }
}
