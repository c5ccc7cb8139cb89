package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.testkit.process.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@code ratelimiterd} jar started for a load run: its own temporary directory (registry, output),
 * no seed limits, the given JVM options, and a long stop grace period (a loaded server drains its
 * connections before it exits). Closing it stops the server and removes the directory.
 */
final class BenchServer implements AutoCloseable {
    private static final long STOP_GRACE_MILLIS = 20_000;

    private final Path directory;
    private final ServerProcess process;

    private BenchServer(Path directory, ServerProcess process) {
        this.directory = directory;
        this.process = process;
    }

    /**
     * Starts {@code jar} and waits until it answers /healthz.
     *
     * @throws IOException when the jar is missing or the server does not become healthy in time
     */
    static BenchServer start(Path jar, long startTimeoutMillis, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("--server-jar: no file at " + jar.toAbsolutePath()
                    + " (build it with ./mvnw -pl server -am package -DskipTests)");
        }
        Path directory = Files.createTempDirectory("loadtest-server-");
        ServerProcess process = ServerProcess.builder(jar, directory)
                .property(
                        "ratelimiter.registry-path",
                        directory.resolve("registry.json").toString())
                .property("ratelimiter.seed-limits-path", "")
                .jvmOptions(jvmOptions)
                .stopGraceMillis(STOP_GRACE_MILLIS)
                .build();
        BenchServer server = new BenchServer(directory, process);
        try {
            process.startHealthy(startTimeoutMillis);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    ServerProcess process() {
        return process;
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            deleteQuietly(directory);
        }
    }

    /** A leftover in the system's temporary directory is harmless, so a failure only says so. */
    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("loadtest: could not delete " + directory + ": " + e.getMessage());
        }
    }
}
