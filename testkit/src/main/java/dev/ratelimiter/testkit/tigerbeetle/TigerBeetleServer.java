package dev.ratelimiter.testkit.tigerbeetle;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.ratelimiter.testkit.process.TigerBeetleBinary;
import dev.ratelimiter.testkit.process.TigerBeetleCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A real single-replica TigerBeetle for the JUnit tests that need one, on a free port, in a fresh
 * data file that is deleted afterwards.
 *
 * <p>Where it comes from, in order: the binary {@link TigerBeetleBinary} finds ({@code TB_BIN}, then
 * {@code tigerbeetle} on the PATH), run as a one-replica {@link TigerBeetleCluster}; the
 * {@value #IMAGE} image through Testcontainers when a Docker engine answers. With neither,
 * {@link #startOrSkip()} skips the calling tests with the one line
 * {@link TigerBeetleBinary#SKIP_MESSAGE}. A {@code TB_BIN} that names no executable is a
 * configuration error and fails instead of skipping.
 *
 * <p>A replica from the binary is ready when it can commit (its log says normal status), not when
 * it first accepts connections; a start whose port another process took is tried again on new
 * ports, {@link #START_ATTEMPTS} times at most.
 *
 * <p>Not thread-safe: one test class owns an instance from its {@code @BeforeAll} to its
 * {@code @AfterAll}; {@link #canStart()} is synchronized on the class.
 */
public final class TigerBeetleServer implements AutoCloseable {
    public static final String IMAGE = "ghcr.io/tigerbeetle/tigerbeetle:0.16.30";

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
     * Decided once per JVM, since probing Docker takes a moment; prints the skip line when not.
     *
     * @throws IllegalStateException when {@code TB_BIN} is set but names no executable
     */
    public static synchronized boolean canStart() {
        if (canStart == null) {
            canStart = TigerBeetleBinary.find().isPresent() || dockerAvailable();
            if (!canStart) {
                TigerBeetleBinary.announceSkip();
            }
        }
        return canStart;
    }

    /** Starts a replica, or skips the calling tests (JUnit assumption) when there is no way to run one. */
    public static TigerBeetleServer startOrSkip() {
        Optional<Path> binary = TigerBeetleBinary.find();
        if (binary.isPresent()) {
            return startBinary(binary.get());
        }
        if (dockerAvailable()) {
            return startContainer();
        }
        TigerBeetleBinary.announceSkip();
        Assumptions.abort(TigerBeetleBinary.SKIP_MESSAGE);
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

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            // Testcontainers reports a missing engine by returning false; anything else it throws
            // while probing (or its absence from the classpath) means the same here: no Docker to use.
            return false;
        }
    }

    // ---------------------------------------------------------------- a local binary

    private static TigerBeetleServer startBinary(Path binary) {
        Path directory = createTempDirectory();
        List<String> failures = new ArrayList<>();
        try {
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                Path attemptDirectory = directory.resolve("attempt-" + attempt);
                try {
                    TigerBeetleCluster cluster =
                            TigerBeetleCluster.start(binary, attemptDirectory, 1, START_DEADLINE.toMillis());
                    return new TigerBeetleServer(
                            cluster.addresses(),
                            () -> {
                                cluster.close();
                                deleteRecursively(directory);
                            },
                            () -> cluster.replica(0).outputTail());
                } catch (IllegalStateException e) {
                    // Most often a port taken between choosing and binding it: try new ports.
                    failures.add("attempt " + attempt + ": " + e.getMessage());
                }
            }
            throw new IllegalStateException(
                    "TigerBeetle (" + binary + ") did not start:\n" + String.join("\n", failures));
        } catch (IOException e) {
            deleteRecursively(directory);
            throw new UncheckedIOException("could not run TigerBeetle " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteRecursively(directory);
            throw new IllegalStateException("interrupted while starting TigerBeetle", e);
        } catch (RuntimeException e) {
            deleteRecursively(directory);
            throw e;
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
                    .withCommand(
                            "format",
                            "--cluster=0",
                            "--replica=0",
                            "--replica-count=1",
                            "--development",
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
            return new TigerBeetleServer(
                    bracketed + ":" + replica.getMappedPort(CONTAINER_PORT),
                    () -> {
                        replica.stop();
                        removeVolume(volume);
                    },
                    replica::getLogs);
        } catch (IOException | RuntimeException e) {
            String logs = replica.isCreated() ? replica.getLogs() : "(no container)";
            replica.stop();
            removeVolume(volume);
            throw new IllegalStateException(
                    "the TigerBeetle container did not start: " + e.getMessage() + "\n" + logs, e);
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

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory only takes disk space; say so and carry on.
            System.err.println("could not delete " + directory + ": " + e.getMessage());
        }
    }
}
