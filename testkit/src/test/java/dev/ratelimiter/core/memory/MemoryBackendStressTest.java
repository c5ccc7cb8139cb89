package dev.ratelimiter.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.ManualClock;
import dev.ratelimiter.testkit.invariants.SlidingWindowVerifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * Many threads reserve and complete at random over shared rolling and concurrency keys while the
 * clock moves, and the admission invariants of SPEC 1 and 10 hold throughout:
 * <ul>
 *   <li>during the run, every observed {@code usage(key).reserved} is within the capacity;</li>
 *   <li>between rounds, when no thread runs, each key's usage and hold count equal what the
 *       recorded admissions, completes and expiries say they must be (so a repeated reserve that
 *       took more, a lost update or a leaked hold shows up as a difference);</li>
 *   <li>afterwards, offline, a {@link SlidingWindowVerifier} per key finds no instant at which the
 *       recorded holds sum above the capacity, for rolling keys (with reconciliation) and for
 *       concurrency keys alike;</li>
 *   <li>every key admitted and denied (progress under real contention), and once every hold has
 *       expired the lease records, sweeper entries and tombstones are within their bounds.</li>
 * </ul>
 *
 * <p>Time: a {@link ManualClock}. The first worker advances it by a few milliseconds now and then
 * while the others run, so windows and timeouts expire in the middle of reserves and completes; it
 * also jumps between rounds, sometimes past every hold. Nothing sleeps. A complete's instant is only
 * known to lie between two clock readings around the call; the verifier counts the smaller amount
 * within that interval, so what it checks is a lower bound of what the backend held.
 *
 * <p>Overage: whether a complete's overage was held or became debt is not in the answer. For keys
 * with overage {@code debt} the test serialises completes that report overage on the key (a lock of
 * its own, outside the backend, while other reserves and completes go on) and reads the key's debt
 * before and after: unchanged means the overage was held. For the key with overage {@code deny}
 * the outcome stays unknown and the checks take both possibilities as bounds.
 *
 * <p>Where it lives: in the testkit's tests, under core's package name. It needs the testkit's
 * {@link SlidingWindowVerifier}, and the testkit depends on core, so core's own tests cannot use
 * it; the package name keeps the memory backend's package-private counters (holds, lease records,
 * tombstones) in reach.
 */
class MemoryBackendStressTest {
    private static final long START_MILLIS = 1_700_000_000_000L;
    private static final int THREADS = 8;
    private static final int ROUNDS = 40;
    private static final int STEPS_PER_ROUND = 250;
    private static final int MAX_OPEN_LEASES_PER_WORKER = 4;
    /** Small, so that eviction from the tombstone and denial memories happens under concurrency. */
    private static final int MAX_TOMBSTONES = 1_000;

    private static final long ROUND_TIMEOUT_SECONDS = 60;
    /** The largest hint the default policy gives for these keys: the rolling cap plus its jitter. */
    private static final long LARGEST_HINT_MS =
            RetryPolicy.DEFAULT.rollingCapMs() + RetryPolicy.DEFAULT.rollingJitterMs();

    /** A key under stress and the largest amount one request asks of it. */
    private record StressKey(LimitDefinition definition, long maxAmount) {
        String key() {
            return definition.key();
        }

        long capacity() {
            return definition.capacity();
        }

        boolean isRolling() {
            return definition.kind() == LimitKind.ROLLING;
        }

        boolean tracksDebt() {
            return isRolling() && definition.overage() == Overage.DEBT;
        }
    }

    private static final List<StressKey> KEYS = List.of(
            new StressKey(LimitDefinition.rolling("rpm", 60, 1), 3),
            new StressKey(LimitDefinition.rolling("tpm", 2000, 2), 200),
            new StressKey(LimitDefinition.rolling("daily", 1500, 3).withOverage(Overage.DENY), 100),
            new StressKey(LimitDefinition.concurrency("conc", 8, 1), 2),
            new StressKey(LimitDefinition.concurrency("slots", 16, 2), 4));
    private static final Map<String, StressKey> BY_KEY = new HashMap<>();
    private static final long LONGEST_HOLD_MILLIS;

