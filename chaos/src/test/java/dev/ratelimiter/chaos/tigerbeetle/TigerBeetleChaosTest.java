package dev.ratelimiter.chaos.tigerbeetle;

import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.LOAD_MILLIS;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.PROBE;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.START_TIMEOUT_MILLIS;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.THREADS;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.WORKERS;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.WORKLOAD;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.awaitHealthStatus;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.reserve;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.reservedOf;
import static dev.ratelimiter.chaos.tigerbeetle.TigerBeetleChaosCalls.runFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.ChaosSettings;
import dev.ratelimiter.chaos.RunAssertions;
import dev.ratelimiter.chaos.RunReport;
import dev.ratelimiter.chaos.Servers;
import dev.ratelimiter.chaos.process.HttpTarget;
import dev.ratelimiter.chaos.process.ServerApi;
import dev.ratelimiter.chaos.process.ServerApi.Reply;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.invariants.UsageSampler;
import dev.ratelimiter.testkit.process.Ports;
import dev.ratelimiter.testkit.process.ServerProcess;
import dev.ratelimiter.testkit.process.TigerBeetleBinary;
import dev.ratelimiter.testkit.process.TigerBeetleReplica;
import dev.ratelimiter.testkit.tigerbeetle.RequiresTigerBeetle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos with a real TigerBeetle (SPEC 5.2 and 10), each process killed with SIGKILL under load:
 * <ul>
 *   <li>TigerBeetle killed and restarted: while it is down the server answers {@code backend_error}
 *       within its TigerBeetle timeout and {@code /healthz} says 503; once TigerBeetle is back the
 *       same server process admits again within {@link #RECOVERY_MILLIS_MAX};</li>
 *   <li>the server killed with holds outstanding and restarted: the holds still count (usage and
 *       denials) until they expire, and only then is the capacity free again;</li>
 *   <li>the server killed again and again under load: no over-admission across its restarts, since
 *       TigerBeetle keeps every hold (unlike the memory backend, no lifetime is verified apart).</li>
 * </ul>
 * Without a TigerBeetle binary ({@code TB_BIN}, or {@code tigerbeetle} on the PATH) the class is
 * skipped with the single line {@link TigerBeetleBinary#SKIP_MESSAGE}.
 */
@RequiresTigerBeetle(localBinary = true)
class TigerBeetleChaosTest {
    /** The server's bound on each TigerBeetle request. */
    private static final long TIGERBEETLE_TIMEOUT_MILLIS = 1_000;
    /** What an answer may take beyond that bound: well under a second (SPEC 5.2), plus scheduling. */
    private static final long ANSWER_SLACK_MILLIS = 2_000;
    /**
     * SPEC 5.2: admitting again within 2 s of TigerBeetle's return (from the moment the replica can
     * commit, not the earlier moment it accepts connections), plus a second for a loaded machine.
     */
    private static final long RECOVERY_MILLIS_MAX = 3_000;

    private static final long OUTAGE_MILLIS = 2_000;

    private final ChaosSettings settings = ChaosSettings.current();
    private final AtomicLong probes = new AtomicLong();

    @TempDir
    Path directory;

    @Test
    void answersBackendErrorWhileTigerBeetleIsDownAndRecoversWithoutARestart() throws Exception {
        try (TigerBeetleReplica tigerBeetle = startTigerBeetle();
                ServerProcess server = Servers.tigerBeetle(
                        settings, directory.resolve("server"), tigerBeetle.address(), TIGERBEETLE_TIMEOUT_MILLIS)) {
            server.start();
            server.awaitHealthy(START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(WORKLOAD.definitions());
            Servers.api(server).defineAll(List.of(PROBE));
            ServerApi clientApi = ServerApi.local(server.port(), Duration.ofMillis(500), Duration.ofSeconds(5));
            HttpTarget target = new HttpTarget(clientApi);
            WorkloadRun run = WorkloadRun.realTime(
                    "tbout", WORKLOAD, target, WORKERS, THREADS, settings.seed(), settings.maxAdmissions());
            List<String> outages = new ArrayList<>();
            UsageSampler.Report usage;
            try (UsageSampler sampler = UsageSampler.start("tbout", clientApi::limits, 200)) {
                run.start();
                for (int outage = 1; outage <= settings.tigerBeetleOutages() && !run.hasFailed(); outage++) {
                    outages.add(outage(tigerBeetle, server, run, outage));
                }
                runFor(run, LOAD_MILLIS);
                run.stop(60_000);
                usage = sampler.report();
            }

            Verification verification = RunAssertions.assertSafe(run);
            RunAssertions.assertUsageReadingsConsistent(usage, 5);
            assertEquals(1, server.starts(), "the server was never restarted");
            assertTrue(
                    run.stats().backendErrors() > 0,
                    "no client saw backend_error: " + run.stats().describe());
            assertEquals(
                    Map.of(200, target.statuses().getOrDefault(200, 0L)),
                    target.statuses(),
                    "every answer must be a 200, backend_error included");
            assertTrue(
                    run.stats().longestCallMillis() <= TIGERBEETLE_TIMEOUT_MILLIS + ANSWER_SLACK_MILLIS,
                    "a client waited " + run.stats().longestCallMillis() + " ms for one call");
            RunReport.write(
                    settings,
                    "tigerbeetle-outage",
                    "TigerBeetle outages survived: " + outages.size() + "\n"
                            + RunAssertions.describe(run, verification, usage) + "\nhttp statuses: " + target.statuses()
                            + "\n  " + String.join("\n  ", outages));
        }
    }

    @Test
    void holdsMadeBeforeAServerKillStillCountUntilTheyExpire() throws Exception {
        LimitDefinition rolling = LimitDefinition.rolling("chaos:held:rolling", 10, 10);
        LimitDefinition concurrency = LimitDefinition.concurrency("chaos:held:concurrency", 3, 10);
        try (TigerBeetleReplica tigerBeetle = startTigerBeetle();
                ServerProcess server = Servers.tigerBeetle(
                        settings, directory.resolve("server"), tigerBeetle.address(), TIGERBEETLE_TIMEOUT_MILLIS)) {
            server.start();
            server.awaitHealthy(START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(List.of(rolling, concurrency));
            long firstReservedAtMillis = Long.MAX_VALUE;
            for (LimitDefinition definition : List.of(rolling, concurrency)) {
                for (int i = 0; i < definition.capacity(); i++) {
                    ReserveResponse response =
                            reserve(Servers.api(server), "held-" + probes.incrementAndGet(), definition.key());
                    assertTrue(response.allowed(), definition.key() + " hold " + i + ": " + response);
                    firstReservedAtMillis = Math.min(firstReservedAtMillis, response.reservedAtUnixMs());
                }
            }
            assertFull(Servers.api(server), rolling, concurrency, "before the kill");

            assertEquals(137, server.kill(), "exit code after SIGKILL");
            server.start();
            server.awaitHealthy(START_TIMEOUT_MILLIS);

            assertFull(Servers.api(server), rolling, concurrency, "after the restart");
            long freedAtMillis = awaitAdmission(
                    Servers.api(server), rolling.key(), firstReservedAtMillis + rolling.holdMillis() + 15_000);
            assertTrue(
                    freedAtMillis >= firstReservedAtMillis + rolling.holdMillis() - 1_000,
                    "admitted at " + freedAtMillis + ", before the holds made at " + firstReservedAtMillis
                            + " expired");
            awaitAdmission(
                    Servers.api(server), concurrency.key(), firstReservedAtMillis + concurrency.holdMillis() + 15_000);
        }
    }

    @Test
    void neverAdmitsTwiceAcrossServerRestartsOnTigerBeetle() throws Exception {
        try (TigerBeetleReplica tigerBeetle = startTigerBeetle();
                ServerProcess server = Servers.tigerBeetle(
                        settings, directory.resolve("server"), tigerBeetle.address(), TIGERBEETLE_TIMEOUT_MILLIS)) {
            server.start();
            server.awaitHealthy(START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(WORKLOAD.definitions());
            ServerApi clientApi = ServerApi.local(server.port(), Duration.ofMillis(500), Duration.ofSeconds(2));
            HttpTarget target = new HttpTarget(clientApi);
            WorkloadRun run = WorkloadRun.realTime(
                    "tbkill", WORKLOAD, target, WORKERS, THREADS, settings.seed(), settings.maxAdmissions());
            run.start();
            int kills = 0;
            for (; kills < settings.tigerBeetleOutages() && !run.hasFailed(); kills++) {
                runFor(run, LOAD_MILLIS);
                assertEquals(137, server.kill(), "exit code after SIGKILL");
                // No new epoch: TigerBeetle keeps every hold across the restart.
                server.start();
                server.awaitHealthy(START_TIMEOUT_MILLIS);
            }
            runFor(run, LOAD_MILLIS);
            run.stop(60_000);

            Verification verification = RunAssertions.assertSafe(run);
            assertEquals(1, verification.epochs());
            assertTrue(run.stats().allowed() > 0, run.stats().describe());
            RunReport.write(
                    settings,
                    "tigerbeetle-server-kill",
                    "server kills survived: " + kills
                            + "\noperations: " + run.stats().describe() + "\nadmissions verified: "
                            + verification.admissions()
                            + " across every restart, violations " + verification.violationCount());
        }
    }

    /**
     * SPEC 5.2: a reserve answered {@code backend_error} after its timeout may still commit; unless
     * its lease id is retried, the server voids its holds once the cluster answers. TigerBeetle is
     * frozen while reserves are in flight, so they time out, and thawed, so it applies them after
     * all; nobody retries them, and their hour-long holds must be gone within seconds.
     */
    @Test
    void leavesNoHoldOfAReserveAnsweredBackendErrorAndNeverRetried() throws Exception {
        LimitDefinition slots = LimitDefinition.concurrency("chaos:unknown:slots", 1_000, 3_600);
        LimitDefinition tokens = LimitDefinition.rolling("chaos:unknown:tpm", 100_000, 3_600);
        try (TigerBeetleReplica tigerBeetle = startTigerBeetle();
                ServerProcess server = Servers.tigerBeetle(
                        settings, directory.resolve("server"), tigerBeetle.address(), TIGERBEETLE_TIMEOUT_MILLIS)) {
            server.start();
            server.awaitHealthy(START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(List.of(slots, tokens));

            tigerBeetle.pause();
            List<Thread> senders = new ArrayList<>();
            AtomicLong backendErrors = new AtomicLong();
            for (int i = 0; i < 8; i++) {
                String leaseId = "unanswered-" + i;
                Thread sender = new Thread(() -> {
                    try {
                        Reply reply = Servers.api(server)
                                .send(
                                        "POST",
                                        "/v1/reserve",
                                        Servers.api(server)
                                                .codec()
                                                .write(new ReserveRequest(
                                                        leaseId,
                                                        "",
                                                        List.of(
                                                                new Requirement(slots.key(), 1),
                                                                new Requirement(tokens.key(), 100)))));
                        if (Servers.api(server)
                                .codec()
                                .readReserveResponse(reply.body())
                                .error()
                                .equals(ErrorCodes.BACKEND_ERROR)) {
                            backendErrors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                sender.start();
                senders.add(sender);
            }
            for (Thread sender : senders) {
                sender.join(30_000);
            }
            assertEquals(8, backendErrors.get(), "every reserve times out while TigerBeetle is frozen");
            tigerBeetle.resume();
            // Usage read while the cluster does not answer is the last value read; only fresh readings count.
            awaitHealthStatus(Servers.api(server), 200, 15_000, "/healthz once TigerBeetle runs again");

            long peak = 0;
            long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long reserved;
            do {
                reserved = reservedOf(Servers.api(server), slots.key()) + reservedOf(Servers.api(server), tokens.key());
                peak = Math.max(peak, reserved);
                assertTrue(
                        System.nanoTime() < deadlineNanos,
                        "the holds of unanswered reserves are still there: " + reserved + " of " + slots.key() + " and "
                                + tokens.key() + "\n" + server.outputTail());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            } while (reserved > 0);
            assertTrue(
                    server.outputTail().contains("settled lease unanswered-"),
                    "the server settled the unanswered reserves:\n" + server.outputTail());
            RunReport.write(
                    settings,
                    "tigerbeetle-unknown-leases",
                    "unanswered reserves: 8, applied late by the" + " cluster: up to " + peak
                            + " units held (slots and tokens), all voided by the server");
        }
    }

    private TigerBeetleReplica startTigerBeetle() throws IOException, InterruptedException {
        TigerBeetleReplica tigerBeetle = new TigerBeetleReplica(
                TigerBeetleBinary.find().orElseThrow(), directory.resolve("tigerbeetle"), Ports.free());
        tigerBeetle.format();
        tigerBeetle.start();
        tigerBeetle.awaitListening(START_TIMEOUT_MILLIS);
        return tigerBeetle;
    }

    /** One outage: load, SIGKILL TigerBeetle, check the answers while it is down, restart it, time the recovery. */
    private String outage(TigerBeetleReplica tigerBeetle, ServerProcess server, WorkloadRun run, int outage)
            throws Exception {
        runFor(run, LOAD_MILLIS);
        tigerBeetle.kill();
        long slowestProbeMillis = 0;
        long deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            long startNanos = System.nanoTime();
            ReserveResponse response = reserve(Servers.api(server), "probe-" + probes.incrementAndGet(), PROBE.key());
            long probeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            slowestProbeMillis = Math.max(slowestProbeMillis, probeMillis);
            assertTrue(
                    probeMillis <= TIGERBEETLE_TIMEOUT_MILLIS + ANSWER_SLACK_MILLIS,
                    "outage " + outage + ": a reserve took " + probeMillis + " ms while TigerBeetle was down");
            if (response.error().equals(ErrorCodes.BACKEND_ERROR)) {
                break;
            }
            assertTrue(
                    System.nanoTime() < deadlineNanos,
                    "outage " + outage + ": no backend_error within 15 s of" + " killing TigerBeetle; last answer "
                            + response + "\n" + server.outputTail());
        }
        awaitHealthStatus(
                Servers.api(server), 503, 15_000, "outage " + outage + ": /healthz while TigerBeetle is down");
        runFor(run, OUTAGE_MILLIS);

        tigerBeetle.start();
        tigerBeetle.awaitReady(START_TIMEOUT_MILLIS);
        long returnedNanos = System.nanoTime();
        long recoveredMillis;
        while (true) {
            ReserveResponse response = reserve(Servers.api(server), "probe-" + probes.incrementAndGet(), PROBE.key());
            recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returnedNanos);
            if (response.allowed()) {
                break;
            }
            assertTrue(
                    recoveredMillis <= RECOVERY_MILLIS_MAX,
                    "outage " + outage + ": still " + response + " " + recoveredMillis
                            + " ms after TigerBeetle returned\n" + server.outputTail());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        awaitHealthStatus(
                Servers.api(server), 200, RECOVERY_MILLIS_MAX, "outage " + outage + ": /healthz after the return");
        assertTrue(server.isAlive(), "outage " + outage + ": the server died");
        return "outage " + outage + ": slowest reserve while down " + slowestProbeMillis + " ms, admitting again "
                + recoveredMillis + " ms after TigerBeetle was ready";
    }

    private static void assertFull(ServerApi api, LimitDefinition rolling, LimitDefinition concurrency, String when)
            throws Exception {
        for (LimitInfo info : api.limits()) {
            String key = info.definition().key();
            if (key.equals(rolling.key()) || key.equals(concurrency.key())) {
                assertEquals(info.definition().capacity(), info.usage().reserved(), when + ": " + info);
            }
        }
        for (LimitDefinition definition : List.of(rolling, concurrency)) {
            ReserveResponse response = reserve(api, "over-" + System.nanoTime(), definition.key());
            assertTrue(
                    !response.allowed() && response.error().isEmpty(),
                    when + ", one more of " + definition.key() + ": " + response);
        }
    }

    /** Reserves with fresh lease ids until one is admitted; returns when, on the system clock. */
    private long awaitAdmission(ServerApi api, String key, long deadlineMillis) throws Exception {
        while (true) {
            ReserveResponse response = reserve(api, "after-" + probes.incrementAndGet(), key);
            if (response.allowed()) {
                return response.reservedAtUnixMs();
            }
            assertTrue(System.currentTimeMillis() < deadlineMillis, key + " still denied: " + response);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }
}
