package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server launcher against a stand-in jar ({@link FakeServerMain}): starts and health, settings
 * through properties and the environment, an early exit quoted with its output, SIGKILL and
 * SIGTERM with their exit codes, and restarts on the same port with one output file per start.
 */
class ServerProcessTest {
    private static final long TIMEOUT_MILLIS = 60_000;

    @TempDir
    static Path jarDirectory;

    private static Path jar;

    @TempDir
    Path work;

    @BeforeAll
    static void writeJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeServerMain.class.getName());
        jar = jarDirectory.resolve("fake-server.jar");
        String entry = FakeServerMain.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                InputStream classFile = FakeServerMain.class.getResourceAsStream("/" + entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
    }

    @Test
    void startsHealthyWithItsSettingsAndAnswersOnItsPort() throws Exception {
        try (ServerProcess server = ServerProcess.builder(jar, work)
                .property("fake.greeting", "hello")
                .build()) {
            server.startHealthy(TIMEOUT_MILLIS);

            assertTrue(server.port() >= 20_000 && server.port() <= 32_767, "port " + server.port());
            assertEquals(200, get(server, "/healthz"));
            assertTrue(
                    server.outputTail().contains("started on " + server.port() + " with greeting=hello"),
                    server.outputTail());
            assertEquals(work.resolve("server-1.log"), server.output());
        }
    }

    @Test
    void passesThePortThroughTheEnvironmentAndRunsInTheGivenDirectory() throws Exception {
        Path runIn = Files.createDirectories(work.resolve("elsewhere"));
        try (ServerProcess server = ServerProcess.builder(jar, work)
                .portThroughEnvironment()
                .runIn(runIn)
                .environment(Map.of("UNUSED_SETTING", "x"))
                .build()) {
            server.startHealthy(TIMEOUT_MILLIS);

            assertFalse(
                    server.command().stream().anyMatch(part -> part.contains("micronaut.server.port")),
                    server.command().toString());
            assertTrue(server.outputTail().contains("started on " + server.port()), server.outputTail());
            assertTrue(server.outputTail().contains(" in " + runIn), server.outputTail());
        }
    }

    @Test
    void aServerThatExitsAtStartFailsTheWaitAtOnceQuotingItsOutput() throws Exception {
        try (ServerProcess server =
                ServerProcess.builder(jar, work).property("fake.exit-code", "3").build()) {
            server.start();

            IllegalStateException failure =
                    assertThrows(IllegalStateException.class, () -> server.awaitHealthy(TIMEOUT_MILLIS));
            assertTrue(failure.getMessage().contains("exited with code 3"), failure.getMessage());
            assertTrue(failure.getMessage().contains("refusing to start"), failure.getMessage());
            assertEquals(3, server.awaitExit(TIMEOUT_MILLIS));
        }
    }

    @Test
    void killsTerminatesAndRestartsOnTheSamePortWithOneOutputFilePerStart() throws Exception {
        try (ServerProcess server =
                ServerProcess.builder(jar, work).stopGraceMillis(0).build()) {
            server.startHealthy(TIMEOUT_MILLIS);
            int port = server.port();
            assertEquals(137, server.kill(), "SIGKILL");
            assertFalse(server.isAlive());

            server.startHealthy(TIMEOUT_MILLIS);
            assertEquals(port, server.port());
            assertEquals(2, server.starts());
            assertEquals(work.resolve("server-2.log"), server.output());
            server.terminate();
            assertEquals(143, server.awaitExit(TIMEOUT_MILLIS), "SIGTERM");

            server.start();
            assertThrows(IllegalStateException.class, server::start, "a second process while one runs");
        }
    }

    @Test
    void refusesAMissingJarNamingIt() {
        Path missing = work.resolve("no-such.jar");
        IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> ServerProcess.builder(missing, work));
        assertTrue(failure.getMessage().contains(missing.toString()), failure.getMessage());
    }

    private static int get(ServerProcess server, String path) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(server.baseUri().resolve(path)).GET().build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
