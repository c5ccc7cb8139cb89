package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitInfo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it: {@code java -jar server/target/ratelimiterd-all.jar} from the
 * repository root with no arguments. Only the port and the registry file are moved (through
 * environment variables) so the test neither collides with a running server nor writes into the
 * checkout. Runs under failsafe after {@code package}.
 */
class PackagedJarIT {
    private static final Path JAR = Path.of(System.getProperty("ratelimiterd.jar", "target/ratelimiterd-all.jar"));
    private static final Path REPO_ROOT = Path.of(System.getProperty("ratelimiterd.repoRoot", ".."));

    @TempDir
    Path directory;

    @Test
    void startsWithTheExampleLimitsAnswersAndStopsOnSigterm() throws Exception {
        int port = freePort();
        Path log = directory.resolve("server.log");
        Process process = start(Map.of("MICRONAUT_SERVER_PORT", String.valueOf(port),
                "RATELIMITER_REGISTRY_PATH", directory.resolve("registry.json").toString()), log);
        try {
            Api api = new Api(URI.create("http://127.0.0.1:" + port));
            Api.awaitTrue("the server answers /healthz", Duration.ofSeconds(60), () -> answersHealth(api, process));

            LimitInfo rpm = api.limit("global:llm:openai:gpt-4o:rpm");
            List<LimitInfo> limits = api.codec().readLimits(Api.ok(api.get("/v1/admin/limits")));

            assertEquals(500, rpm.definition().capacity());
            assertEquals(7, limits.size());
            assertTrue(api.reserve("jar-1", "global:llm:openai:gpt-4o:rpm", 1).allowed());
            assertTrue(Files.exists(directory.resolve("registry.json")), "the seeded limits were saved");
        } finally {
            process.destroy();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server stops within 30 s of SIGTERM");
        assertEquals(143, process.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("Stopped"), output);
    }

    @Test
    void refusesABadBackendWithOneLineAndExitCode1() throws Exception {
        Path log = directory.resolve("refused.log");
        Process process = start(Map.of("RATELIMITER_BACKEND", "redis",
                "RATELIMITER_REGISTRY_PATH", directory.resolve("registry.json").toString()), log);

        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server exits by itself");
        String output = Files.readString(log);
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("ERROR") && output.contains(
                "ratelimiter.backend (RATELIMITER_BACKEND) must be \"memory\" or \"tigerbeetle\", got \"redis\""), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
    }

    private Process start(Map<String, String> environment, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString())
                .directory(REPO_ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static boolean answersHealth(Api api, Process process) {
        if (!process.isAlive()) {
            throw new AssertionError("the server exited with " + process.exitValue());
        }
        try {
            return api.get("/healthz").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