    static {
        long longest = 0;
        for (StressKey key : KEYS) {
            BY_KEY.put(key.key(), key);
            longest = Math.max(longest, key.definition().holdMillis());
        }
        LONGEST_HOLD_MILLIS = longest;
    }

    private final long seed = System.nanoTime();
    private final ManualClock clock = new ManualClock(START_MILLIS);
    private final MemoryBackend backend =
            new MemoryBackend(clock, new RetryHints(RetryPolicy.DEFAULT, clock), MAX_TOMBSTONES);
    /** Serialises completes that report overage on a debt key, so the key's debt change is theirs. */
    private final Map<String, ReentrantLock> overageLocks = new HashMap<>();

    @Test
    void neverAdmitsBeyondCapacityWhileManyThreadsReserveAndCompleteAsTimePasses() throws Exception {
        for (StressKey key : KEYS) {
            backend.install(LimitState.created(key.definition()));
            overageLocks.put(key.key(), new ReentrantLock());
        }
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            workers.add(new Worker(i, new SplittableRandom(seed * 31 + i)));
        }
        SplittableRandom random = new SplittableRandom(seed);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                runRound(pool, workers, round);
                checkAgainstTheRecords(workers, round);
                // Mostly short steps that leave some holds live; every eighth round, past them all.
                clock.advanceMillis(round % 8 == 7 ? LONGEST_HOLD_MILLIS + random.nextInt(500) : random.nextInt(300));
            }
        } finally {
            pool.shutdownNow();
        }

        List<LeaseRecord> records = new ArrayList<>();
        for (Worker worker : workers) {
            records.addAll(worker.records);
        }
        verifyOffline(records);
        assertProgress(workers);
        assertRecordsDrainWithinTheirBounds();
    }

    private void runRound(ExecutorService pool, List<Worker> workers, int round) throws InterruptedException {
        List<Future<Void>> results = pool.invokeAll(workers, ROUND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (Future<Void> result : results) {
            try {
                result.get();
            } catch (ExecutionException failure) {
                throw new AssertionError(
                        "a worker failed in round " + round + " (seed " + seed + ")", failure.getCause());
            } catch (CancellationException timedOut) {
                fail("round " + round + " did not finish within " + ROUND_TIMEOUT_SECONDS + " s (seed " + seed + ")");
            }
        }
    }

    /**
     * With every worker stopped and the clock still, each key must hold exactly what the records
     * say: admitted, not expired, and either not completed (the reserved amount), or completed (0
     * for concurrency, the reconciled amount for rolling).
     */
    private void checkAgainstTheRecords(List<Worker> workers, int round) {
        long nowMillis = clock.nowMillis();
        for (StressKey key : KEYS) {
            long lowest = 0;
            long highest = 0;
            int liveHolds = 0;
            long debt = 0;
            for (Worker worker : workers) {
                for (LeaseRecord record : worker.records) {
                    long low = record.heldAt(key, nowMillis, false);
                    lowest += low;
                    highest += record.heldAt(key, nowMillis, true);
                    liveHolds += low > 0 ? 1 : 0;
                    debt += record.debtAdded.getOrDefault(key.key(), 0L);
                }
            }
            Usage usage = backend.usage(key.key());
            String where = key.key() + " after round " + round + " (seed " + seed + "): " + usage;
            assertTrue(
                    usage.reserved() >= lowest && usage.reserved() <= highest,
                    where + ", records say " + lowest + ".." + highest);
            assertTrue(usage.reserved() <= key.capacity(), where);
            assertEquals(liveHolds, backend.holdCount(key.key()), where);
            assertEquals(debt, usage.debt(), where);
        }
    }

    private void verifyOffline(List<LeaseRecord> records) {
        for (StressKey key : KEYS) {
            SlidingWindowVerifier verifier = new SlidingWindowVerifier(
                    key.key(), key.capacity(), key.definition().holdMillis());
            for (LeaseRecord record : records) {
                Long amount = record.amounts.get(key.key());
                if (amount == null) {
                    continue;
                }
                if (record.completed) {
                    long reconciled = key.isRolling() ? record.reconciledLow.get(key.key()) : 0;
                    verifier.admitted(
                            record.leaseId,
                            record.reservedAtMillis,
                            amount,
                            record.completedFromMillis,
                            record.completedUntilMillis,
                            reconciled);
                } else {
                    verifier.admitted(record.leaseId, record.reservedAtMillis, amount);
                }
            }
            assertEquals(Optional.empty(), verifier.firstViolation(), "seed " + seed);
            assertTrue(verifier.admissionCount() > 0, key.key() + " admitted nothing (seed " + seed + ")");
            assertTrue(
                    verifier.peakHeldAmount() * 2 >= key.capacity(),
                    key.key() + " was never even half full, so the run proves little: peak " + verifier.peakHeldAmount()
                            + " (seed " + seed + ")");
        }
    }

    private void assertProgress(List<Worker> workers) {
        for (StressKey key : KEYS) {
            int denials = 0;
            for (Worker worker : workers) {
                denials += worker.denialsByKey.getOrDefault(key.key(), 0);
            }
            assertTrue(denials > 0, "no request naming " + key.key() + " was ever denied (seed " + seed + ")");
        }
    }

    /**
     * Once every hold has expired, a little traffic on another key drives the sweeper until no lease
     * record is left; the memories of dropped and denied ids stay within their bound.
     */
    private void assertRecordsDrainWithinTheirBounds() {
        clock.advanceMillis(LONGEST_HOLD_MILLIS);
        StressKey spare = new StressKey(LimitDefinition.concurrency("spare", 1000, 60), 1);
        backend.install(LimitState.created(spare.definition()));
        int recordsLeft = backend.leaseRecordCount();
        int budget = 4 * (recordsLeft + LeaseSweeper.SHARDS);
        int calls = 0;
        while (backend.leaseRecordCount() > 0 && calls < budget) {
            String leaseId = "drain-" + calls;
            assertTrue(backend.reserve(new ReserveRequest(leaseId, "", List.of(new Requirement("spare", 1))))
                    .allowed());
            assertTrue(backend.complete(new CompleteRequest(leaseId, "", List.of()))
                    .ok());
            calls += 2;
        }

        assertEquals(0, backend.leaseRecordCount(), recordsLeft + " records, " + calls + " calls");
        assertEquals(0, backend.scheduledSweepCount());
        assertTrue(backend.tombstoneCount() <= MAX_TOMBSTONES, "tombstones " + backend.tombstoneCount());
        assertTrue(backend.deniedLeaseCount() <= MAX_TOMBSTONES, "denials " + backend.deniedLeaseCount());
        for (StressKey key : KEYS) {
            assertEquals(0, backend.usage(key.key()).reserved(), key.key());
            assertEquals(0, backend.holdCount(key.key()), key.key());
        }
    }

    /**
     * What the test knows about one admitted lease. Written only by the worker that owns it while a
     * round runs; read by the test thread between rounds (the round's futures order the two).
     */
    private static final class LeaseRecord {
        final String leaseId;
        final long reservedAtMillis;
        /** Key to reserved amount, in request order. */
        final Map<String, Long> amounts;

        boolean completed;
        long completedFromMillis;
        long completedUntilMillis;
        /** Rolling keys only: what the hold keeps after complete, the overage taken as not held. */
        final Map<String, Long> reconciledLow = new HashMap<>();
        /** Rolling keys only: the same, the overage taken as held (differs only under overage deny). */
        final Map<String, Long> reconciledHigh = new HashMap<>();
        /** Debt keys only: how much debt this lease's complete added. */
        final Map<String, Long> debtAdded = new HashMap<>();

        LeaseRecord(String leaseId, long reservedAtMillis, Map<String, Long> amounts) {
            this.leaseId = leaseId;
            this.reservedAtMillis = reservedAtMillis;
            this.amounts = amounts;
        }

        /** What this lease holds of {@code key} at {@code nowMillis}, once every call has returned. */
        long heldAt(StressKey key, long nowMillis, boolean overageHeld) {
            Long amount = amounts.get(key.key());
            if (amount == null
                    || nowMillis >= reservedAtMillis + key.definition().holdMillis()) {
                return 0;
            }
            if (!completed) {
                return amount;
            }
            if (!key.isRolling()) {
                return 0;
            }
            return (overageHeld ? reconciledHigh : reconciledLow).get(key.key());
        }
    }

    /** One thread's share of the traffic; keeps its own records and open leases across rounds. */
    private final class Worker implements Callable<Void> {
        final int index;
        final SplittableRandom random;
        final List<LeaseRecord> records = new ArrayList<>();
        final List<LeaseRecord> open = new ArrayList<>();
        final Map<String, Integer> denialsByKey = new HashMap<>();
        int sequence;

        Worker(int index, SplittableRandom random) {
            this.index = index;
            this.random = random;
        }

        @Override
        public Void call() {
            for (int step = 0; step < STEPS_PER_ROUND; step++) {
                if (!open.isEmpty() && (open.size() >= MAX_OPEN_LEASES_PER_WORKER || random.nextInt(100) < 45)) {
                    finish(open.remove(random.nextInt(open.size())));
                } else {
                    reserve();
                }
                if (random.nextInt(100) < 5) {
                    observe(KEYS.get(random.nextInt(KEYS.size())));
                }
                if (index == 0 && random.nextBoolean()) {
                    clock.advanceMillis(random.nextInt(15));
                }
            }
            return null;
        }

        private void reserve() {
            List<StressKey> keys = new ArrayList<>(KEYS);
            for (int i = keys.size() - 1; i > 0; i--) {
                Collections.swap(keys, i, random.nextInt(i + 1));
            }
            int roll = random.nextInt(100);
            int keyCount = roll < 60 ? 1 : roll < 85 ? 2 : 3;
            List<Requirement> requirements = new ArrayList<>();
            Map<String, Long> amounts = new LinkedHashMap<>();
            String oversizedKey = null;
            for (StressKey key : keys.subList(0, keyCount)) {
                long amount = 1 + random.nextLong(key.maxAmount());
                if (oversizedKey == null && random.nextInt(200) == 0) {
                    amount = key.capacity() + 1 + random.nextLong(10);
                    oversizedKey = key.key();
                }
                requirements.add(new Requirement(key.key(), amount));
                amounts.put(key.key(), amount);
            }
            String leaseId = "w" + index + "-" + sequence++;
            long beforeMillis = clock.nowMillis();
            ReserveResponse response = backend.reserve(new ReserveRequest(leaseId, "job", requirements));
            long afterMillis = clock.nowMillis();

            if (oversizedKey != null) {
                assertEquals(ReserveResponse.refused(new Refusal.ExceedsCapacity(oversizedKey), 0), response, leaseId);
            } else if (response.allowed()) {
                assertEquals("", response.error(), leaseId);
                assertTrue(
                        response.reservedAtUnixMs() >= beforeMillis && response.reservedAtUnixMs() <= afterMillis,
                        leaseId + " reserved at " + response.reservedAtUnixMs() + " outside [" + beforeMillis + ", "
                                + afterMillis + "]");
                LeaseRecord record = admitted(leaseId, response.reservedAtUnixMs(), amounts);
                if (random.nextInt(100) < 10) {
                    repeatWhileLive(record, requirements);
                }
            } else {
                assertEquals("", response.error(), leaseId + ": " + response);
                assertTrue(
                        response.retryAfterMs() >= 1 && response.retryAfterMs() <= LARGEST_HINT_MS,
                        leaseId + ": " + response);
                for (String key : amounts.keySet()) {
                    denialsByKey.merge(key, 1, Integer::sum);
                }
            }
        }

        private LeaseRecord admitted(String leaseId, long reservedAtMillis, Map<String, Long> amounts) {
            LeaseRecord record = new LeaseRecord(leaseId, reservedAtMillis, amounts);
            records.add(record);
            open.add(record);
            return record;
        }

        /** The same lease again, requirements in another order: the original answer, nothing taken. */
        private void repeatWhileLive(LeaseRecord record, List<Requirement> requirements) {
            List<Requirement> reordered = new ArrayList<>(requirements);
            Collections.reverse(reordered);
            long firstExpiryMillis = Long.MAX_VALUE;
            for (String key : record.amounts.keySet()) {
                firstExpiryMillis = Math.min(
                        firstExpiryMillis,
                        record.reservedAtMillis + BY_KEY.get(key).definition().holdMillis());
            }
            long beforeMillis = clock.nowMillis();
            ReserveResponse repeat = backend.reserve(new ReserveRequest(record.leaseId, "job", reordered));
            long afterMillis = clock.nowMillis();
            if (repeat.equals(ReserveResponse.allowed(record.reservedAtMillis))) {
                assertTrue(beforeMillis < firstExpiryMillis, record.leaseId + " allowed after its first hold expired");
                return;
            }
            // Any other answer needs the first hold to have expired meanwhile (this thread may have
            // been descheduled while the clock ran on).
            assertTrue(afterMillis >= firstExpiryMillis, record.leaseId + " answered " + repeat + " while live");
            answerToALateRepeat(record, repeat);
        }

        /** Completes the lease with random actuals, or abandons it (its holds then expire by themselves). */
        private void finish(LeaseRecord record) {
            if (random.nextInt(100) < 15) {
                return;
            }
            Map<String, Long> actuals = chooseActuals(record);
            List<Actual> sent = new ArrayList<>();
            actuals.forEach((key, actual) -> sent.add(new Actual(key, actual)));
            TreeMap<String, ReentrantLock> locks = new TreeMap<>();
            for (Map.Entry<String, Long> actual : actuals.entrySet()) {
                StressKey key = BY_KEY.get(actual.getKey());
                Long reserved = record.amounts.get(key.key());
                if (key.tracksDebt() && reserved != null && actual.getValue() > reserved) {
                    locks.put(key.key(), overageLocks.get(key.key()));
                }
            }
            Map<String, Long> debtBefore = new HashMap<>();
            Map<String, Long> debtAfter = new HashMap<>();
            CompleteResponse response;
            locks.values().forEach(ReentrantLock::lock);
            try {
                locks.keySet()
                        .forEach(key -> debtBefore.put(key, backend.usage(key).debt()));
                record.completedFromMillis = clock.nowMillis();
                response = backend.complete(new CompleteRequest(record.leaseId, "job", sent));
                record.completedUntilMillis = clock.nowMillis();
                locks.keySet()
                        .forEach(key -> debtAfter.put(key, backend.usage(key).debt()));
            } finally {
                locks.descendingMap().values().forEach(ReentrantLock::unlock);
            }
            assertEquals(CompleteResponse.succeeded(), response, record.leaseId);
            record.completed = true;
            reconcile(record, actuals, debtBefore, debtAfter);
            if (random.nextInt(100) < 5) {
                repeatAfterComplete(record);
            }
        }

        /**
         * Per rolling key: none, below, equal or above the reserved amount; sometimes no actuals at
         * all; sometimes an actual for a concurrency key, which must be ignored.
         */
        private Map<String, Long> chooseActuals(LeaseRecord record) {
            Map<String, Long> actuals = new LinkedHashMap<>();
            if (random.nextInt(10) == 0) {
                return actuals;
            }
            for (Map.Entry<String, Long> held : record.amounts.entrySet()) {
                StressKey key = BY_KEY.get(held.getKey());
                long reserved = held.getValue();
                int roll = random.nextInt(100);
                if (!key.isRolling()) {
                    if (roll < 20) {
                        actuals.put(key.key(), random.nextLong(2 * key.capacity()));
                    }
                } else if (roll < 20) {
                    continue;
                } else if (roll < 50) {
                    actuals.put(key.key(), random.nextLong(reserved));
                } else if (roll < 75) {
                    actuals.put(key.key(), reserved);
                } else {
                    actuals.put(key.key(), reserved + 1 + random.nextLong(key.maxAmount()));
                }
            }
            return actuals;
        }

        /** Records what each rolling hold keeps after complete (SPEC 2.3). */
        private void reconcile(
                LeaseRecord record,
                Map<String, Long> actuals,
                Map<String, Long> debtBefore,
                Map<String, Long> debtAfter) {
            for (Map.Entry<String, Long> held : record.amounts.entrySet()) {
                StressKey key = BY_KEY.get(held.getKey());
                if (!key.isRolling()) {
                    continue;
                }
                long reserved = held.getValue();
                Long actual = actuals.get(key.key());
                long low;
                long high;
                if (actual == null) {
                    low = reserved;
                    high = reserved;
                } else if (actual <= reserved) {
                    low = actual;
                    high = actual;
                } else if (key.tracksDebt()) {
                    long debt = debtAfter.get(key.key()) - debtBefore.get(key.key());
                    // Unchanged debt: the overage was held (or the hold had expired, which the
                    // window arithmetic of every check already accounts for).
                    assertTrue(
                            debt == 0 || debt == actual - reserved,
                            record.leaseId + " added debt " + debt + " for overage " + (actual - reserved));
                    record.debtAdded.put(key.key(), debt);
                    low = debt == 0 ? actual : reserved;
                    high = low;
                } else {
                    low = reserved;
                    high = actual;
                }
                record.reconciledLow.put(key.key(), low);
                record.reconciledHigh.put(key.key(), high);
            }
        }

        /** A completed lease sent again; the tombstone bound is small here, so eviction does happen. */
        private void repeatAfterComplete(LeaseRecord record) {
            List<Requirement> requirements = new ArrayList<>();
            record.amounts.forEach((key, amount) -> requirements.add(new Requirement(key, amount)));
            answerToALateRepeat(record, backend.reserve(new ReserveRequest(record.leaseId, "job", requirements)));
        }

        /**
         * A repeat after complete or expiry answers {@code lease_expired}, unless the tombstone was
         * evicted: then the id is new again, and an admission is recorded like any other.
         */
        private void answerToALateRepeat(LeaseRecord record, ReserveResponse repeat) {
            if (repeat.allowed()) {
                admitted(record.leaseId, repeat.reservedAtUnixMs(), record.amounts);
            } else if (!repeat.error().isEmpty()) {
                assertEquals(ReserveResponse.refused(new Refusal.LeaseExpired(record.leaseId), 0), repeat);
            }
        }

        /** A reading during the run: never more reserved than the capacity. */
        private void observe(StressKey key) {
            Usage usage = backend.usage(key.key());
            String where = key.key() + " observed by worker " + index + ": " + usage;
            assertTrue(usage.reserved() >= 0 && usage.reserved() <= key.capacity(), where);
            assertEquals(key.capacity() - usage.reserved(), usage.available(), where);
            assertTrue(usage.debt() >= 0, where);
            if (!key.tracksDebt()) {
                assertEquals(0, usage.debt(), where);
            }
        }
    }
}
