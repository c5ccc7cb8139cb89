package dev.ratelimiter.bench.loadtest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server started as a separate process from its runnable jar, for load runs against a real
 * deployment shape (CI's load smoke): {@code java -jar ratelimiterd-all.jar} on a free port, with a
 * registry in a fresh temporary directory and no seed limits (the load generator seeds its own).
 *
 * <p>Bounded: {@link #start} polls {@code /healthz} until it answers 200, the process exits, or the
 * start timeout passes; {@link #close} asks the process to stop (SIGTERM), waits at most {@link
 * #STOP_TIMEOUT}, then kills it. The server's output goes to {@code server.log} in the temporary
 * directory; when the start fails, its last lines are part of the exception.
 *
 * <p>Not thread-safe: one owner starts and closes it.
 */
final class ServerProcess implements AutoCloseable {
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_INTERVAL_MS = 100;
    private static final int LOG_LINES_ON_FAILURE = 40;

    private final Process process;
    private final Path directory;
    private final URI baseUri;

    private ServerProcess(Process process, Path directory, URI baseUri) {
        this.process = process;
        this.directory = directory;
        this.baseUri = baseUri;
    }

    /**
     * Starts the server and returns once it answers {@code /healthz}.
     *
     * @throws IOException when the jar is missing, the process cannot start, or the server does not
     *     become healthy within {@code startTimeout}; the message holds the end of its log
     */
    static ServerProcess start(Path jar, Duration startTimeout) throws IOException, InterruptedException {
        return start(jar, startTimeout, List.of());
    }

    /**
     * The same, with more JVM options for the server (system properties such as
     * {@code -Dratelimiter.memory.journal-path=}, or profiling flags), placed before {@code -jar}.
     */
    static ServerProcess start(Path jar, Duration startTimeout, List<String> jvmOptions)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("--server-jar: no file at " + jar.toAbsolutePath()
                    + " (build it with ./mvnw -pl server -am package -DskipTests)");
        }
        Path directory = Files.createTempDirectory("loadtest-server-");
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dmicronaut.server.port=" + port);
        command.add("-Dratelimiter.registry-path=" + directory.resolve("registry.json"));
        command.add("-Dratelimiter.seed-limits-path=");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path log = directory.resolve("server.log");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(process, directory, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitHealthy(startTimeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    URI baseUri() {
        return baseUri;
    }

    /** The end of the server's output, for error messages. */
    String logTail() {
        Path log = directory.resolve("server.log");
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(baseUri.resolve("/healthz")).timeout(Duration.ofSeconds(1)).GET().build();
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() - deadlineNanos < 0) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with status " + process.exitValue() + " before it was healthy; "
                        + "its output ends with:\n" + logTail());
            }
            try {
                HttpResponse<Void> response = client.send(health, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
                lastProblem = "/healthz answered " + response.statusCode();
            } catch (IOException e) {
                // Not listening yet: the expected state while the server starts; poll again.
                lastProblem = e.toString();
            }
            TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL_MS);
        }
        throw new IOException("the server was not healthy within " + timeout.toSeconds() + " s (" + lastProblem
                + "); its output ends with:\n" + logTail());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteQuietly(directory);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Removes the temporary directory; a leftover in the temp directory is harmless, so failures are ignored. */
    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // The directory stays behind in the system's temporary directory, which is cleaned up by the OS.
        }
    }
}
