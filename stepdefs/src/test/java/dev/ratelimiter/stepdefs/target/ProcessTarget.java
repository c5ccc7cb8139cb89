package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The packaged server jar, run with {@code java -jar} as a separate OS process (the testkit's
 * {@link ServerProcess}) on a free port of the loopback interface, in a fresh working directory that
 * holds its registry and its output. It proves that the jar a user runs passes every scenario.
 *
 * <p>Bounds: the start waits at most {@link #READY_TIMEOUT} for {@code /healthz} (and stops at
 * once if the process exits); the stop sends SIGTERM and kills after the launcher's grace period.
 * The launcher kills the process if the suite never reaches its AfterAll hook. Thread-safe: the
 * fields are final and the launcher is thread-safe.
 */
public final class ProcessTarget implements Target {
    /** Set by Surefire to the runnable jar the reactor built in the same run. */
    public static final String JAR_PROPERTY = "ratelimiterd.jar";
    /** Set by Surefire to a directory under target/; the servers' files stay there for inspection. */
    public static final String WORK_DIR_PROPERTY = "ratelimiter.bdd.work-dir";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** A heap big enough for every scenario, small enough for a two-core machine shared by builds. */
    private static final List<String> JVM_OPTIONS = List.of("-Xmx512m");

    private final String description;
    private final ServerProcess server;
    private final LimiterHttp http;

    private ProcessTarget(String description, ServerProcess server) {
        this.description = description;
        this.server = server;
        this.http = new LimiterHttp(server.baseUri());
    }

    /**
     * Starts {@code java -jar <jar>} with the given settings as system properties, plus the loopback
     * host and a free port, and waits until it is healthy.
     *
     * @param jar the runnable server jar
     * @param workDir an empty directory for the registry and the output; the process runs in it
     * @param settings Micronaut settings, passed as {@code -Dname=value}
     * @param describe what this server is, for the one line the suite prints
     * @throws IllegalArgumentException when the jar is missing
     * @throws IllegalStateException when the server is not healthy in time (quoting its output)
     */
    public static ProcessTarget start(Path jar, Path workDir, Map<String, String> settings, String describe) {
        ServerProcess server = ServerProcess.builder(jar, workDir)
                .property("micronaut.server.host", "127.0.0.1")
                .properties(settings)
                .jvmOptions(JVM_OPTIONS)
                .build();
        try {
            server.startHealthy(READY_TIMEOUT.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", server.command()), e);
        }
        return new ProcessTarget(
                describe + " at " + server.baseUri() + ", pid " + server.pid() + ", output in " + server.output(),
                server);
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
        return server.outputTail();
    }

    /** SIGTERM, then SIGKILL if the server has not stopped within the launcher's grace period. */
    @Override
    public void close() {
        server.close();
    }
}
