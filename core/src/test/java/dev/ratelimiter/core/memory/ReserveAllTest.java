package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MemoryBackend#reserveAll} (one taking of each key's lock per group of leases) against the
 * loop of single reserves it must equal: two backends with the same keys and clocks, one fed
 * batches, the other the same requests one by one, must give the same answers and end with the same
 * usage of every key, on randomized batches with repeats of a lease id inside a batch and across
 * batches, denials, unknown keys, malformed requests, completes and time passing. With the journal
 * on, both must also read back the same books.
 */
class ReserveAllTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    /**
     * Large enough that no finished record is evicted during a run: an eviction inside a group is
     * the one case where the batch may answer differently from the loop (see decideGroup).
     */
    private static final int MAX_TOMBSTONES = 100_000;

    private static final int MANY_KEYS = 100;

    private final List<LimitDefinition> definitions = new ArrayList<>();
    private final ManualClock batchClock = new ManualClock(START_MILLIS);
    private final ManualClock loopClock = new ManualClock(START_MILLIS);
    /** Ids handed out so far: new ids count up, repeats pick one of the latest. */
    private int nextId;

    private MemoryBackend batched;
    private MemoryBackend looped;

    @TempDir
    Path directory;

    ReserveAllTest() {
        definitions.add(LimitDefinition.rolling("rpm", 20, 2));
        definitions.add(LimitDefinition.rolling("tpm", 60, 5));
        definitions.add(LimitDefinition.concurrency("slots", 4, 3));
        definitions.add(LimitDefinition.rolling("daily", 400, 30));
        for (int i = 0; i < MANY_KEYS; i++) {
            // More keys than one group may lock, so that large batches are split by keys too.
            definitions.add(LimitDefinition.rolling("k" + i, 3, 1));
        }
    }

    @AfterEach
    void close() {
        batched.close();
        looped.close();
    }

    @Test
    void batchesAnswerAsTheLoopOfSingleReservesWithoutJournal() {
        batched = installed(new MemoryBackend(batchClock, hints(batchClock), MAX_TOMBSTONES));
        looped = installed(new MemoryBackend(loopClock, hints(loopClock), MAX_TOMBSTONES));
        for (long seed = 1; seed <= 4; seed++) {
            run(new Random(seed), 150);
        }
    }

    @Test
    void batchesAnswerAndRecordAsTheLoopWithTheJournal() throws IOException {
        batched = journaled(batchClock, directory.resolve("batched"));
        looped = journaled(loopClock, directory.resolve("looped"));
        run(new Random(20261204), 150);

        batched.close();
        looped.close();
        batched = journaled(batchClock, directory.resolve("batched"));
        looped = journaled(loopClock, directory.resolve("looped"));
        assertSameUsage("after reading both journals back");
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            ReserveRequest repeat = request(random, "l" + random.nextInt(nextId));
            assertEquals(looped.reserve(repeat), batched.reserve(repeat), "read back, " + repeat);
        }
    }

    @Test
    void theAsyncBatchAnswersAsTheSyncOne() throws ExecutionException, InterruptedException {
        batched = installed(new MemoryBackend(batchClock, hints(batchClock), MAX_TOMBSTONES));
        looped = installed(new MemoryBackend(loopClock, hints(loopClock), MAX_TOMBSTONES));
        Random random = new Random(99);
        for (int round = 0; round < 50; round++) {
            List<ReserveRequest> batch = batch(random, 1 + random.nextInt(40));
            assertSameAnswers(batch, loop(batch), batched.reserveAllAsync(batch).get(), "round " + round);
            assertSameUsage("round " + round);
        }
    }

    /**
     * Batches and single reserves from several threads on shared keys and shared lease ids: no
     * deadlock (every call returns), no key above its capacity, and once every id is completed no
     * concurrency hold is left (no admitted lease lost its record to a racing batch).
     */
    @Test
    void concurrentBatchesAndSingleReservesNeitherDeadlockNorLoseHolds() throws Exception {
        batched = installed(new MemoryBackend(batchClock, hints(batchClock), MAX_TOMBSTONES));
        looped = installed(new MemoryBackend(loopClock, hints(loopClock), MAX_TOMBSTONES));
        int threads = 4;
        int ids = 400;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean batches = t % 2 == 0;
                Random random = new Random(t);
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 300; round++) {
                        List<ReserveRequest> batch = new ArrayList<>();
                        for (int i = 1 + random.nextInt(30); i > 0; i--) {
                            batch.add(request(random, "c" + random.nextInt(ids)));
                        }
                        if (batches) {
                            batched.reserveAll(batch);
                        } else {
                            batch.forEach(batched::reserve);
                        }
                        batched.complete(new CompleteRequest("c" + random.nextInt(ids), "", List.of()));
                        for (LimitDefinition definition : definitions) {
                            assertTrue(batched.usage(definition.key()).reserved() <= definition.capacity());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < ids; i++) {
            batched.complete(new CompleteRequest("c" + i, "", List.of()));
        }
        assertEquals(0, batched.usage("slots").reserved(), "every concurrency hold was released by its complete");
    }

    /** Batches of leases nobody completes: their records are swept as fast as batches add them. */
    @Test
    void recordsOfBatchedLeasesNobodyCompletesDoNotPileUp() {
        batched = installed(new MemoryBackend(batchClock, hints(batchClock), MAX_TOMBSTONES));
        looped = installed(new MemoryBackend(loopClock, hints(loopClock), MAX_TOMBSTONES));
        for (int round = 0; round < 200; round++) {
            List<ReserveRequest> batch = new ArrayList<>();
            for (int i = 0; i < MemoryBackend.GROUP_MAX_LEASES; i++) {
                batch.add(new ReserveRequest("p" + round + "-" + i, "", List.of(new Requirement("k" + i % 50, 1))));
            }
            assertTrue(batched.reserveAll(batch).get(0).allowed());
            batchClock.advanceMillis(1_001);
        }
        assertTrue(
                batched.leaseRecordCount() <= 2 * MemoryBackend.GROUP_MAX_LEASES,
                "live records " + batched.leaseRecordCount());
    }

    /** {@code rounds} batches, each followed by some completes and some time passing. */
    private void run(Random random, int rounds) {
        int allowed = 0;
        int refused = 0;
        for (int round = 0; round < rounds; round++) {
            int size = random.nextInt(10) == 0 ? 300 + random.nextInt(300) : 1 + random.nextInt(40);
            List<ReserveRequest> batch = batch(random, size);
            List<ReserveResponse> expected = loop(batch);
            List<ReserveResponse> actual = batched.reserveAll(batch);
            assertSameAnswers(batch, expected, actual, "round " + round);
            for (ReserveResponse response : expected) {
                allowed += response.allowed() ? 1 : 0;
                refused += response.refusal() != null ? 1 : 0;
            }
            assertSameUsage("round " + round);

            for (int i = random.nextInt(8); i > 0; i--) {
                CompleteRequest complete = complete(random);
                assertEquals(looped.complete(complete), batched.complete(complete));
            }
            long step = random.nextInt(4) == 0 ? random.nextInt(3_000) : random.nextInt(50);
            batchClock.advanceMillis(step);
            loopClock.advanceMillis(step);
            assertSameUsage("round " + round + " after completes");
        }
        assertTrue(allowed > rounds && refused > rounds, "the run admitted and refused: " + allowed + ", " + refused);
    }

    private static void assertSameAnswers(
            List<ReserveRequest> batch, List<ReserveResponse> expected, List<ReserveResponse> actual, String when) {
        assertEquals(expected.size(), actual.size(), when);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(
                    expected.get(i),
                    actual.get(i),
                    when + ", request " + i + " of " + batch.size() + ": " + batch.get(i));
        }
    }

    private List<ReserveResponse> loop(List<ReserveRequest> batch) {
        List<ReserveResponse> responses = new ArrayList<>();
        for (ReserveRequest request : batch) {
            responses.add(looped.reserve(request));
        }
        return responses;
    }

    private List<ReserveRequest> batch(Random random, int size) {
        List<ReserveRequest> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(request(random, leaseId(random)));
        }
        return batch;
    }

    /** A new id, or one of the latest 40: repeats inside a batch and across batches are common. */
    private String leaseId(Random random) {
        return "l" + (random.nextBoolean() ? nextId++ : Math.max(0, nextId - 1 - random.nextInt(40)));
    }

    private ReserveRequest request(Random random, String leaseId) {
        List<Requirement> requirements = new ArrayList<>();
        int count = random.nextInt(12) == 0 ? 0 : 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(40);
            String key = pick < 2
                    ? "unknown" + pick
                    : pick < 20 ? definitions.get(pick % 4).key() : "k" + random.nextInt(MANY_KEYS);
            long amount = random.nextInt(40) == 0 ? 0 : 1 + random.nextInt(key.startsWith("k") ? 2 : 12);
            if (requirements.stream().noneMatch(r -> r.key().equals(key)) || random.nextInt(10) == 0) {
                requirements.add(new Requirement(key, amount));
            }
        }
        return new ReserveRequest(leaseId, "", requirements);
    }

    private CompleteRequest complete(Random random) {
        List<Actual> actuals = new ArrayList<>();
        if (random.nextBoolean()) {
            actuals.add(new Actual("tpm", random.nextInt(20)));
            actuals.add(new Actual("daily", random.nextInt(20)));
        }
        return new CompleteRequest(leaseId(random), "", actuals);
    }

    private void assertSameUsage(String when) {
        for (LimitDefinition definition : definitions) {
            assertEquals(
                    looped.usage(definition.key()), batched.usage(definition.key()), definition.key() + ", " + when);
        }
    }

    private MemoryBackend installed(MemoryBackend backend) {
        for (LimitDefinition definition : definitions) {
            backend.install(LimitState.created(definition));
        }
        return backend;
    }

    private MemoryBackend journaled(ManualClock clock, Path journal) throws IOException {
        Files.createDirectories(journal);
        return installed(MemoryBackend.withJournal(
                clock, hints(clock), MAX_TOMBSTONES, JournalSettings.of(journal), JournalIo.files()));
    }

    private static RetryHints hints(ManualClock clock) {
        return new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0);
    }
}
