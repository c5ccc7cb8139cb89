package dev.ratelimiter.chaos.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ratelimiterd} as a separate OS process, started with {@code java -jar} and stopped with real
 * signals. One instance stands for one server configuration (jar, port, registry file, working
 * directory) across any number of restarts: {@link #start} launches a new process (the previous one
 * must have exited), {@link #kill} sends SIGKILL, {@link #terminate} SIGTERM.
 *
 * <p>Each process writes its standard output and error to its own file in the working directory
 * ({@code server-<n>.log}); failures quote the end of it, so that a server that would not start
 * says why in the test report.
 *
 * <p>Bounds: {@link #awaitHealthy} polls {@code /healthz} every {@link #HEALTH_POLL_MILLIS} ms until
 * its deadline; {@link #kill} waits at most {@link #EXIT_TIMEOUT_MILLIS} for the exit; a shutdown
 * hook kills every process still alive when the test JVM ends, so none outlives its suite.
 *
 * <p>Thread-safety: start, kill, terminate and close are serialised by the instance's monitor; the
 * current process is a volatile reference, so {@link #pid} and {@link #isAlive} may be read from
 * any thread.
 */
public final class ServerProcess implements AutoCloseable {
    /** Interval between two health checks while waiting for a start. */
    public static final long HEALTH_POLL_MILLIS = 50;
    /** How long a killed process may take to be reaped. */
    public static final long EXIT_TIMEOUT_MILLIS = 10_000;
    /** How much of the end of the output a failure message quotes. */
    private static final int OUTPUT_TAIL_BYTES = 8 * 1024;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "chaos-server-reaper"));
    }

    private final Path jar;
    private final Path workDirectory;
    private final int port;
    private final Map<String, String> properties;
    private final List<String> jvmOptions;
    private final ServerApi api;
    private volatile Process process;
    private Path currentOutput;
    private int starts;

    /**
     * @param jar the runnable server jar
     * @param workDirectory the server's working directory; its output files go there too
     * @param port the port to listen on, the same across restarts
     * @param properties configuration as system properties ({@code ratelimiter.registry-path} ...)
     * @param jvmOptions options for the server's JVM ({@code -Xmx...})
     */
    public ServerProcess(Path jar, Path workDirectory, int port, Map<String, String> properties,
            List<String> jvmOptions) {
        this.jar = Objects.requireNonNull(jar, "jar").toAbsolutePath();
        this.workDirectory = Objects.requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
        this.port = port;
        this.properties = new LinkedHashMap<>(properties);
        this.properties.put("micronaut.server.port", Integer.toString(port));
        this.jvmOptions = List.copyOf(jvmOptions);
        this.api = ServerApi.local(port, Duration.ofSeconds(1), Duration.ofSeconds(2));
        if (!Files.isRegularFile(this.jar)) {
            throw new IllegalArgumentException("no server jar at " + this.jar + ": build it in the same reactor, e.g."
                    + " ./mvnw -pl chaos -am verify (which packages the server before these tests), or set chaos.serverJar");
        }
    }

    public int port() {
        return port;
    }

    /** The API of this server, with short timeouts (for health and checks, not for load). */
    public ServerApi api() {
        return api;
    }

    /** The pid of the current process. */
    public long pid() {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException("the server was never started");
        }
        return current.pid();
    }

    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** How many processes were started. */
    public synchronized int starts() {
        return starts;
    }

    /** Launches a new server process; the previous one, if any, must have exited. */
    public synchronized void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("server pid " + pid() + " is still running");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        starts++;
        currentOutput = workDirectory.resolve("server-" + starts + ".log");
        Files.createDirectories(workDirectory);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(currentOutput.toFile()));
        Process started = builder.start();
        LIVE.add(started);
        process = started;
    }

    /**
     * Waits until {@code /healthz} answers 200, at most {@code timeoutMillis}; returns how long it
     * took.
     *
     * @throws AssertionError when the process exits first or the deadline passes, quoting its output
     */
    public long awaitHealthy(long timeoutMillis) {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Process current = process;
        while (true) {
            if (current == null || !current.isAlive()) {
                throw new AssertionError("the server exited" + (current == null ? "" : " with code " + current.exitValue())
                        + " before it was healthy; its output ends with:\n" + outputTail());
            }
            if (api.isHealthy()) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("the server (pid " + current.pid() + ") was not healthy within " + timeoutMillis
                        + " ms; its output ends with:\n" + outputTail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HEALTH_POLL_MILLIS));
        }
    }

    /** Sends SIGKILL and waits for the exit; returns the exit code. */
    public synchronized int kill() throws InterruptedException {
        Process current = requireStarted();
        current.destroyForcibly();
        return awaitExit(current, EXIT_TIMEOUT_MILLIS);
    }

    /** Sends SIGTERM and returns at once; see {@link #awaitExit(long)}. */
    public synchronized void terminate() {
        requireStarted().destroy();
    }

    /**
     * Waits at most {@code timeoutMillis} for the current process to exit; returns its exit code.
     *
     * @throws AssertionError when it is still running then
     */
    public int awaitExit(long timeoutMillis) throws InterruptedException {
        return awaitExit(requireStarted(), timeoutMillis);
    }

    /** The end of the current process's output, for messages. */
    public String outputTail() {
        Path output;
        synchronized (this) {
            output = currentOutput;
        }
        if (output == null) {
            return "(never started)";
        }
        try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - OUTPUT_TAIL_BYTES);
            byte[] tail = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(tail);
            return (from > 0 ? "...\n" : "") + new String(tail, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the server output " + output, e);
        }
    }

    /**
     * Kills the current process if it is still running and waits for it within a bound. An
     * interrupt ends the wait early with the flag restored; the shutdown hook still reaps it.
     */
    @Override
    public synchronized void close() {
        Process current = process;
        if (current != null && current.isAlive()) {
            current.destroyForcibly();
            try {
                awaitExit(current, EXIT_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process requireStarted() {
        Process current = process;
        if (current == null) {
            throw new IllegalStateException("the server was never started");
        }
        return current;
    }

    private int awaitExit(Process current, long timeoutMillis) throws InterruptedException {
        if (!current.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the server (pid " + current.pid() + ") did not exit within " + timeoutMillis
                    + " ms; its output ends with:\n" + outputTail());
        }
        LIVE.remove(current);
        return current.exitValue();
    }
}
