package dev.ratelimiter.chaos.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.ChaosSettings;
import dev.ratelimiter.chaos.RunAssertions;
import dev.ratelimiter.chaos.RunReport;
import dev.ratelimiter.chaos.Servers;
import dev.ratelimiter.chaos.workload.LlmWorkload;
import dev.ratelimiter.chaos.workload.WorkerSettings;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains the server gracefully (SPEC 10): a request in flight when the signal arrives is
 * answered before the process exits.
 *
 * <p>To have a request that is certainly in flight, the test sends the head and half the body of a
 * reserve on a raw connection, makes sure the server has taken it in (a later request on another
 * connection is answered), sends SIGTERM, waits until the server refuses new connections (so the
 * shutdown has begun while the request is still open), and only then sends the rest of the body: the
 * answer must be a 200 with a valid reserve response. Meanwhile clients keep the server under load;
 * every answer they get is a 200, never a 5xx. The process exits within the grace period, and a
 * restart on the same registry serves every limit.
 */
class ServerTerminateTest {
    private static final LlmWorkload WORKLOAD = new LlmWorkload(2, 1, 20, 1, 10_000, 2, 3, 5, 12_000, 3, 200, 300);
    private static final WorkerSettings WORKERS = new WorkerSettings(2, 0, 200, 5, 10, 50, 1, 1, 100);
    private static final int THREADS = 6;
    private static final long LOAD_MILLIS = 1_500;
    /** The server's grace period for in-flight requests, as configured below. */
    private static final long GRACE_PERIOD_MILLIS = 15_000;
    /** How long the exit may take beyond the grace period (closing the context, the JVM's own exit). */
    private static final long EXIT_SLACK_MILLIS = 10_000;

    private static final long REFUSAL_TIMEOUT_MILLIS = 10_000;
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;
    /** Exit codes of a JVM that ran its shutdown hooks after SIGTERM (128 + 15), or exited itself. */
    private static final Set<Integer> TERM_EXIT_CODES = Set.of(143, 0);

    private final ChaosSettings settings = ChaosSettings.current();

    @TempDir
    Path directory;

    @Test
    void answersTheRequestInFlightAtSigtermBeforeItExits() throws Exception {
        List<String> rounds = new ArrayList<>();
        for (int round = 1; round <= settings.termRounds(); round++) {
            rounds.add(terminateUnderLoad(round));
        }
        RunReport.write(settings, "server-terminate", String.join("\n", rounds));
    }

    private String terminateUnderLoad(int round) throws Exception {
        Path roundDirectory = directory.resolve("round-" + round);
        try (ServerProcess server = Servers.memory(
                settings,
                roundDirectory,
                Map.of("ratelimiter.shutdown-grace-period-ms", Long.toString(GRACE_PERIOD_MILLIS)),
                Servers.FAST_START_JVM_OPTIONS)) {
            server.start();
            server.awaitHealthy(Servers.START_TIMEOUT_MILLIS);
            Servers.api(server).defineAll(WORKLOAD.definitions());

            ServerApi clientApi = ServerApi.local(server.port(), Duration.ofMillis(500), Duration.ofSeconds(5));
            HttpTarget target = new HttpTarget(clientApi);
            WorkloadRun run = WorkloadRun.realTime(
                    "term" + round,
                    WORKLOAD,
                    target,
                    WORKERS,
                    THREADS,
                    settings.seed() + round,
                    settings.maxAdmissions());
            run.start();
            runFor(run, LOAD_MILLIS);

            String key = WORKLOAD.definitions().get(0).key();
            byte[] body = clientApi
                    .codec()
                    .write(new ReserveRequest("term-in-flight-" + round, "", List.of(new Requirement(key, 1))));
            String answer;
            int exitCode;
            long exitMillis;
            try (Socket slow = new Socket()) {
                slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
                slow.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
                OutputStream out = slow.getOutputStream();
                int half = body.length / 2;
                out.write(("POST /v1/reserve HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, half);
                out.flush();
                // A barrier instead of a sleep: once a later request on another connection is
                // answered, the server's event loops have read what this one sent before.
                assertTrue(Servers.api(server).isHealthy(), "round " + round + ": the server stopped answering");

                long signalledNanos = System.nanoTime();
                server.terminate();
                awaitRefusal(server.port(), round);
                out.write(body, half, body.length - half);
                out.flush();
                answer = readResponse(slow.getInputStream());
                exitCode = server.awaitExit(GRACE_PERIOD_MILLIS + EXIT_SLACK_MILLIS);
                exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledNanos);
            }
            run.stop(60_000);

            String where = "round " + round + " (seed " + settings.seed() + ")";
            assertTrue(
                    answer.startsWith("HTTP/1.1 200"),
                    where + ": the request in flight at SIGTERM got: " + answer + "\nserver output:\n"
                            + server.outputTail());
            ReserveResponse response = clientApi
                    .codec()
                    .readReserveResponse(
                            answer.substring(answer.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.UTF_8));
            assertTrue(response.allowed() || response.error().isEmpty(), where + ": " + response);
            assertTrue(TERM_EXIT_CODES.contains(exitCode), where + ": exit code " + exitCode);
            assertEquals(
                    Map.of(200, target.statuses().getOrDefault(200, 0L)),
                    target.statuses(),
                    where + ": every answer during the shutdown must be a 200");
            Verification verification = RunAssertions.assertSafe(run);

            server.start();
            server.awaitHealthy(Servers.START_TIMEOUT_MILLIS);
            Set<LimitDefinition> served = new HashSet<>();
            for (LimitInfo info : Servers.api(server).limits()) {
                served.add(info.definition());
            }
            assertEquals(new HashSet<>(WORKLOAD.definitions()), served, where + ": limits after the restart");
            return "round " + round + ": the request in flight answered " + response + ", exit code " + exitCode
                    + " after " + exitMillis + " ms; load: " + run.stats().describe() + "; statuses "
                    + target.statuses() + ", transport failures " + target.transportFailures() + "; "
                    + verification.admissions() + " admissions verified, " + verification.violationCount()
                    + " violations";
        }
    }

    /** Polls new connections until the server refuses them: its shutdown has begun. */
    private static void awaitRefusal(int port, int round) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REFUSAL_TIMEOUT_MILLIS);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
            } catch (IOException refused) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("round " + round + ": the server still accepted connections "
                        + REFUSAL_TIMEOUT_MILLIS + " ms after SIGTERM");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length body; what arrived if the peer closes early. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int headEnd = -1;
        long contentLength = -1;
        byte[] buffer = new byte[4096];
        while (true) {
            int read;
            try {
                read = in.read(buffer);
            } catch (IOException e) {
                return "(connection failed: " + e + ") " + received.toString(StandardCharsets.UTF_8);
            }
            if (read < 0) {
                return received.toString(StandardCharsets.UTF_8);
            }
            received.write(buffer, 0, read);
            String text = received.toString(StandardCharsets.ISO_8859_1);
            if (headEnd < 0) {
                headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    contentLength = contentLength(text.substring(0, headEnd));
                }
            }
            if (headEnd >= 0 && contentLength >= 0 && received.size() >= headEnd + 4 + contentLength) {
                return received.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return -1;
    }

    private static void runFor(WorkloadRun run, long millis) {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < endNanos && !run.hasFailed()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
