package dev.ratelimiter.stepdefs.target;

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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A single-replica TigerBeetle cluster (cluster id 0) run from the binary named by
 * {@value #VARIABLE} or found as {@code tigerbeetle} on the PATH, with its data file in a fresh
 * directory, on a free loopback port.
 *
 * <p>Bounds: formatting may take {@link #FORMAT_TIMEOUT}, listening {@link #READY_TIMEOUT}; the
 * stop waits 10 s after SIGTERM, then kills. Thread-safe: the fields are final.
 */
public final class TigerBeetleReplica implements AutoCloseable {
    public static final String VARIABLE = "TB_BIN";
    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path output;

    private TigerBeetleReplica(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /** The binary to run: {@value #VARIABLE} if set, else {@code tigerbeetle} from the PATH. */
    public static Optional<Path> binary() {
        String configured = System.getenv(VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured.strip()));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, "tigerbeetle");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Formats a data file and starts the replica.
     *
     * @throws IllegalStateException when formatting fails or the replica does not listen in time
     */
    public static TigerBeetleReplica start(Path binary, Path workDir) {
        Path data = workDir.resolve("0_0.tigerbeetle");
        Path output = workDir.resolve("tigerbeetle.log");
        run(List.of(binary.toString(), "format", "--cluster=0", "--replica=0", "--replica-count=1", "--development",
                data.toString()), workDir, output);
        int port = freePort();
        Process process;
        try {
            process = new ProcessBuilder(binary.toString(), "start", "--addresses=" + port, "--development",
                    data.toString())
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary, e);
        }
        TigerBeetleReplica replica = new TigerBeetleReplica(process, port, output);
        try {
            replica.awaitListening();
        } catch (RuntimeException e) {
            replica.close();
            throw e;
        }
        return replica;
    }

    /** The replica's address as the server's configuration wants it: the port alone. */
    public String address() {
        return Integer.toString(port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("TigerBeetle exited with code " + process.exitValue() + "; see " + output);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                // Not listening yet: the replica is still opening its data file. Poll until the deadline.
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("TigerBeetle did not listen on port " + port + " within "
                            + READY_TIMEOUT.toSeconds() + " s; see " + output, notYet);
                }
            }
            try {
                // Polling interval of a bounded wait for a process we do not control.
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for TigerBeetle", e);
            }
        }
    }

    private static void run(List<String> command, Path workDir, Path output) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
            if (!process.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + FORMAT_TIMEOUT.toSeconds() + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with code " + process.exitValue()
                        + ":\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }
}
