package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.journal.FaultyIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-based crash test: random reserves, completes and clock steps go to the journaled backend and
 * to a reference backend without a journal. At a random point the journal stops being writable (a
 * few calls then fail and are never acknowledged: the reference skips them) and the process
 * "crashes"; the backend read back from the journal must then answer every further call exactly as
 * the reference, which kept only the acknowledged operations.
 */
class JournalCrashModelTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final int SEEDS = 12;
    private static final int OPERATIONS = 300;
    private static final int MAX_TOMBSTONES = 10_000;
    private static final List<LimitDefinition> LIMITS = List.of(
            LimitDefinition.rolling("rpm", 20, 10),
            new LimitDefinition("tpm", LimitKind.ROLLING, 500, 30, 0, "tokens", "", Overage.DEBT),
            new LimitDefinition("daily", LimitKind.ROLLING, 2_000, 86_400, 0, "tokens", "", Overage.DENY),
            LimitDefinition.concurrency("slots", 4, 20));

    @TempDir
    Path directory;

    @Test
    void theBackendReadBackAfterACrashAnswersLikeAModelOfTheAcknowledgedOperations() throws IOException {
        for (int seed = 1; seed <= SEEDS; seed++) {
            runOnce(seed, directory.resolve("seed-" + seed));
        }
    }

    private void runOnce(long seed, Path journalDirectory) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ManualClock clock = new ManualClock(START_MILLIS);
        FaultyIo io = new FaultyIo();
        MemoryBackend journaled = open(journalDirectory, io, clock);
        MemoryBackend reference = plain(clock);
        int crashAt = 20 + random.nextInt(OPERATIONS - 40);
        List<String> leaseIds = new ArrayList<>();
        for (int step = 0; step < OPERATIONS; step++) {
            String where = "seed " + seed + ", step " + step;
            if (step == crashAt) {
                io.failing(true);
                for (int lost = 0; lost < 3; lost++) {
                    Operation operation = nextOperation(random, leaseIds);
                    // Whatever happens to this lease id now is not in the reference: it is never used again.
                    leaseIds.remove(operation.leaseId());
                    try {
                        Object answer = operation.applyTo(journaled);
                        if (operation instanceof Reserve reserve
                                && !reserve.repeat()
                                && Boolean.TRUE.equals(((List<?>) answer).get(0))) {
                            throw new AssertionError(
                                    where + ": an admission was acknowledged while the journal failed");
                        }
                    } catch (BackendException expected) {
                        // Never acknowledged: the reference does not see it, and after the crash
                        // neither does the journaled backend. (A denial or a refusal may still be
                        // answered: it acknowledges nothing that must survive.)
                    }
                }
                journaled.close();
                io.failing(false);
                journaled = open(journalDirectory, io, clock);
                for (LimitDefinition limit : LIMITS) {
                    assertEquals(
                            reference.usage(limit.key()),
                            journaled.usage(limit.key()),
                            where + ": usage of " + limit.key() + " after the crash");
                }
            }
            Operation operation = nextOperation(random, leaseIds);
            assertEquals(operation.applyTo(reference), operation.applyTo(journaled), where + ": " + operation);
            if (random.nextInt(4) == 0) {
                clock.advanceMillis(random.nextLong(4_000));
            }
        }
        journaled.close();
        reference.close();
    }

    /** A reserve (mostly of a new lease, sometimes a repeat) or a complete of a known lease. */
    private static Operation nextOperation(SplittableRandom random, List<String> leaseIds) {
        if (leaseIds.isEmpty() || random.nextInt(3) > 0) {
            boolean repeat = !leaseIds.isEmpty() && random.nextInt(6) == 0;
            // New ids come from the random source: the list shrinks when ids are retired, so its size would repeat.
            String lease = repeat
                    ? leaseIds.get(random.nextInt(leaseIds.size()))
                    : "lease-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            if (!repeat) {
                leaseIds.add(lease);
            }
            List<Requirement> requirements = new ArrayList<>();
            // The lease id picks its requirements, so that a repeat asks for the same set.
            SplittableRandom shape = new SplittableRandom(lease.hashCode());
            for (LimitDefinition limit : LIMITS) {
                if (shape.nextInt(2) == 0) {
                    requirements.add(new Requirement(
                            limit.key(), 1 + shape.nextLong(Math.max(1, limit.capacity() / 4))));
                }
            }
            if (requirements.isEmpty()) {
                requirements.add(new Requirement("rpm", 1));
            }
            return new Reserve(new ReserveRequest(lease, "", requirements), repeat);
        }
        String lease = leaseIds.get(random.nextInt(leaseIds.size()));
        List<Actual> actuals = new ArrayList<>();
        for (LimitDefinition limit : LIMITS) {
            if (random.nextInt(2) == 0) {
                actuals.add(new Actual(limit.key(), random.nextLong(limit.capacity() / 3 + 1)));
            }
        }
        return new Complete(new CompleteRequest(lease, "", actuals));
    }

    private interface Operation {
        /** The answer, reduced to what both backends must agree on (retry hints follow per-process streaks). */
        Object applyTo(MemoryBackend backend);

        String leaseId();
    }

    private record Reserve(ReserveRequest request, boolean repeat) implements Operation {
        @Override
        public String leaseId() {
            return request.leaseId();
        }

        @Override
        public Object applyTo(MemoryBackend backend) {
            ReserveResponse response = backend.reserve(request);
            return List.of(response.allowed(), response.reservedAtUnixMs(), response.error());
        }
    }

    private record Complete(CompleteRequest request) implements Operation {
        @Override
        public String leaseId() {
            return request.leaseId();
        }

        @Override
        public Object applyTo(MemoryBackend backend) {
            return backend.complete(request);
        }
    }

    private static MemoryBackend open(Path journalDirectory, FaultyIo io, ManualClock clock) throws IOException {
        return installed(MemoryBackend.withJournal(
                clock,
                hints(clock),
                MAX_TOMBSTONES,
                JournalSettings.of(journalDirectory).withDurableTimeoutMillis(2_000),
                io));
    }

    private static MemoryBackend plain(ManualClock clock) {
        return installed(new MemoryBackend(clock, hints(clock), MAX_TOMBSTONES));
    }

    private static MemoryBackend installed(MemoryBackend backend) {
        LIMITS.forEach(limit -> backend.install(LimitState.created(limit)));
        return backend;
    }

    private static RetryHints hints(ManualClock clock) {
        return new RetryHints(RetryPolicy.DEFAULT, clock, bound -> 0);
    }
}
