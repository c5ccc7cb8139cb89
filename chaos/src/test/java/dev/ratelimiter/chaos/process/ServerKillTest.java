package dev.ratelimiter.chaos.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.ChaosSettings;
import dev.ratelimiter.chaos.RunAssertions;
import dev.ratelimiter.chaos.RunReport;
import dev.ratelimiter.chaos.Servers;
import dev.ratelimiter.chaos.workload.ClientLimiterTarget;
import dev.ratelimiter.chaos.workload.LlmWorkload;
import dev.ratelimiter.chaos.workload.Worker;
import dev.ratelimiter.chaos.workload.WorkerSettings;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.client.http.HttpLimiter;
import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.testkit.invariants.AdmissionLog;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.invariants.ConcurrencyChecker;
import dev.ratelimiter.testkit.invariants.UsageSampler;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server killed with SIGKILL under load, again and again, and restarted on the same registry
 * file and port (SPEC 4 and 10). Load: the LLM workload from client threads with short timeouts,
 * some over raw HTTP and some through the project's Java client, and an admin changing limits all
 * the time.
 *
 * <p>After every kill: the registry file is valid and holds every acknowledged admin change, and a
 * change in flight at the kill either whole or not at all; the restarted server serves exactly what
 * the file holds; clients got errors during the outage, none waited longer than its timeout allows,
 * and every client got answers again once the server was back; the books survived (SPEC 5.1): every
 * acknowledged debt is still there and a lease completed before the kill answers {@code lease_expired}.
 * Over the whole run: no over-admission across all server lifetimes together (the memory backend's
 * journal keeps every acknowledged hold across SIGKILL, so the sliding-window verifier checks the
 * admissions from before and after every kill as one history), no unexpected answer, and no HTTP
 * status other than 200.
 */
class ServerKillTest {
    private static final LlmWorkload WORKLOAD = new LlmWorkload(2, 1, 20, 1, 10_000, 2, 3, 5, 12_000, 3, 200, 300);
    private static final int RAW_THREADS = 6;
    private static final int CLIENT_THREADS = 3;
    /** The deadline the Java client gets for each call, within which it retries an unknown outcome. */
    private static final long CLIENT_CALL_BUDGET_MILLIS = 2_000;

    private static final long CONNECT_TIMEOUT_MILLIS = 500;
    private static final long REQUEST_TIMEOUT_MILLIS = 1_000;
    /**
     * What a client may wait beyond its request timeout or deadline. The check is for hangs: on a
     * two-core machine whose cores the test JVM, nine client threads and a starting server share, a
     * raw call was once seen to end 2 s after its timeout (the JDK client's timer thread starved),
     * so the slack is generous; a call that hangs exceeds any bound.
     */
    private static final long CALL_SLACK_MILLIS = 5_000;

    private static final WorkerSettings WORKERS = new WorkerSettings(2, 0, 200, 5, 10, 50, 3, 3, 100);
    private static final int ADMIN_KEYS = 12;
    /** Healthy time under load before each kill, at random between these bounds. */
    private static final long LOAD_MILLIS_MIN = 300;

    private static final long LOAD_MILLIS_MAX = 1_500;
    /** How long every client may take to get an answer again after a restart. */
    private static final long RESUME_TIMEOUT_MILLIS = 15_000;
    /** Exit code of a JVM killed by SIGKILL (128 + 9). */
    private static final int SIGKILL_EXIT_CODE = 137;
    /**
     * Before every kill one lease of this key is completed with an overage that cannot fit, leaving
     * debt and a tombstone that the restarted server must still have.
     */
    private static final LimitDefinition BOOKS = new LimitDefinition(
            "chaos:books:debt",
            LimitKind.ROLLING,
            1_000,
            3_600,
            0,
            "tokens",
            "debt and tombstones across kills",
            Overage.DEBT);

    private static final long BOOKS_OVERAGE = 2_000;

    private final ChaosSettings settings = ChaosSettings.current();

    @TempDir
    Path directory;

