package dev.ratelimiter.tigerbeetle;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A real single-replica TigerBeetle for the tests that need one, on a free port, in a fresh data
 * file that is deleted afterwards.
 *
 * <p>Where it comes from, in order: the binary named by {@code TB_BIN}; {@code tigerbeetle} on the
 * PATH; the {@code ghcr.io/tigerbeetle/tigerbeetle:0.16.30} image through Testcontainers when a
 * Docker engine answers. With none of them, {@link #startOrSkip()} skips the calling tests with one
 * line, {@link #SKIP_MESSAGE}, naming {@code TB_BIN}. A {@code TB_BIN} that names no executable is
 * a configuration error and fails instead of skipping.
 *
 * <p>The binary's output goes to a log file that failure messages quote; start-up waits for the
 * port with a deadline. Not thread-safe: one test class owns an instance from its {@code @BeforeAll}
 * to its {@code @AfterAll}.
 *
 * <p>Public because it ships in this module's test-jar: the server's tests start their replica
 * through it too.
 */
public final class TigerBeetleServer implements AutoCloseable {
    public static final String IMAGE = "ghcr.io/tigerbeetle/tigerbeetle:0.16.30";
    public static final String SKIP_MESSAGE = "TigerBeetle server tests skipped: set TB_BIN to a tigerbeetle 0.16.30 binary"
            + " (or put tigerbeetle on the PATH, or start a Docker engine for " + IMAGE + ")";

    private static final Duration FORMAT_DEADLINE = Duration.ofSeconds(120);
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;
    private static final int CONTAINER_PORT = 3000;
    private static final String DATA_FILE = "0_0.tigerbeetle";

    /** Guarded by the class: whether {@link #canStart()} found a way, once decided. */
    private static Boolean canStart;

    private final String address;
    private final AutoCloseable stop;
    private final OutputSource output;

    /** The last lines a running replica wrote, for failure messages. */
    @FunctionalInterface
    interface OutputSource {
        String tail();
    }

    private TigerBeetleServer(String address, AutoCloseable stop, OutputSource output) {
        this.address = address;
        this.stop = stop;
        this.output = output;
    }

    /**
     * Whether a replica can be started here: a binary is configured or found, or Docker answers.
     * Decided once per JVM, since probing Docker takes a moment.
     *
     * @throws IllegalStateException when {@code TB_BIN} is set but names no executable
     */
    public static synchronized boolean canStart() {
        if (canStart == null) {
            canStart = binary().isPresent() || dockerAvailable();
            if (!canStart) {
                System.out.println(SKIP_MESSAGE);
            }
        }
        return canStart;
    }

    /** Starts a replica, or skips the calling tests (JUnit assumption) when there is no way to run one. */
    public static TigerBeetleServer startOrSkip() {
        Optional<Path> binary = binary();
        if (binary.isPresent()) {
            return startBinary(binary.get());
        }
        if (dockerAvailable()) {
            return startContainer();
        }
        Assumptions.abort(SKIP_MESSAGE);
        throw new IllegalStateException("unreachable: Assumptions.abort always throws");
    }

    /** The address for the client: an IP address with a port (the client resolves no host names). */
    public String address() {
        return address;
    }

    /** The replica's recent output, to quote when a test against it fails. */
    public String outputTail() {
        return output.tail();
    }

    @Override
    public void close() {
        try {
            stop.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop TigerBeetle: " + e.getMessage(), e);
        }
    }

    private static Optional<Path> binary() {
        String configured = System.getenv("TB_BIN");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException("TB_BIN=" + configured + " is not an executable file;"
                        + " point it at a tigerbeetle 0.16.30 binary or unset it");
            }
            return Optional.of(path);
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return Optional.empty();
        }
        for (String directory : pathVariable.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "tigerbeetle");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            // Testcontainers reports a missing engine by returning false; anything else it throws
            // while probing means the same for these tests: no Docker to use.
            return false;
        }
    }

    // ---------------------------------------------------------------- a local binary

    private static TigerBeetleServer startBinary(Path binary) {
        Path directory = createTempDirectory();
        Path dataFile = directory.resolve(DATA_FILE);
        Path formatLog = directory.resolve("format.log");
        try {
            run(List.of(binary.toString(), "format", "--cluster=0", "--replica=0", "--replica-count=1",
                    "--development", dataFile.toString()), formatLog, FORMAT_DEADLINE);
            List<String> failures = new ArrayList<>();
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                int port = freePort();
                Path serverLog = directory.resolve("server-" + attempt + ".log");
                Process process = new ProcessBuilder(binary.toString(), "start", "--addresses=127.0.0.1:" + port,
                        "--development", dataFile.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(serverLog.toFile())
                        .start();
                String failure = awaitPort(process, port, serverLog);
                if (failure == null) {
                    Process started = process;
                    return new TigerBeetleServer("127.0.0.1:" + port,
                            () -> stopProcess(started, directory), () -> tail(serverLog));
                }
                stopProcess(process, null);
                failures.add("attempt " + attempt + " on port " + port + ": " + failure);
            }
            throw new IllegalStateException("TigerBeetle (" + binary + ") did not start:\n"
                    + String.join("\n", failures));
        } catch (IOException e) {
            deleteRecursively(directory);
            throw new UncheckedIOException("could not run TigerBeetle " + binary + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteRecursively(directory);
            throw e;
        }
    }

    private static void run(List<String> command, Path log, Duration deadline) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + deadline
                        + ":\n" + tail(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                    + ":\n" + tail(log));
        }
    }

    /** Null once the replica accepts connections; otherwise why it did not, with its output. */
    private static String awaitPort(Process process, int port, Path log) {
        long deadlineNanos = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() - deadlineNanos < 0) {
            if (!process.isAlive()) {
                return "exited with " + process.exitValue() + ":\n" + tail(log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return null;
            } catch (IOException notYet) {
                // Not listening yet: poll again until the deadline.
            }
            pause(Duration.ofMillis(50));
        }
        return "no connection on port " + port + " within " + START_DEADLINE + ":\n" + tail(log);
    }

    private static void stopProcess(Process process, Path directoryToDelete) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (directoryToDelete != null) {
            deleteRecursively(directoryToDelete);
        }
    }

    // ---------------------------------------------------------------- a container

    private static TigerBeetleServer startContainer() {
        // A named volume rather than a bind mount, so that a remote Docker engine works as well.
        String volume = "ratelimiter-tigerbeetle-" + UUID.randomUUID();
        DockerImageName image = DockerImageName.parse(IMAGE);
        try (GenericContainer<?> format = new GenericContainer<>(image)) {
            format.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                            .withSecurityOpts(List.of("seccomp=unconfined"))
                            .withBinds(new Bind(volume, new Volume("/data"))))
                    .withCommand("format", "--cluster=0", "--replica=0", "--replica-count=1", "--development",
                            "/data/" + DATA_FILE)
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(FORMAT_DEADLINE));
            format.start();
        }
        GenericContainer<?> replica = new GenericContainer<>(image);
        replica.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withSecurityOpts(List.of("seccomp=unconfined"))
                        .withBinds(new Bind(volume, new Volume("/data"))))
                .withCommand("start", "--addresses=0.0.0.0:" + CONTAINER_PORT, "--development", "/data/" + DATA_FILE)
                .withExposedPorts(CONTAINER_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(START_DEADLINE));
        try {
            replica.start();
            String host = InetAddress.getByName(replica.getHost()).getHostAddress();
            String bracketed = host.contains(":") ? "[" + host + "]" : host;
            return new TigerBeetleServer(bracketed + ":" + replica.getMappedPort(CONTAINER_PORT), () -> {
                replica.stop();
                removeVolume(volume);
            }, replica::getLogs);
        } catch (IOException | RuntimeException e) {
            String logs = replica.isCreated() ? replica.getLogs() : "(no container)";
            replica.stop();
            removeVolume(volume);
            throw new IllegalStateException("the TigerBeetle container did not start: " + e.getMessage() + "\n" + logs,
                    e);
        }
    }

    private static void removeVolume(String volume) {
        try {
            DockerClientFactory.instance().client().removeVolumeCmd(volume).exec();
        } catch (RuntimeException e) {
            // A leftover volume only takes disk space; the test result does not depend on it.
            System.err.println("could not remove Docker volume " + volume + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("ratelimiter-tigerbeetle-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a directory for TigerBeetle's data file", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory only takes disk space; say so and carry on.
            System.err.println("could not delete " + directory + ": " + e.getMessage());
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for TigerBeetle", e);
        }
    }
}
