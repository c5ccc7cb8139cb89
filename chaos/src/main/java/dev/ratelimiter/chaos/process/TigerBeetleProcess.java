package dev.ratelimiter.chaos.process;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One TigerBeetle replica as a separate OS process that the chaos suites kill and restart on the
 * same data file and port, so that everything it committed is there again (SPEC 5.2 and 10): a
 * single-replica cluster on its own, or one replica of a {@link TigerBeetleCluster}.
 *
 * <p>The binary is the one named by {@code TB_BIN}, or {@code tigerbeetle} on the PATH. Only a local
 * binary will do: the suites send it real signals. Without one, the suites skip with the single
 * line {@link #SKIP_MESSAGE}; a {@code TB_BIN} that names no executable is a configuration error and
 * fails instead.
 *
 * <p>Bounds: formatting waits at most {@link #FORMAT_TIMEOUT_MILLIS}; {@link #awaitListening} polls
 * the port until its deadline; a kill waits at most {@link #EXIT_TIMEOUT_MILLIS} for the exit; a
 * shutdown hook kills a replica still alive when the test JVM ends.
 *
 * <p>Thread-safety: start, kill and close are serialised by the instance's monitor; the current
 * process is a volatile reference.
 */
public final class TigerBeetleProcess implements AutoCloseable {
    /** The one line printed, and given as the reason, when the suites skip. */
    public static final String SKIP_MESSAGE = "TigerBeetle chaos suites skipped: set TB_BIN to a tigerbeetle 0.16.30"
            + " binary (or put tigerbeetle on the PATH)";
    public static final long FORMAT_TIMEOUT_MILLIS = 120_000;
    public static final long EXIT_TIMEOUT_MILLIS = 10_000;
    /**
     * What a replica logs once it is in normal status (TigerBeetle 0.16.30): a single replica after
     * recovering, a replica of a cluster after a view change as primary or backup.
     */
    static final String READY_LINE = "transition_to_normal_from_";
    private static final long POLL_MILLIS = 50;
    private static final int OUTPUT_TAIL_BYTES = 8 * 1024;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "chaos-tigerbeetle-reaper"));
    }

    private final Path binary;
    private final Path directory;
    private final Path dataFile;
    private final int replica;
    private final List<Integer> clusterPorts;
    private volatile Process process;
    private Path currentOutput;
    private int starts;

    /**
     * A replica working in {@code directory} (its data file goes there) on {@code port}; call
     * {@link #format} once, then {@link #start}.
     */
    public TigerBeetleProcess(Path binary, Path directory, int port) {
        this(binary, directory, 0, List.of(port));
    }

    /**
     * Replica {@code replica} of the cluster whose replicas listen on {@code clusterPorts} (in
     * replica order), working in {@code directory}.
     */
    public TigerBeetleProcess(Path binary, Path directory, int replica, List<Integer> clusterPorts) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        this.clusterPorts = List.copyOf(clusterPorts);
        if (replica < 0 || replica >= this.clusterPorts.size()) {
            throw new IllegalArgumentException("replica " + replica + " of a cluster of " + clusterPorts.size());
        }
        this.replica = replica;
        this.dataFile = this.directory.resolve("0_" + replica + ".tigerbeetle");
    }

    /**
     * The binary to use: {@code TB_BIN}, else {@code tigerbeetle} on the PATH, else empty.
     *
     * @throws IllegalStateException when {@code TB_BIN} is set but names no executable file
     */
    public static Optional<Path> binary(Map<String, String> environment) {
        String configured = environment.get("TB_BIN");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.strip());
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException("TB_BIN=" + configured + " is not an executable file; point it at a"
                        + " tigerbeetle 0.16.30 binary or unset it");
            }
            return Optional.of(path);
        }
        String searchPath = environment.get("PATH");
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String entry : searchPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry, "tigerbeetle");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** This replica's address, for a client: an IP address with the port. */
    public String address() {
        return "127.0.0.1:" + clusterPorts.get(replica);
    }

    /** Every replica's address in replica order, comma-separated, as replicas and clients take them. */
    public String clusterAddresses() {
        StringBuilder addresses = new StringBuilder();
        for (int clusterPort : clusterPorts) {
            addresses.append(addresses.length() == 0 ? "" : ",").append("127.0.0.1:").append(clusterPort);
        }
        return addresses.toString();
    }

    /** Creates this replica's data file of development cluster 0. */
    public void format() throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path output = directory.resolve("format-" + replica + ".log");
        Process formatting = new ProcessBuilder(binary.toString(), "format", "--cluster=0", "--replica=" + replica,
                "--replica-count=" + clusterPorts.size(), "--development", dataFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!formatting.waitFor(FORMAT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            formatting.destroyForcibly();
            throw new AssertionError("tigerbeetle format did not end within " + FORMAT_TIMEOUT_MILLIS + " ms:\n"
                    + tail(output));
        }
        if (formatting.exitValue() != 0) {
            throw new AssertionError("tigerbeetle format failed with " + formatting.exitValue() + ":\n" + tail(output));
        }
    }

    /** Starts the replica on the data file; the previous process, if any, must have exited. */
    public synchronized void start() throws IOException {
        Process current = process;
        if (current != null && current.isAlive()) {
            throw new IllegalStateException("TigerBeetle pid " + current.pid() + " is still running");
        }
        starts++;
        currentOutput = directory.resolve("tigerbeetle-" + replica + "-" + starts + ".log");
        Process started = new ProcessBuilder(List.of(binary.toString(), "start", "--addresses=" + clusterAddresses(),
                "--development", dataFile.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(currentOutput.toFile()))
                .start();
        LIVE.add(started);
        process = started;
    }

    /**
     * Waits until the replica accepts connections, at most {@code timeoutMillis}; returns how long it
     * took.
     *
     * @throws AssertionError when it exits first or the deadline passes, quoting its output
     */
    public long awaitListening(long timeoutMillis) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Process current = process;
        while (true) {
            if (current == null || !current.isAlive()) {
                throw new AssertionError("TigerBeetle exited" + (current == null ? "" : " with " + current.exitValue())
                        + " before it listened:\n" + outputTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), clusterPorts.get(replica)), 200);
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            } catch (IOException notYet) {
                // Not listening yet: poll again until the deadline.
                if (System.nanoTime() > deadlineNanos) {
                    throw new AssertionError("TigerBeetle did not listen on " + address() + " within " + timeoutMillis
                            + " ms:\n" + outputTail());
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        }
    }

    /**
     * Waits until the replica is ready to commit requests, at most {@code timeoutMillis}: it accepts
     * connections, and its log says it entered normal status. A replica accepts connections seconds
     * before it has opened its data file and can answer, so the moment it answers is this one, not
     * the moment it listens.
     *
     * @throws AssertionError when it exits first or the deadline passes, quoting its output
     */
    public void awaitReady(long timeoutMillis) {
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        awaitListening(timeoutMillis);
        Process current = process;
        while (!outputTail().contains(READY_LINE)) {
            if (current == null || !current.isAlive()) {
                throw new AssertionError("TigerBeetle exited before it was ready:\n" + outputTail());
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("TigerBeetle was not ready within " + timeoutMillis + " ms:\n"
                        + outputTail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Sends SIGKILL and waits for the exit; returns the exit code. */
    public synchronized int kill() throws InterruptedException {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException("TigerBeetle was never started");
        }
        current.destroyForcibly();
        if (!current.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("TigerBeetle pid " + current.pid() + " did not exit within " + EXIT_TIMEOUT_MILLIS
                    + " ms of SIGKILL");
        }
        LIVE.remove(current);
        return current.exitValue();
    }

    /**
     * Freezes the replica with SIGSTOP: it keeps its connections and its kernel buffers fill with
     * requests it will apply once {@link #resume()}d, after their senders gave up waiting. This is
     * how a reply gets lost while the request still commits.
     */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a {@link #pause()}d replica run again (SIGCONT). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException("TigerBeetle is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(current.pid())).inheritIO().start();
        if (!kill.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + current.pid() + " failed");
        }
    }

    /** The end of the current replica's output, for messages. */
    public String outputTail() {
        Path output;
        synchronized (this) {
            output = currentOutput;
        }
        return output == null ? "(never started)" : tail(output);
    }

    /** Kills the replica if it still runs; an interrupt ends the wait early with the flag restored. */
    @Override
    public synchronized void close() {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroyForcibly();
            try {
                if (current.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    LIVE.remove(current);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String tail(Path output) {
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - OUTPUT_TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(bytes);
            return (from > 0 ? "...\n" : "") + new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the output " + output, e);
        }
    }
}