    @Test
    void keepsEveryAcknowledgedChangeAndResumesAfterRepeatedSigkillUnderLoad() throws Exception {
        SplittableRandom random = new SplittableRandom(settings.seed());
        Path registryFile = Servers.registryFile(directory);
        Set<String> loadKeys = new HashSet<>();
        WORKLOAD.definitions().forEach(definition -> loadKeys.add(definition.key()));
        try (ServerProcess server = Servers.memory(settings, directory, Map.of(), Servers.FAST_START_JVM_OPTIONS);
                HttpLimiter client = new HttpLimiter(HttpLimiterConfig.of("http://127.0.0.1:" + server.port())
                        .withTimeouts(CONNECT_TIMEOUT_MILLIS, REQUEST_TIMEOUT_MILLIS))) {
            server.start();
            server.awaitHealthy(Servers.START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(WORKLOAD.definitions());
            Servers.api(server).defineAll(List.of(BOOKS));

            // Two kinds of client on the same limits, recorded together: raw HTTP, which sees every
            // status, and the project's Java client, which retries unknown outcomes until its deadline.
            AdmissionLog log = new AdmissionLog(WORKLOAD.definitions(), settings.maxAdmissions());
            ConcurrencyChecker checker = new ConcurrencyChecker(Clock.system(), WORKLOAD.definitions());
            ServerApi clientApi = ServerApi.local(
                    server.port(),
                    Duration.ofMillis(CONNECT_TIMEOUT_MILLIS),
                    Duration.ofMillis(REQUEST_TIMEOUT_MILLIS));
            HttpTarget target = new HttpTarget(clientApi);
            WorkloadRun raw =
                    WorkloadRun.realTime("kill", WORKLOAD, target, WORKERS, RAW_THREADS, settings.seed(), log, checker);
            WorkloadRun library = WorkloadRun.realTime(
                    "killclient",
                    WORKLOAD,
                    new ClientLimiterTarget(client, CLIENT_CALL_BUDGET_MILLIS),
                    WORKERS,
                    CLIENT_THREADS,
                    random.nextLong(),
                    log,
                    checker);
            List<WorkloadRun> runs = List.of(raw, library);
            AdminChangeWriter admin = new AdminChangeWriter(
                    ServerApi.local(
                            server.port(),
                            Duration.ofMillis(CONNECT_TIMEOUT_MILLIS),
                            Duration.ofMillis(REQUEST_TIMEOUT_MILLIS)),
                    ADMIN_KEYS,
                    random.nextLong());
            List<String> cycles = new ArrayList<>();
            long startNanos = System.nanoTime();
            UsageSampler.Report usage;
            try (UsageSampler sampler = UsageSampler.start("kill", () -> loadKeysOnly(clientApi, loadKeys), 100);
                    admin) {
                runs.forEach(WorkloadRun::start);
                admin.start();
                for (int cycle = 1; cycle <= settings.killCycles() && !anyFailed(runs); cycle++) {
                    cycles.add(killAndRestart(
                            server,
                            runs,
                            admin,
                            registryFile,
                            cycle,
                            LOAD_MILLIS_MIN + random.nextLong(LOAD_MILLIS_MAX - LOAD_MILLIS_MIN + 1)));
                }
                runFor(runs, LOAD_MILLIS_MAX);
                admin.stop(10_000);
                for (WorkloadRun run : runs) {
                    run.stop(60_000);
                }
                usage = sampler.report();
            }
            long durationMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            Verification verification = RunAssertions.assertSafe(raw);
            assertEquals(1, verification.epochs(), "admissions are verified across every restart as one history");
            RunAssertions.assertSafe(library);
            RunAssertions.assertUsageReadingsConsistent(usage, 10);
            String where = " (seed " + settings.seed() + ")";
            assertEquals(
                    Map.of(200, target.statuses().getOrDefault(200, 0L)),
                    target.statuses(),
                    "every answer must be a 200" + where);
            assertEquals(0, admin.unexpectedStatuses(), "admin PUT answered " + admin.lastUnexpectedStatus() + where);
            assertTrue(admin.acknowledgedCount() > 0, "no admin change was acknowledged" + where);
            assertTrue(
                    raw.stats().longestCallMillis() <= REQUEST_TIMEOUT_MILLIS + CALL_SLACK_MILLIS,
                    "a raw HTTP client waited " + raw.stats().longestCallMillis() + " ms for one call" + where);
            assertTrue(
                    library.stats().longestCallMillis() <= CLIENT_CALL_BUDGET_MILLIS + CALL_SLACK_MILLIS,
                    "the Java client took " + library.stats().longestCallMillis() + " ms for one call" + where);
            assertTrue(library.stats().allowed() > 0, "the Java client never got an admission" + where);
            assertEquals(
                    List.of(),
                    admin.check(definitionsIn(new FileRegistry(registryFile).load())),
                    "the final registry" + where);

            RunReport.write(
                    settings,
                    "server-kill",
                    "duration: " + durationMillis + " ms, kill cycles survived: "
                            + cycles.size() + "\n" + RunAssertions.describe(raw, verification, usage)
                            + "\nJava client: " + library.stats().describe()
                            + "\nhttp statuses: " + target.statuses() + ", transport failures: "
                            + target.transportFailures()
                            + "\nadmissions verified across " + cycles.size() + " kills as one history: "
                            + verification.admissions() + ", violations " + verification.violationCount()
                            + "\nadmin changes acknowledged: " + admin.acknowledgedCount() + ", "
                            + admin.inFlightSummary()
                            + "\ncycles:\n  " + String.join("\n  ", cycles));
        }
    }

    /** One cycle: load for a while, SIGKILL, check the file, restart, check the server and the clients. */
    private static String killAndRestart(
            ServerProcess server,
            List<WorkloadRun> runs,
            AdminChangeWriter admin,
            Path registryFile,
            int cycle,
            long loadMillis)
            throws Exception {
        runFor(runs, loadMillis);
        leaveBooks(Servers.api(server), cycle);
        long failuresBefore = failures(runs);
        int exitCode = server.kill();
        admin.holdUntilRestarted();
        assertEquals(SIGKILL_EXIT_CODE, exitCode, "cycle " + cycle + ": exit code after SIGKILL");

        // Read with the server's own loader and rules: a torn or half-written file fails here.
        Map<String, LimitDefinition> durable = definitionsIn(new FileRegistry(registryFile).load());
        assertEquals(List.of(), admin.check(durable), "cycle " + cycle + ": the registry file after SIGKILL");
        for (LimitDefinition definition : WORKLOAD.definitions()) {
            assertEquals(definition, durable.get(definition.key()), "cycle " + cycle + ": a workload limit");
        }

        // No new epoch for the log or the checker: the journal keeps every acknowledged hold.
        server.start();
        long startMillis = server.awaitHealthy(Servers.START_TIMEOUT_MILLIS);
        long healthyAtMillis = System.currentTimeMillis();
        long failuresDuringOutage = failures(runs) - failuresBefore;

        Map<String, LimitDefinition> served = new TreeMap<>();
        for (LimitInfo info : Servers.api(server).limits()) {
            served.put(info.definition().key(), info.definition());
        }
        // A change started just before the kill may still reach the new server; its key aside, the
        // restarted server serves exactly the file.
        Map<String, LimitDefinition> expected = new TreeMap<>(durable);
        expected.remove(admin.inFlightKey());
        Map<String, LimitDefinition> actual = new TreeMap<>(served);
        actual.remove(admin.inFlightKey());
        assertEquals(expected, actual, "cycle " + cycle + ": the restarted server serves the registry file");
        assertEquals(List.of(), admin.restarted(served), "cycle " + cycle + ": the restarted server");
        assertTrue(failuresDuringOutage > 0, "cycle " + cycle + ": no client noticed the outage");
        checkBooks(Servers.api(server), cycle);
        for (WorkloadRun run : runs) {
            awaitEveryWorkerAnsweredAfter(run, healthyAtMillis, cycle);
        }
        return "cycle " + cycle + ": killed after " + loadMillis + " ms of load, restarted in " + startMillis
                + " ms, " + failuresDuringOutage + " client calls failed meanwhile, " + durable.size()
                + " limits in the registry";
    }

    /** Reserves and completes one lease of {@link #BOOKS} with an overage that cannot fit: debt and a tombstone. */
    private static void leaveBooks(ServerApi api, int cycle) throws Exception {
        String lease = "books-" + cycle;
        ServerApi.Reply reserved = api.send(
                "POST",
                "/v1/reserve",
                api.codec().write(new ReserveRequest(lease, "", List.of(new Requirement(BOOKS.key(), 1)))));
        assertEquals(200, reserved.status(), "cycle " + cycle + ": " + reserved.text());
        assertTrue(
                api.codec().readReserveResponse(reserved.body()).allowed(), "cycle " + cycle + ": " + reserved.text());
        ServerApi.Reply completed = api.send(
                "POST",
                "/v1/complete",
                api.codec().write(new CompleteRequest(lease, "", List.of(new Actual(BOOKS.key(), 1 + BOOKS_OVERAGE)))));
        assertEquals(200, completed.status(), "cycle " + cycle + ": " + completed.text());
        assertTrue(api.codec().readCompleteResponse(completed.body()).ok(), "cycle " + cycle + ": " + completed.text());
    }

    /** After a restart: every acknowledged debt is there, and the completed lease answers lease_expired. */
    private static void checkBooks(ServerApi api, int cycle) throws Exception {
        long debt = -1;
        for (LimitInfo info : api.limits()) {
            if (info.definition().key().equals(BOOKS.key())) {
                debt = info.usage().debt();
            }
        }
        assertEquals(cycle * BOOKS_OVERAGE, debt, "cycle " + cycle + ": every acknowledged debt survives the kill");
        String lease = "books-" + cycle;
        ServerApi.Reply repeat = api.send(
                "POST",
                "/v1/reserve",
                api.codec().write(new ReserveRequest(lease, "", List.of(new Requirement(BOOKS.key(), 1)))));
        assertEquals(
                ErrorCodes.leaseExpired(lease),
                api.codec().readReserveResponse(repeat.body()).error(),
                "cycle " + cycle + ": a lease completed before the kill");
    }

    private static long failures(List<WorkloadRun> runs) {
        long failures = 0;
        for (WorkloadRun run : runs) {
            failures += run.stats().reserveFailures() + run.stats().completeFailures();
        }
        return failures;
    }

    private static boolean anyFailed(List<WorkloadRun> runs) {
        for (WorkloadRun run : runs) {
            if (run.hasFailed()) {
                return true;
            }
        }
        return false;
    }

    private static void awaitEveryWorkerAnsweredAfter(WorkloadRun run, long afterMillis, int cycle) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESUME_TIMEOUT_MILLIS);
        for (Worker worker : run.workers()) {
            while (worker.lastAnsweredAtMillis() < afterMillis) {
                if (System.nanoTime() > deadlineNanos || run.hasFailed()) {
                    throw new AssertionError("cycle " + cycle + ": worker " + worker.index() + " got no answer within "
                            + RESUME_TIMEOUT_MILLIS + " ms of the restart (seed " + run.seed() + "): "
                            + run.stats().describe());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    private static void runFor(List<WorkloadRun> runs, long millis) {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < endNanos && !anyFailed(runs)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * The workload's keys only: the admin keys change all the time, and a reading taken in the
     * middle of a change may pair the new definition with the old usage.
     */
    private static List<LimitInfo> loadKeysOnly(ServerApi api, Set<String> loadKeys) {
        List<LimitInfo> infos = new ArrayList<>();
        for (LimitInfo info : api.limits()) {
            if (loadKeys.contains(info.definition().key())) {
                infos.add(info);
            }
        }
        return infos;
    }

    private static Map<String, LimitDefinition> definitionsIn(List<LimitState> states) {
        Map<String, LimitDefinition> definitions = new TreeMap<>();
        for (LimitState state : states) {
            definitions.put(state.key(), state.definition());
        }
        return definitions;
    }
}
