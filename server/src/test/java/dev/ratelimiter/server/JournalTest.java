package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.server.lifecycle.StartupFailure;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory backend's journal in the server (SPEC 5.1): on by default beside the registry, holds
 * survive a restart, a journal that cannot be written makes reserves answer {@code backend_error}
 * and {@code /healthz} 503 until it heals by itself, and a damaged journal stops the start.
 */
class JournalTest {
    private static final String KEY = "global:llm:journal:model:rpm";

    @TempDir
    Path directory;

    @Test
    void holdsSurviveARestartInTheJournalBesideTheRegistry() {
        Path registry = directory.resolve("registry.json");
        ReserveResponse first;
        try (TestServer server = TestServer.start(registry, Map.of())) {
            server.api.putLimit(LimitDefinition.rolling(KEY, 10, 3600));
            first = server.api.reserve("kept", KEY, 7);
            assertTrue(first.allowed());
        }
        assertTrue(Files.isDirectory(directory.resolve("journal")), "the default journal directory");

        try (TestServer server = TestServer.start(registry, Map.of())) {
            assertEquals(7, server.api.limit(KEY).usage().reserved());
            assertEquals(first, server.api.reserve("kept", KEY, 7), "a repeat answers the original reserved_at");
            assertFalse(server.api.reserve("more", KEY, 4).allowed());
        }
    }

    @Test
    void anEmptyJournalPathTurnsTheJournalOffAndARestartForgetsHolds() {
        Path registry = directory.resolve("registry.json");
        Map<String, Object> off = Map.of("ratelimiter.memory.journal-path", "");
        try (TestServer server = TestServer.start(registry, off)) {
            server.api.putLimit(LimitDefinition.rolling(KEY, 10, 3600));
            assertTrue(server.api.reserve("forgotten", KEY, 7).allowed());
        }
        assertFalse(Files.exists(directory.resolve("journal")));
        try (TestServer server = TestServer.start(registry, off)) {
            assertEquals(0, server.api.limit(KEY).usage().reserved());
        }
    }

    @Test
    void aJournalThatCannotBeWrittenAnswersBackendErrorAndUnhealthyUntilItHeals() {
        Path registry = directory.resolve("registry.json");
        try (TestServer server = TestServer.start(registry, Map.of("test.faulty-journal", "true"))) {
            server.api.putLimit(LimitDefinition.rolling(KEY, 100, 3600));
            FaultyJournalFactory factory = server.context.getBean(FaultyJournalFactory.class);
            assertTrue(server.api.reserve("before", KEY, 1).allowed());

            factory.io.failing(true);
            assertEquals(
                    ErrorCodes.BACKEND_ERROR,
                    server.api.reserve("during", KEY, 1).error());
            Api.awaitTrue(
                    "/healthz answers 503",
                    Duration.ofSeconds(20),
                    () -> server.api.get("/healthz").statusCode() == 503);
            assertEquals(
                    ErrorCodes.BACKEND_ERROR,
                    server.api.reserve("still", KEY, 1).error());

            factory.io.failing(false);
            Api.awaitTrue(
                    "/healthz answers 200 again",
                    Duration.ofSeconds(20),
                    () -> server.api.get("/healthz").statusCode() == 200);
            assertTrue(server.api.reserve("after", KEY, 1).allowed());
        }
    }

    @Test
    void aDamagedJournalStopsTheStartNamingTheFileAndOffset() throws IOException {
        Path registry = directory.resolve("registry.json");
        try (TestServer server = TestServer.start(registry, Map.of())) {
            server.api.putLimit(LimitDefinition.rolling(KEY, 10, 3600));
            for (int i = 0; i < 3; i++) {
                assertTrue(server.api.reserve("lease-" + i, KEY, 1).allowed());
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(directory.resolve("journal"))) {
            segment = files.filter(file -> file.getFileName().toString().endsWith(".log"))
                    .filter(file -> file.toFile().length() > 200)
                    .findFirst()
                    .orElseThrow();
        }
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
            file.seek(31);
            file.write(file.readByte() ^ 0xFF);
        }

        StartupFailure failure = assertThrows(StartupFailure.class, () -> TestServer.start(registry, Map.of()));

        String message = failure.getMessage();
        assertTrue(message.contains(segment.getFileName().toString()) && message.contains("byte offset 20"), message);
    }
}
