package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server jar, run with {@code java -jar} as a separate OS process on a free port of
 * the loopback interface, in a fresh working directory that holds its registry and its output.
 * It proves that the jar a user runs passes every scenario.
 *
 * <p>Bounds: the start waits at most {@link #READY_TIMEOUT} for {@code /healthz} (and stops at
 * once if the process exits); the stop waits {@link #STOP_TIMEOUT} after SIGTERM, then kills. A
 * JVM shutdown hook kills the process if the suite never reaches its AfterAll hook. Thread-safe:
 * the fields are final and {@link Process} is thread-safe.
 */
public final class ServerProcess implements Target {
    /** Set by Surefire to the runnable jar the reactor built in the same run. */
    public static final String JAR_PROPERTY = "ratelimiterd.jar";
    /** Set by Surefire to a directory under target/; the servers' files stay there for inspection. */
    public static final String WORK_DIR_PROPERTY = "ratelimiter.bdd.work-dir";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int OUTPUT_LINES = 60;

    private final String description;
    private final Process process;
    private final Path output;
    private final LimiterHttp http;
    private final Thread killOnExit;

    private ServerProcess(String description, Process process, Path output, URI uri) {
        this.description = description;
        this.process = process;
        this.output = output;
        this.http = new LimiterHttp(uri);
        this.killOnExit = new Thread(process::destroyForcibly, "kill-ratelimiterd-" + process.pid());
    }

    /**
     * Starts {@code java -jar <jar>} with the given settings as system properties, plus the port.
     *
     * @param jar the runnable server jar
     * @param workDir an empty directory for the registry and the output; the process runs in it
     * @param settings Micronaut settings, passed as {@code -Dname=value}
     * @param describe what this server is, for the one line the suite prints
     * @throws IllegalStateException when the jar is missing or the server is not healthy in time
     */
    public static ServerProcess start(Path jar, Path workDir, Map<String, String> settings, String describe) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the server jar " + jar + " does not exist; build it first with"
                    + " ./mvnw -pl server -am package -DskipTests (a full ./mvnw verify builds it before the scenarios)");
        }
        int port = freePort();
        Path output = workDir.resolve("server.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Dmicronaut.server.host=127.0.0.1");
        command.add("-Dmicronaut.server.port=" + port);
        settings.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command), e);
        }
        URI uri = URI.create("http://127.0.0.1:" + port);
        ServerProcess server = new ServerProcess(describe + " at " + uri + ", pid " + process.pid()
                + ", output in " + output, process, output, uri);
        Runtime.getRuntime().addShutdownHook(server.killOnExit);
        try {
            Readiness.awaitHealthy(server.http, READY_TIMEOUT,
                    () -> process.isAlive() ? null : "its process exited with code " + process.exitValue());
        } catch (RuntimeException e) {
            String last = server.recentOutput();
            server.close();
            throw new IllegalStateException(e.getMessage() + "\ncommand: " + String.join(" ", command)
                    + "\nlast output of the server:\n" + last, e);
        }
        return server;
    }

    /** The packaged server jar named by {@value #JAR_PROPERTY}. */
    public static Path packagedJar() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalStateException("the system property " + JAR_PROPERTY + " must name the server jar;"
                    + " the stepdefs pom sets it to server/target/ratelimiterd-all.jar");
        }
        return Path.of(jar);
    }

    /** A fresh directory for one server's files, below {@value #WORK_DIR_PROPERTY} (created if needed). */
    public static Path workDirectory(String prefix) {
        Path base = Path.of(System.getProperty(WORK_DIR_PROPERTY, "target/targets"));
        try {
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a working directory under " + base, e);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public LimiterHttp http() {
        return http;
    }

    @Override
    public String recentOutput() {
        try {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - OUTPUT_LINES), lines.size()));
        } catch (IOException e) {
            return "(the output in " + output + " cannot be read: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL if the server has not stopped within {@link #STOP_TIMEOUT}. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    System.out.println("[bdd] the server process " + process.pid() + " did not exit after SIGKILL");
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting and runs the hook itself, which is harmless: the process is gone.
        }
    }

    /**
     * A port that was free a moment ago. Another process could take it before the server binds
     * it; the server then fails to start and the message shows its output.
     */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }
}
