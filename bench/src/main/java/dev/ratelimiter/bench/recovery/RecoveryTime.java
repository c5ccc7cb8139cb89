package dev.ratelimiter.bench.recovery;

import dev.ratelimiter.core.journal.JournalIo;
import dev.ratelimiter.core.journal.JournalSettings;
import dev.ratelimiter.core.memory.MemoryBackend;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.retry.RetryHints;
import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.testkit.process.Poll;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures how long ratelimiterd takes from {@code java -jar} to its first answered reserve when
 * its journal holds {@code --holds} live holds (default 1,000,000), beside the same start with an
 * empty journal, in one run:
 *
 * <ol>
 *   <li>writes the books with the memory backend itself (fsync off: only the files matter here), as
 *       leases of {@code --keys-per-lease} holds on keys with a one-day window;</li>
 *   <li>starts the server on them and times the first 200 answer to a reserve; checks that the
 *       server counts every hold;</li>
 *   <li>waits until that server has compacted the journal into a snapshot, stops it with SIGKILL and
 *       times a start from the snapshot;</li>
 *   <li>times a start with an empty journal.</li>
 * </ol>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.ratelimiter.bench.recovery.RecoveryTime \
 *      --server-jar server/target/ratelimiterd-all.jar [--holds 1000000] [--keys-per-lease 4]
 * </pre>
 *
 * <p>Single-threaded; every wait is bounded by {@link #START_TIMEOUT}.
 */
public final class RecoveryTime {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final long POLL_MILLIS = 5;
    private static final int BATCH = 1_000;
    private static final long HUGE_CAPACITY = 1_000_000_000_000L;

    private RecoveryTime() {}

    public static void main(String[] args) throws Exception {
        Path jar = null;
        long holds = 1_000_000;
        int keysPerLease = 4;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--server-jar" -> jar = Path.of(args[i + 1]);
                case "--holds" -> holds = Long.parseLong(args[i + 1]);
                case "--keys-per-lease" -> keysPerLease = Integer.parseInt(args[i + 1]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + "; use --server-jar PATH [--holds N] [--keys-per-lease K]");
            }
        }
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(
                    "--server-jar must name the server jar (server/target/ratelimiterd-all.jar)");
        }
        List<LimitDefinition> limits = new ArrayList<>();
        for (int k = 0; k < keysPerLease; k++) {
            limits.add(LimitDefinition.rolling("recovery:key" + k, HUGE_CAPACITY, 86_400));
        }
        Path full = Files.createTempDirectory("recovery-full-");
        Path empty = Files.createTempDirectory("recovery-empty-");
        try {
            writeBooks(full, limits, holds / keysPerLease);
            long journalBytes = directoryBytes(full.resolve("data").resolve("journal"));
            Start fromSegments = start(jar, full, limits, holds);
            fromSegments.awaitSnapshot(full.resolve("data").resolve("journal"));
            fromSegments.kill();
            long snapshotBytes = directoryBytes(full.resolve("data").resolve("journal"));
            Start fromSnapshot = start(jar, full, limits, holds + keysPerLease);
            fromSnapshot.kill();
            Start fresh = start(jar, empty, limits, 0);
            fresh.kill();
            System.out.printf(
                    Locale.ROOT,
                    "%,d live holds in %,d leases of %d keys%n",
                    holds,
                    holds / keysPerLease,
                    keysPerLease);
            System.out.printf(
                    Locale.ROOT,
                    "start to first answered reserve, journal segments only (%,d bytes): %,d ms%n",
                    journalBytes,
                    fromSegments.firstAnswerMillis);
            System.out.printf(
                    Locale.ROOT,
                    "start to first answered reserve, from the snapshot (%,d bytes): %,d ms%n",
                    snapshotBytes,
                    fromSnapshot.firstAnswerMillis);
            System.out.printf(
                    Locale.ROOT, "start to first answered reserve, empty journal: %,d ms%n", fresh.firstAnswerMillis);
        } finally {
            delete(full);
            delete(empty);
        }
    }

    /** Writes {@code leases} leases holding every limit for a day, through the memory backend and its journal. */
    private static void writeBooks(Path directory, List<LimitDefinition> limits, long leases) throws IOException {
        Clock clock = Clock.system();
        try (MemoryBackend backend = MemoryBackend.withJournal(
                clock,
                new RetryHints(RetryPolicy.DEFAULT, clock),
                MemoryBackend.DEFAULT_MAX_TOMBSTONES,
                JournalSettings.of(directory.resolve("data").resolve("journal")).withFsync(false),
                JournalIo.files())) {
            limits.forEach(limit -> backend.install(LimitState.created(limit)));
            List<Requirement> requirements = limits.stream()
                    .map(limit -> new Requirement(limit.key(), 1))
                    .toList();
            for (long first = 0; first < leases; first += BATCH) {
                List<ReserveRequest> batch = new ArrayList<>(BATCH);
                for (long lease = first; lease < Math.min(leases, first + BATCH); lease++) {
                    batch.add(new ReserveRequest("recovery-" + lease, "", requirements));
                }
                for (ReserveResponse response : backend.reserveAll(batch)) {
                    if (!response.allowed()) {
                        throw new IllegalStateException("writing the books: a reserve was answered " + response);
                    }
                }
            }
        }
    }

    private static Start start(Path jar, Path directory, List<LimitDefinition> limits, long expectedHolds)
            throws IOException, InterruptedException {
        Path seed = directory.resolve("limits.json");
        StringBuilder json = new StringBuilder("{\"limits\":[");
        for (int i = 0; i < limits.size(); i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"key\":\"")
                    .append(limits.get(i).key())
                    .append("\",\"kind\":\"rolling\",\"capacity\":")
                    .append(HUGE_CAPACITY)
                    .append(",\"window_seconds\":86400}");
        }
        Files.writeString(seed, json.append("]}"));
        ServerProcess server = ServerProcess.builder(jar, directory)
                .property("ratelimiter.seed-limits-path", seed.toString())
                .property(
                        "ratelimiter.registry-path",
                        directory.resolve("data").resolve("registry.json").toString())
                .build();
        int port = server.port();
        long startNanos = System.nanoTime();
        server.start();
        Start start = new Start(server);
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        String body = "{\"lease_id\":\"first-" + System.nanoTime() + "\",\"requirements\":[{\"key\":\""
                + limits.get(0).key() + "\",\"amount\":1}]}";
        HttpRequest reserve = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/reserve"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            Poll.until(
                    "the server answers a reserve",
                    START_TIMEOUT.toMillis(),
                    POLL_MILLIS,
                    () -> firstAnswer(server, client, reserve),
                    server::outputTail);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        start.firstAnswerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        HttpResponse<String> usage = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/admin/limits/"
                                + limits.get(0).key()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // Every hold written, plus this start's reserve and those of earlier starts on the same books.
        java.util.regex.Matcher reserved =
                java.util.regex.Pattern.compile("\"reserved\":(\\d+)").matcher(usage.body());
        if (!reserved.find() || Long.parseLong(reserved.group(1)) < expectedHolds / limits.size() + 1) {
            throw new IllegalStateException(
                    "the server does not count every hold (expected at least " + (expectedHolds / limits.size() + 1)
                            + " on " + limits.get(0).key() + "): " + usage.body());
        }
        return start;
    }

    /** One look: whether the server's answer to {@code reserve} admitted it. */
    private static Poll.Status firstAnswer(ServerProcess server, HttpClient client, HttpRequest reserve) {
        if (!server.isAlive()) {
            return Poll.Status.failed("the server exited");
        }
        try {
            HttpResponse<String> response = client.send(reserve, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"allowed\":true")
                    ? Poll.Status.done()
                    : Poll.Status.notYet(response.statusCode() + " " + response.body());
        } catch (IOException e) {
            // Not listening yet: poll again until the deadline.
            return Poll.Status.notYet(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Poll.Status.failed("interrupted");
        }
    }

    private static long directoryBytes(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }

    /** A started server and when it first answered. */
    private static final class Start {
        final ServerProcess server;
        long firstAnswerMillis;

        Start(ServerProcess server) {
            this.server = server;
        }

        /** Waits until the journal holds a snapshot and no segment it includes (the server compacted at start). */
        void awaitSnapshot(Path journal) {
            Poll.until(
                    "the server compacted its journal",
                    START_TIMEOUT.toMillis(),
                    100,
                    () -> {
                        try (Stream<Path> files = Files.list(journal)) {
                            List<String> names = files.map(
                                            file -> file.getFileName().toString())
                                    .sorted()
                                    .toList();
                            long snapshots = names.stream()
                                    .filter(name -> name.endsWith(".snap"))
                                    .count();
                            long segments = names.stream()
                                    .filter(name -> name.endsWith(".log"))
                                    .count();
                            return snapshots == 1 && segments == 1
                                    ? Poll.Status.done()
                                    : Poll.Status.notYet(names.toString());
                        } catch (IOException e) {
                            return Poll.Status.failed("cannot list " + journal + ": " + e.getMessage());
                        }
                    },
                    server::outputTail);
        }

        void kill() throws InterruptedException {
            server.kill();
        }
    }
}
