package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.journal.FaultyIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory backend with its journal (SPEC 5.1): the books come back after a restart, concurrent
 * calls share fsyncs, a journal that cannot be written refuses to acknowledge anything and heals by
 * itself, and compaction keeps the directory to the live state.
 *
 * <p>A restart here closes the backend (which writes what is queued) and opens a new one on the same
 * directory; every call in these tests was answered, so its record was durable before the close.
 */
class JournaledMemoryBackendTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final int MAX_TOMBSTONES = 1_000;
    private static final LimitDefinition RPM = LimitDefinition.rolling("llm:rpm", 10, 60);
    private static final LimitDefinition TPM = new LimitDefinition(
            "llm:tpm", LimitDefinition.rolling("x", 1, 1).kind(), 1_000, 60, 0, "tokens", "", Overage.DEBT);
    private static final LimitDefinition SLOTS = LimitDefinition.concurrency("llm:slots", 2, 30);
    /** How long a test polls for something the journal's threads do by themselves. */
    private static final long POLL_TIMEOUT_MILLIS = 20_000;

    private final ManualClock clock = new ManualClock(START_MILLIS);
    /** What the registry holds: installed again after every restart, as the service would. */
    private final List<LimitDefinition> definitions = new ArrayList<>(List.of(RPM, TPM, SLOTS));

    private final FaultyIo io = new FaultyIo();
    private MemoryBackend backend;

    @TempDir
    Path directory;

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    // ---- Recovery ----

    @Test
    void holdsComeBackAfterARestartWithTheirOriginalExpiry() {
        backend = open(settings());
        assertTrue(reserve("a", RPM, 7).allowed());

        restart(settings());
        assertEquals(7, backend.usage(RPM.key()).reserved());
        assertFalse(reserve("b", RPM, 4).allowed(), "the restored hold still counts");

        clock.advanceMillis(59_999);
        assertEquals(7, backend.usage(RPM.key()).reserved());
        clock.advanceMillis(1);
        assertEquals(0, backend.usage(RPM.key()).reserved(), "expires at reserved_at + window, as before");
    }

    @Test
    void reconciledHoldsConcurrencyHoldsAndDebtsComeBack() {
        backend = open(settings());
        assertTrue(reserve("a", TPM, 500).allowed());
        backend.complete(new CompleteRequest("a", "", List.of(new Actual(TPM.key(), 200))));
        assertTrue(reserve("b", TPM, 700).allowed());
        backend.complete(new CompleteRequest("b", "", List.of(new Actual(TPM.key(), 900))));
        assertTrue(reserve("c", SLOTS, 2).allowed());

        restart(settings());

        assertEquals(200 + 700, backend.usage(TPM.key()).reserved(), "a shrank to 200, b kept 700");
        assertEquals(200, backend.usage(TPM.key()).debt(), "b's overage did not fit: debt");
        assertEquals(2, backend.usage(SLOTS.key()).reserved());
        backend.complete(new CompleteRequest("c", "", List.of()));
        assertEquals(0, backend.usage(SLOTS.key()).reserved(), "a restored lease still releases its slots");
    }

    @Test
    void repeatsAfterARestartAnswerAsBeforeIt() {
        backend = open(settings());
        ReserveResponse live = reserve("live", RPM, 5);
        assertTrue(reserve("done", RPM, 1).allowed());
        backend.complete(new CompleteRequest("done", "", List.of()));
        assertTrue(reserve("fill", RPM, 4).allowed());
        ReserveResponse denied = reserve("denied", RPM, 3);
        assertFalse(denied.allowed());

        restart(settings());
        clock.advanceMillis(1_000);

        assertEquals(
                ReserveResponse.allowed(live.reservedAtUnixMs()),
                reserve("live", RPM, 5),
                "a held lease answers allowed with its original reserved_at");
        assertEquals(ErrorCodes.leaseExpired("done"), reserve("done", RPM, 1).error());
        assertFalse(reserve("denied", RPM, 3).allowed(), "a denial stays a denial");
        assertEquals("", reserve("denied", RPM, 3).error());
    }

    @Test
    void holdsThatExpiredWhileTheProcessWasDownAreDropped() {
        backend = open(settings());
        assertTrue(reserve("a", RPM, 10).allowed());
        backend.close();

        clock.advanceMillis(60_000);
        backend = open(settings());

        assertEquals(0, backend.usage(RPM.key()).reserved());
        assertEquals(ErrorCodes.leaseExpired("a"), reserve("a", RPM, 10).error());
        assertTrue(reserve("b", RPM, 10).allowed());
    }

    @Test
    void aBatchIsAnsweredOnceItsRecordsAreDurableAndComesBack() throws Exception {
        backend = open(settings());
        List<ReserveRequest> requests = List.of(request("a", RPM, 4), request("b", RPM, 4), request("c", RPM, 4));

        List<ReserveResponse> answers = backend.reserveAllAsync(requests).get(10, TimeUnit.SECONDS);

        assertEquals(
                List.of(true, true, false),
                answers.stream().map(ReserveResponse::allowed).toList());
        restart(settings());
        assertEquals(8, backend.usage(RPM.key()).reserved());
    }

    // ---- Group commit ----

    @Test
    void concurrentCallsShareFsyncs() throws Exception {
        backend = open(settings());
        install(LimitDefinition.rolling("wide", 1_000_000, 600));
        int threads = 16;
        int callsPerThread = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        long forcesBefore = io.forceCount();
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int allowed = 0;
                    for (int i = 0; i < callsPerThread; i++) {
                        allowed += backend.reserve(request(
                                                "t" + thread + "-" + i, LimitDefinition.rolling("wide", 1, 1), 1))
                                        .allowed()
                                ? 1
                                : 0;
                    }
                    return allowed;
                }));
            }
            start.countDown();
            int allowed = 0;
            for (Future<Integer> result : results) {
                allowed += result.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * callsPerThread, allowed);
        } finally {
            pool.shutdownNow();
        }
        long forces = io.forceCount() - forcesBefore;
        assertTrue(forces < threads * callsPerThread, forces + " fsyncs for " + threads * callsPerThread + " calls");
        restart(settings());
        assertEquals(threads * callsPerThread, backend.usage("wide").reserved(), "every acknowledged hold is back");
    }

    // ---- Failure ----

    @Test
    void aJournalThatCannotBeWrittenAcknowledgesNothingAndHealsByItself() {
        backend = open(settings());
        assertTrue(backend.isHealthy());
        io.failing(true);

        assertThrows(BackendException.class, () -> reserve("a", RPM, 1), "the write fails: no acknowledgement");
        awaitTrue(() -> !backend.isHealthy(), "the backend reports the failing journal");
        assertThrows(BackendException.class, () -> reserve("b", RPM, 1), "refused before it changes anything");
        CompletableFuture<CompleteResponse> complete = backend.completeAsync(new CompleteRequest("a", "", List.of()));
        assertTrue(complete.isCompletedExceptionally(), "a complete is refused too");
        assertEquals(1, backend.usage(RPM.key()).reserved(), "the unacknowledged hold counts (the safe side)");

        io.failing(false);
        awaitTrue(backend::isHealthy, "the journal heals once writes succeed");
        assertTrue(reserve("c", RPM, 1).allowed());
        restart(settings());
        assertEquals(2, backend.usage(RPM.key()).reserved(), "a's record was written on the retry; b never existed");
    }

    @Test
    void aWriteThatFailsForLongerThanTheTimeoutStillAnswersWithinIt() {
        backend = open(settings().withDurableTimeoutMillis(200));
        io.failing(true);
        long startNanos = System.nanoTime();
        CompletableFuture<ReserveResponse> answer = backend.reserveAsync(request("a", RPM, 1));
        assertThrows(Exception.class, () -> answer.get(10, TimeUnit.SECONDS));
        assertTrue(answer.isCompletedExceptionally());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos) < 10);
        io.failing(false);
    }

    // ---- Compaction ----

    @Test
    void compactionKeepsTheDirectoryToTheLiveState() throws IOException {
        JournalSettings small = settings().withSegmentBytesMax(4096).withCompactIntervalMillis(1_000);
        backend = open(small);
        LimitDefinition wide = LimitDefinition.rolling("wide", 1_000_000, 1);
        install(wide);
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 50; i++) {
                String lease = "r" + round + "-" + i;
                assertTrue(reserve(lease, wide, 1).allowed());
                backend.complete(new CompleteRequest(lease, "", List.of(new Actual(wide.key(), 1))));
            }
            clock.advanceMillis(2_000);
        }
        long historyBytes = 40L * 50 * 60;
        awaitTrue(() -> directoryBytes() < historyBytes / 4, "compaction shrinks the directory to the live state");

        restart(small);
        assertEquals(0, backend.usage(wide.key()).reserved(), "every hold of the history has expired");
        assertEquals(
                ErrorCodes.leaseExpired("r39-49"), reserve("r39-49", wide, 1).error(), "tombstones are kept");
    }

    @Test
    void compactionUnderConcurrentAppendsLosesNothing() throws Exception {
        JournalSettings small = settings().withSegmentBytesMax(4096);
        backend = open(small);
        LimitDefinition wide = LimitDefinition.rolling("wide", 1_000_000, 600);
        install(wide);
        int threads = 4;
        int callsPerThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < callsPerThread; i++) {
                        String lease = "t" + thread + "-" + i;
                        assertTrue(reserve(lease, wide, 2).allowed());
                        if (i % 2 == 0) {
                            backend.complete(new CompleteRequest(lease, "", List.of(new Actual(wide.key(), 1))));
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long expected = threads * (callsPerThread / 2 * 2L + callsPerThread / 2);
        assertEquals(expected, backend.usage(wide.key()).reserved());
        restart(small);
        assertEquals(expected, backend.usage(wide.key()).reserved());
        assertTrue(reserve("t0-1", wide, 2).allowed(), "a live lease repeats as allowed");
        assertEquals(ErrorCodes.leaseExpired("t0-0"), reserve("t0-0", wide, 2).error());
    }

    // ---- Helpers ----

    private JournalSettings settings() {
        return JournalSettings.of(directory);
    }

    private MemoryBackend open(JournalSettings settings) {
        try {
            MemoryBackend opened = MemoryBackend.withJournal(
                    clock, new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0), MAX_TOMBSTONES, settings, io);
            for (LimitDefinition definition : definitions) {
                opened.install(LimitState.created(definition));
            }
            return opened;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void restart(JournalSettings settings) {
        backend.close();
        backend = open(settings);
    }

    private void install(LimitDefinition definition) {
        definitions.add(definition);
        backend.install(LimitState.created(definition));
    }

    private ReserveResponse reserve(String lease, LimitDefinition limit, long amount) {
        return backend.reserve(request(lease, limit, amount));
    }

    private static ReserveRequest request(String lease, LimitDefinition limit, long amount) {
        return new ReserveRequest(lease, "", List.of(new Requirement(limit.key(), amount)));
    }

    private long directoryBytes() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls for something the journal's own threads do, with a deadline; never a fixed sleep. */
    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_TIMEOUT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + POLL_TIMEOUT_MILLIS + " ms");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
