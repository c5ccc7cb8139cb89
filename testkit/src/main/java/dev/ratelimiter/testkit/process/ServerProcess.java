package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code ratelimiterd} as a separate OS process, started with {@code java -jar} from its runnable
 * jar and stopped with real signals: the one launcher of the server for every suite (chaos, the
 * BDD process targets, the load generator, the packaged-jar test). One instance stands for one
 * server configuration (jar, port, settings, working directory) across any number of restarts:
 * {@link #start} launches a new process (the previous one must have exited).
 *
 * <p>Each process writes its standard output and error to its own file in the working directory,
 * {@code server-<n>.log} for the n-th start; failures quote the end of it, so that a server that
 * would not start says why in the test report.
 *
 * <p>Options ({@link Builder}): the port (a {@link Ports#free()} one by default), settings as system
 * properties and as environment variables, the port itself through either, JVM options, the
 * directory the process runs in, and how {@link #close} stops it (SIGTERM with a grace period, or
 * SIGKILL at once).
 *
 * <p>Bounds: {@link #awaitHealthy} polls {@code /healthz} every {@link Poll#INTERVAL_MILLIS} until its
 * deadline, each request bounded by {@link #HEALTH_REQUEST_TIMEOUT}; every wait for an exit is
 * bounded; the {@link Reaper} kills every process still alive when the test JVM ends.
 *
 * <p>Thread-safety: start, kill, terminate, stop and close are serialised by the instance's monitor;
 * the current process is a volatile reference, so {@link #pid} and {@link #isAlive} may be read from
 * any thread.
 */
public final class ServerProcess implements AutoCloseable {
    /** How long a killed process may take to be reaped. */
    public static final long EXIT_TIMEOUT_MILLIS = 10_000;
    /** The default grace period of {@link #close()}: SIGTERM, then SIGKILL after this long. */
    public static final long DEFAULT_STOP_GRACE_MILLIS = 10_000;

    static final Duration HEALTH_REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** The environment variable Micronaut reads the port from when the builder asks for it. */
    static final String PORT_VARIABLE = "MICRONAUT_SERVER_PORT";

    static final String PORT_PROPERTY = "micronaut.server.port";

    private final Path jar;
    private final Path workDirectory;
    private final Path processDirectory;
    private final int port;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final List<String> jvmOptions;
    private final long stopGraceMillis;
    private final HttpClient http;
    private volatile Process process;
    private Path currentOutput;
    private int starts;

    private ServerProcess(Builder builder) {
        this.jar = builder.jar;
        this.workDirectory = builder.workDirectory;
        this.processDirectory = builder.processDirectory == null ? workDirectory : builder.processDirectory;
        this.port = builder.port == 0 ? Ports.free() : builder.port;
        this.properties = new LinkedHashMap<>(builder.properties);
        this.environment = new LinkedHashMap<>(builder.environment);
        if (builder.portThroughEnvironment) {
            this.environment.put(PORT_VARIABLE, Integer.toString(port));
        } else {
            this.properties.put(PORT_PROPERTY, Integer.toString(port));
        }
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.stopGraceMillis = builder.stopGraceMillis;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    }

    /**
     * A server from {@code jar} whose output files go to {@code workDirectory} (created at the first
     * start).
     *
     * @throws IllegalArgumentException when there is no file at {@code jar}
     */
    public static Builder builder(Path jar, Path workDirectory) {
        return new Builder(jar, workDirectory);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}: where this server answers. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The pid of the current process. */
    public long pid() {
        return requireStarted().pid();
    }

    public boolean isAlive() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** How many processes were started. */
    public synchronized int starts() {
        return starts;
    }

    /** The output file of the current process (null before the first start). */
    public synchronized Path output() {
        return currentOutput;
    }

    /** The command line of a start, for messages. */
    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /** Launches a new server process and returns at once; the previous one, if any, must have exited. */
    public synchronized void start() throws IOException {
        if (isAlive()) {
            throw new IllegalStateException("server pid " + pid() + " is still running");
        }
        starts++;
        Files.createDirectories(workDirectory);
        currentOutput = workDirectory.resolve("server-" + starts + ".log");
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(processDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(currentOutput.toFile()));
        builder.environment().putAll(environment);
        Process started = builder.start();
        Reaper.track(started);
        process = started;
    }

    /**
     * {@link #start()}, then {@link #awaitHealthy}; a server that does not become healthy is killed
     * before the exception leaves.
     */
    public long startHealthy(long timeoutMillis) throws IOException {
        start();
        try {
            return awaitHealthy(timeoutMillis);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Waits until {@code /healthz} answers 200, at most {@code timeoutMillis}; returns how long it
     * took.
     *
     * @throws IllegalStateException when the process exits first or the deadline passes, quoting its
     *     command and the end of its output
     */
    public long awaitHealthy(long timeoutMillis) {
        Process current = requireStarted();
        HttpRequest health = HttpRequest.newBuilder(baseUri().resolve("/healthz"))
                .timeout(HEALTH_REQUEST_TIMEOUT)
                .GET()
                .build();
        return Poll.until(
                "the server at " + baseUri() + " (pid " + current.pid() + ") is healthy",
                timeoutMillis,
                () -> {
                    if (!current.isAlive()) {
                        return Poll.Status.failed("its process exited with code " + current.exitValue());
                    }
                    return healthStatus(health);
                },
                () -> "command: " + String.join(" ", command()) + "\nits output ends with:\n" + outputTail());
    }

    private Poll.Status healthStatus(HttpRequest health) {
        try {
            int status =
                    http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? Poll.Status.done() : Poll.Status.notYet("/healthz answered " + status);
        } catch (IOException notListening) {
            // A refused connection is what a starting server looks like: look again until the deadline.
            return Poll.Status.notYet(notListening.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Poll.Status.failed("interrupted");
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
     * Sends SIGTERM, waits at most {@code graceMillis}, then SIGKILL and waits again; returns the
     * exit code.
     */
    public synchronized int stop(long graceMillis) throws InterruptedException {
        Process current = requireStarted();
        current.destroy();
        if (!current.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
            current.destroyForcibly();
        }
        return awaitExit(current, EXIT_TIMEOUT_MILLIS);
    }

    /**
     * Waits at most {@code timeoutMillis} for the current process to exit; returns its exit code.
     *
     * @throws IllegalStateException when it is still running then
     */
    public int awaitExit(long timeoutMillis) throws InterruptedException {
        return awaitExit(requireStarted(), timeoutMillis);
    }

    /** The end of the current process's output, for messages. */
    public String outputTail() {
        return ProcessOutput.tail(output());
    }

    /**
     * Stops the current process if it still runs, as the builder said (SIGTERM and a grace period,
     * or SIGKILL), within a bound. Never throws: an interrupt ends the wait early with the flag
     * restored and the process killed; the {@link Reaper} still reaps it.
     */
    @Override
    public synchronized void close() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        try {
            if (stopGraceMillis > 0) {
                stop(stopGraceMillis);
            } else {
                kill();
            }
        } catch (InterruptedException e) {
            current.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (IllegalStateException stuck) {
            // Not even SIGKILL ended it within the bound; the reaper tries again when the JVM exits.
            System.err.println(stuck.getMessage());
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
            throw new IllegalStateException("the server (pid " + current.pid() + ") did not exit within "
                    + timeoutMillis + " ms; its output ends with:\n" + outputTail());
        }
        Reaper.forget(current);
        return current.exitValue();
    }

    /** The options of a server; not thread-safe, used by one thread before {@link #build()}. */
    public static final class Builder {
        private final Path jar;
        private final Path workDirectory;
        private Path processDirectory;
        private int port;
        private boolean portThroughEnvironment;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private long stopGraceMillis = DEFAULT_STOP_GRACE_MILLIS;

        private Builder(Path jar, Path workDirectory) {
            this.jar = Objects.requireNonNull(jar, "jar").toAbsolutePath();
            this.workDirectory =
                    Objects.requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
            if (!Files.isRegularFile(this.jar)) {
                throw new IllegalArgumentException("no server jar at " + this.jar + ": build it first with"
                        + " ./mvnw -pl server -am package -DskipTests (a reactor build that includes the server"
                        + " module packages it before the modules that start it)");
            }
        }

        /** The port to listen on, the same across restarts; by default a {@link Ports#free()} one. */
        public Builder port(int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be from 1 to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Pass the port as {@value #PORT_VARIABLE} instead of {@code -D}{@value #PORT_PROPERTY}, for a
         * test of the jar as users run it, with no arguments.
         */
        public Builder portThroughEnvironment() {
            this.portThroughEnvironment = true;
            return this;
        }

        /** A setting as a system property ({@code -Dname=value}). */
        public Builder property(String name, String value) {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Settings as system properties, in the map's order. */
        public Builder properties(Map<String, String> settings) {
            settings.forEach(this::property);
            return this;
        }

        /** Environment variables added to the test JVM's own. */
        public Builder environment(Map<String, String> variables) {
            variables.forEach((name, value) ->
                    environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
            return this;
        }

        /** Options of the server's JVM ({@code -Xmx256m}, a collector). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /** The directory the process runs in; by default the working directory. */
        public Builder runIn(Path directory) {
            this.processDirectory =
                    Objects.requireNonNull(directory, "directory").toAbsolutePath();
            return this;
        }

        /**
         * How {@link ServerProcess#close()} stops the server: SIGTERM, then SIGKILL after
         * {@code graceMillis}; 0 sends SIGKILL at once (suites that kill servers anyway and want
         * speed). Default {@link #DEFAULT_STOP_GRACE_MILLIS}.
         */
        public Builder stopGraceMillis(long graceMillis) {
            if (graceMillis < 0) {
                throw new IllegalArgumentException("graceMillis must be 0 or more, got " + graceMillis);
            }
            this.stopGraceMillis = graceMillis;
            return this;
        }

        public ServerProcess build() {
            return new ServerProcess(this);
        }
    }
}
