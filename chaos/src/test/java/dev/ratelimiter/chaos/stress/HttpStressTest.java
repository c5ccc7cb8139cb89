package dev.ratelimiter.chaos.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.ChaosSettings;
import dev.ratelimiter.chaos.RunAssertions;
import dev.ratelimiter.chaos.RunReport;
import dev.ratelimiter.chaos.Servers;
import dev.ratelimiter.chaos.process.HttpTarget;
import dev.ratelimiter.chaos.process.ServerApi;
import dev.ratelimiter.chaos.workload.LlmWorkload;
import dev.ratelimiter.chaos.workload.WorkerSettings;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.invariants.UsageSampler;
import dev.ratelimiter.testkit.process.JvmInspector;
import dev.ratelimiter.testkit.process.JvmInspector.Histogram;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM-shaped workload against the server as a separate process over HTTP, in real time with
 * windows of a few seconds: many threads, several providers and tenants, random work durations,
 * actuals at or below the bound, failed work and abandoned leases.
 *
 * <p>Asserted: no over-admission (offline per key against the server's own {@code reserved_at},
 * live for concurrency), every usage reading of {@code GET /v1/admin/limits} consistent, every HTTP
 * answer a 200 (no 500, no 400) and no transport failure, contended progress on every limit, and
 * bounded server memory: once every hold has expired, the server keeps no more lease records than
 * its bounds on finished ones allow (run small here, {@link #MAX_TOMBSTONES}, so that a leak would
 * show) and its live heap has not grown by more than {@link #HEAP_GROWTH_BYTES_MAX}.
 */
class HttpStressTest {
    private static final LlmWorkload WORKLOAD = new LlmWorkload(3, 2, 30, 1, 6_000, 2, 4, 5, 8_000, 3, 300, 500);
    private static final WorkerSettings WORKERS = new WorkerSettings(2, 0, 300, 5, 10, 50, 3, 3, 50);
    private static final int THREADS = 12;
    /**
     * The server's bound on tombstones, and separately on denials ({@code
     * ratelimiter.memory.max-tombstones}): finished lease records stay in its lease map as their own
     * tombstones, so this many of each may outlive their holds. Far below the leases of one run.
     */
    private static final int MAX_TOMBSTONES = 1_000;
    /**
     * Lease records the server may keep once every hold has expired: the finished ones within their
     * two bounds, plus the sweeper's last step.
     */
    private static final long LEASE_RECORDS_LEFT_MAX = 2L * MAX_TOMBSTONES + 64;
    /**
     * How much the live heap may grow over the run: the bounded memories of finished and denied
     * lease ids (100,000 each by default) and the server's own caches, far below a leak of records.
     */
    private static final long HEAP_GROWTH_BYTES_MAX = 48L * 1024 * 1024;
    /** Leases sent after the run to drive the server's sweeper over every shard many times. */
    private static final int SWEEPING_LEASES = 200;

    private final ChaosSettings settings = ChaosSettings.current();

    @TempDir
    Path directory;

    @Test
    void neverOverAdmitsNorFailsUnderRandomLoadAndKeepsItsMemoryBounded() throws Exception {
        try (ServerProcess server = Servers.memory(
                settings, directory, Map.of("ratelimiter.memory.max-tombstones", Integer.toString(MAX_TOMBSTONES)))) {
            server.start();
            server.awaitHealthy(Servers.START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(WORKLOAD.definitions());
            Histogram before = JvmInspector.histogram(server.pid());

            ServerApi loadApi = ServerApi.local(server.port(), Duration.ofSeconds(2), Duration.ofSeconds(5));
            HttpTarget target = new HttpTarget(loadApi);
            WorkloadRun run = WorkloadRun.realTime(
                    "http", WORKLOAD, target, WORKERS, THREADS, settings.seed(), settings.maxAdmissions());
            UsageSampler.Report usage;
            try (UsageSampler sampler = UsageSampler.start("http", loadApi::limits, 100)) {
                run.start();
                runFor(run, TimeUnit.SECONDS.toMillis(settings.httpStressSeconds()));
                run.stop(60_000);
                usage = sampler.report();
            }

            Verification verification = RunAssertions.assertSafe(run);
            RunAssertions.assertContendedProgress(run, verification);
            RunAssertions.assertUsageReadingsConsistent(usage, 10);
            String where = " (seed " + settings.seed() + ")";
            assertEquals(Map.of(), target.transportFailures(), "exchanges without an answer" + where);
            assertEquals(
                    Map.of(200, target.statuses().getOrDefault(200, 0L)),
                    target.statuses(),
                    "every answer must be a 200" + where);
            assertEquals(
                    0,
                    run.stats().reserveFailures() + run.stats().completeFailures(),
                    run.stats().describe());

            Histogram after = histogramOnceEveryHoldExpired(server, loadApi);
            long leaseRecords = after.instancesOf("dev.ratelimiter.core.memory.Lease");
            long heapGrowthBytes = after.totalBytes() - before.totalBytes();
            assertTrue(
                    leaseRecords <= LEASE_RECORDS_LEFT_MAX,
                    leaseRecords + " lease records kept after every hold" + " expired" + where);
            assertTrue(
                    heapGrowthBytes <= HEAP_GROWTH_BYTES_MAX,
                    "the live heap grew by " + heapGrowthBytes + " bytes" + where);

            RunReport.write(
                    settings,
                    "http-stress",
                    "duration: " + settings.httpStressSeconds() + " s, " + THREADS
                            + " threads\n" + RunAssertions.describe(run, verification, usage)
                            + "\nhttp statuses: " + target.statuses()
                            + "\nserver memory: live heap " + before.totalBytes() + " -> " + after.totalBytes()
                            + " bytes, "
                            + leaseRecords + " lease records and "
                            + after.instancesOf("dev.ratelimiter.core.memory.Hold") + " holds left after expiry");
        }
    }

    /** Lets the run go on for {@code millis} of real time, ending early if a worker failed. */
    private static void runFor(WorkloadRun run, long millis) {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < endNanos && !run.hasFailed()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * Waits until every key reports nothing reserved (every hold has expired; bounded by the longest
     * hold plus a margin), then sends a little traffic so that the server's sweeper drops the last
     * lease records, and reads the live objects.
     */
    private static Histogram histogramOnceEveryHoldExpired(ServerProcess server, ServerApi api) throws Exception {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WORKLOAD.longestHoldMillis() + 10_000);
        while (true) {
            long reserved = 0;
            for (LimitInfo info : api.limits()) {
                reserved += info.usage().reserved();
            }
            if (reserved == 0) {
                break;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError(
                        "holds still reserved " + reserved + " units after their longest window: " + api.limits());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        // Each reserve and complete advances the sweeper by a bounded step (SPEC 5.1). The sweeping
        // leases hold a concurrency slot, which their complete releases, so they leave no record.
        api.defineAll(List.of(LimitDefinition.concurrency("spare", 1_000, 1)));
        WireCodec codec = api.codec();
        for (int i = 0; i < SWEEPING_LEASES; i++) {
            String leaseId = "sweep-" + i;
            assertEquals(
                    200,
                    api.send(
                                    "POST",
                                    "/v1/reserve",
                                    codec.write(new ReserveRequest(leaseId, "", List.of(new Requirement("spare", 1)))))
                            .status());
            assertEquals(
                    200,
                    api.send("POST", "/v1/complete", codec.write(new CompleteRequest(leaseId, "", List.of())))
                            .status());
        }
        return JvmInspector.histogram(server.pid());
    }
}
