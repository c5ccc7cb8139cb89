package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TigerBeetle replica as a separate OS process that suites start, kill and restart on the same
 * data file and port, so that everything it committed is there again (SPEC 5.2 and 10): a
 * single-replica cluster on its own, or one replica of a {@link TigerBeetleCluster}. The binary
 * comes from {@link TigerBeetleBinary}; only a local binary will do, since the suites send it real
 * signals.
 *
 * <p>Files, all in the replica's directory: the data file {@code 0_<replica>.tigerbeetle}, the
 * output of formatting {@code format-<replica>.log}, and the output of the n-th start
 * {@code tigerbeetle-<replica>-<n>.log}, which failures quote.
 *
 * <p>Ready is not listening: a replica accepts connections seconds before it can commit.
 * {@link #awaitReady} therefore waits for the port and then for its log to say it entered normal
 * status ({@link #READY_LINE}); {@link #awaitListening} is the weaker wait, for tests of what
 * happens before that.
 *
 * <p>Bounds: formatting waits at most {@link #FORMAT_TIMEOUT_MILLIS}; the waits poll until their
 * deadline; a kill waits at most {@link #EXIT_TIMEOUT_MILLIS} for the exit; the {@link Reaper} kills
 * a replica still alive when the test JVM ends.
 *
 * <p>Thread-safety: format, start, kill, pause, resume and close are serialised by the instance's
 * monitor; the current process is a volatile reference.
 */
public final class TigerBeetleReplica implements AutoCloseable {
    public static final long FORMAT_TIMEOUT_MILLIS = 120_000;
    public static final long EXIT_TIMEOUT_MILLIS = 10_000;
    /**
     * What a replica logs once it is in normal status (TigerBeetle 0.16.30): a single replica after
     * recovering, a replica of a cluster after a view change as primary or backup.
     */
    static final String READY_LINE = "transition_to_normal_from_";
    /**
     * A transition to normal status in the log (TigerBeetle 0.16.30), for example {@code 2026-12-04
     * 23:16:35.536Z info(replica): 1: transition_to_normal_from_view_change_status: view=3..4
     * primary}: the time, the view entered, and the role in it.
     */
    private static final Pattern NORMAL_LINE =
            Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)Z"
                    + " info\\(replica\\): \\d+: transition_to_normal_from_\\w+_status: view=(?:\\d+\\.\\.)?(\\d+)"
                    + " (primary|backup)");
    /** How often the log is read while waiting for {@link #READY_LINE}. */
    private static final long READY_POLL_MILLIS = 10;

    private final Path binary;
    private final Path directory;
    private final Path dataFile;
    private final int replica;
    private final List<Integer> clusterPorts;
    private volatile Process process;
    private Path currentOutput;
    private int starts;

    /**
     * The only replica of a cluster, working in {@code directory} (its data file goes there) on
     * {@code port}; call {@link #format} once, then {@link #start}.
     */
    public TigerBeetleReplica(Path binary, Path directory, int port) {
        this(binary, directory, 0, List.of(port));
    }

    /**
     * Replica {@code replica} of the cluster whose replicas listen on {@code clusterPorts} (in
     * replica order), working in {@code directory}.
     */
    public TigerBeetleReplica(Path binary, Path directory, int replica, List<Integer> clusterPorts) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        this.clusterPorts = List.copyOf(clusterPorts);
        if (replica < 0 || replica >= this.clusterPorts.size()) {
            throw new IllegalArgumentException("replica " + replica + " of a cluster of " + clusterPorts.size());
        }
        this.replica = replica;
        this.dataFile = this.directory.resolve("0_" + replica + ".tigerbeetle");
    }

    /** This replica's address, for a client: an IP address with the port. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Every replica's address in replica order, comma-separated, as replicas and clients take them. */
    public String clusterAddresses() {
        StringBuilder addresses = new StringBuilder();
        for (int clusterPort : clusterPorts) {
            addresses
                    .append(addresses.length() == 0 ? "" : ",")
                    .append("127.0.0.1:")
                    .append(clusterPort);
        }
        return addresses.toString();
    }

    /** This replica's port. */
    public int port() {
        return clusterPorts.get(replica);
    }

    /** Creates this replica's data file of development cluster 0. */
    public synchronized void format() throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path output = directory.resolve("format-" + replica + ".log");
        Process formatting = new ProcessBuilder(
                        binary.toString(),
                        "format",
                        "--cluster=0",
                        "--replica=" + replica,
                        "--replica-count=" + clusterPorts.size(),
                        "--development",
                        dataFile.toString())
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        Reaper.track(formatting);
        if (!formatting.waitFor(FORMAT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            formatting.destroyForcibly();
            throw new IllegalStateException("tigerbeetle format did not end within " + FORMAT_TIMEOUT_MILLIS + " ms:\n"
                    + ProcessOutput.tail(output));
        }
        Reaper.forget(formatting);
        if (formatting.exitValue() != 0) {
            throw new IllegalStateException(
                    "tigerbeetle format failed with " + formatting.exitValue() + ":\n" + ProcessOutput.tail(output));
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
        Process started = new ProcessBuilder(List.of(
                        binary.toString(),
                        "start",
                        "--addresses=" + clusterAddresses(),
                        "--development",
                        dataFile.toString()))
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(currentOutput.toFile()))
                .start();
        Reaper.track(started);
        process = started;
    }

    /**
     * Waits until the replica accepts connections, at most {@code timeoutMillis}; returns how long it
     * took.
     *
     * @throws IllegalStateException when it exits first or the deadline passes, quoting its output
     */
    public long awaitListening(long timeoutMillis) {
        Process current = process;
        return Poll.until(
                "TigerBeetle listens on " + address(),
                timeoutMillis,
                () -> {
                    if (current == null || !current.isAlive()) {
                        return Poll.Status.failed(
                                "it exited" + (current == null ? " (never started)" : " with " + current.exitValue()));
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 200);
                        return Poll.Status.done();
                    } catch (IOException notYet) {
                        // Not listening yet: look again until the deadline.
                        return Poll.Status.notYet(notYet.toString());
                    }
                },
                this::outputTail);
    }

    /**
     * Waits until the replica is ready to commit requests, at most {@code timeoutMillis} in all: it
     * accepts connections, and its log says it entered normal status.
     *
     * @throws IllegalStateException when it exits first or the deadline passes, quoting its output
     */
    public void awaitReady(long timeoutMillis) {
        long startNanos = System.nanoTime();
        awaitListening(timeoutMillis);
        long leftMillis = Math.max(1, timeoutMillis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        Process current = process;
        Poll.until(
                "TigerBeetle at " + address() + " is in normal status",
                leftMillis,
                READY_POLL_MILLIS,
                () -> {
                    if (outputTail().contains(READY_LINE)) {
                        return Poll.Status.done();
                    }
                    return current.isAlive()
                            ? Poll.Status.notYet("no " + READY_LINE + " in its log yet")
                            : Poll.Status.failed("it exited with " + current.exitValue());
                },
                this::outputTail);
    }

    /** Sends SIGKILL and waits for the exit; returns the exit code. */
    public synchronized int kill() throws InterruptedException {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException("TigerBeetle was never started");
        }
        current.destroyForcibly();
        if (!current.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("TigerBeetle pid " + current.pid() + " did not exit within "
                    + EXIT_TIMEOUT_MILLIS + " ms of SIGKILL");
        }
        Reaper.forget(current);
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
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(current.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill -" + name + " " + current.pid() + " failed");
        }
    }

    /**
     * A replica entering normal status, as its log says: when (the replica's wall clock, to the
     * millisecond), the view, and whether it is that view's primary (the primary of view {@code v}
     * is replica {@code v mod replica count}).
     */
    public record NormalStatus(int replica, Instant at, long view, boolean primary) {}

    /** The transitions to normal status in the current start's log, oldest first; empty before a start. */
    public List<NormalStatus> normalTransitions() {
        Path output;
        synchronized (this) {
            output = currentOutput;
        }
        List<NormalStatus> transitions = new ArrayList<>();
        if (output == null || !Files.exists(output)) {
            return transitions;
        }
        try (var lines = Files.lines(output, StandardCharsets.UTF_8)) {
            lines.forEach(line -> {
                Matcher matcher = NORMAL_LINE.matcher(line);
                if (matcher.find()) {
                    transitions.add(new NormalStatus(
                            replica,
                            Instant.parse(matcher.group(1) + "T" + matcher.group(2) + "Z"),
                            Long.parseLong(matcher.group(3)),
                            matcher.group(4).equals("primary")));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("could not read the log " + output + ": " + e.getMessage(), e);
        }
        return transitions;
    }

    /** The end of the current replica's output, for messages. */
    public String outputTail() {
        Path output;
        synchronized (this) {
            output = currentOutput;
        }
        return ProcessOutput.tail(output);
    }

    /**
     * Kills the replica if it still runs (SIGKILL: nothing after a test needs its data file closed
     * cleanly); an interrupt ends the wait early with the flag restored, and the {@link Reaper}
     * still reaps it.
     */
    @Override
    public synchronized void close() {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroyForcibly();
            try {
                if (current.waitFor(EXIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                    Reaper.forget(current);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
