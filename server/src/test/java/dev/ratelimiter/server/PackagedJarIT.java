package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it: {@code java -jar server/target/ratelimiterd-all.jar} from the
 * repository root with no arguments. Only the port and the registry file are moved (through
 * environment variables) so the test neither collides with a running server nor writes into the
 * checkout. Runs under failsafe after {@code package}, through the testkit's launcher (the port
 * through {@code MICRONAUT_SERVER_PORT}, the process in the repository root).
 */
class PackagedJarIT {
    private static final Path JAR = Path.of(System.getProperty("ratelimiterd.jar", "target/ratelimiterd-all.jar"));
    private static final Path REPO_ROOT = Path.of(System.getProperty("ratelimiterd.repoRoot", ".."));

    @TempDir
    Path directory;

    @Test
    void startsWithTheExampleLimitsAnswersAndStopsOnSigterm() throws Exception {
        try (ServerProcess server = server(Map.of(
                "RATELIMITER_REGISTRY_PATH", directory.resolve("registry.json").toString()))) {
            server.start();
            try {
                server.awaitHealthy(60_000);
                Api api = new Api(server.baseUri());

                LimitInfo rpm = api.limit("global:llm:openai:gpt-4o:rpm");
                List<LimitInfo> limits = api.codec().readLimits(Api.ok(api.get("/v1/admin/limits")));

                assertEquals(500, rpm.definition().capacity());
                assertEquals(7, limits.size());
                assertTrue(
                        api.reserve("jar-1", "global:llm:openai:gpt-4o:rpm", 1).allowed());
                assertTrue(Files.exists(directory.resolve("registry.json")), "the seeded limits were saved");
            } finally {
                server.terminate();
            }
            // awaitExit fails the test, quoting the output, when the server outlives 30 s after SIGTERM.
            assertEquals(143, server.awaitExit(30_000));
            String output = Files.readString(server.output());
            assertTrue(output.contains("Stopped"), output);
        }
    }

    @Test
    void refusesABadBackendWithOneLineAndExitCode1() throws Exception {
        try (ServerProcess server = server(Map.of(
                "RATELIMITER_BACKEND",
                "redis",
                "RATELIMITER_REGISTRY_PATH",
                directory.resolve("registry.json").toString()))) {
            server.start();

            int exitCode = server.awaitExit(60_000);
            String output = Files.readString(server.output());
            assertEquals(1, exitCode, output);
            assertTrue(
                    output.contains("ERROR")
                            && output.contains(
                                    "ratelimiter.backend (RATELIMITER_BACKEND) must be \"memory\" or \"tigerbeetle\", got \"redis\""),
                    output);
            assertFalse(output.contains("\tat "), "no stack trace: " + output);
        }
    }

    /** The jar run from the repository root, with the port and {@code environment} as environment variables. */
    private ServerProcess server(Map<String, String> environment) {
        return ServerProcess.builder(JAR, directory)
                .runIn(REPO_ROOT)
                .portThroughEnvironment()
                .environment(environment)
                .build();
    }
}
