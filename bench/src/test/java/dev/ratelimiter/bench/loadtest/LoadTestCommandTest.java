package dev.ratelimiter.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code loadtest} command end to end, for a fraction of a second: in process on the local
 * limiter, and over HTTP against the server started in this JVM. Real time is unavoidable (the
 * command runs for a duration); assertions are about outcomes and files, never about speed.
 */
class LoadTestCommandTest {
    @TempDir
    Path directory;

    @Test
    void localRunAdmitsAndWritesBothReports() throws Exception {
        Run run = run("--mode", "local", "--duration", "300ms", "--warmup", "100ms", "--concurrency", "2",
                "--fail-on-errors", "--json", directory.resolve("local.json").toString(),
                "--html", directory.resolve("local.html").toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("loadtest: local (in process)"), run.output());
        JsonNode json = new ObjectMapper().readTree(directory.resolve("local.json").toFile());
        assertTrue(json.get("reserve").get("allowed").asLong() > 0);
        assertEquals(json.get("reserve").get("allowed").asLong(), json.get("complete").get("ok").asLong());
        assertTrue(Files.readString(directory.resolve("local.html")).contains("<svg "));
    }

    @Test
    void httpRunAgainstTheServerSendsBatchesAndSeedsItsLimits() throws Exception {
        Map<String, Object> properties = Map.of("micronaut.server.port", -1,
                "ratelimiter.registry-path", directory.resolve("registry.json").toString(),
                "ratelimiter.seed-limits-path", "");
        try (ApplicationContext context = ApplicationContext.builder().properties(properties).start()) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Run run = run("--mode", "http", "--url", server.getURI().toString(), "--duration", "300ms", "--warmup",
                    "100ms", "--concurrency", "2", "--batch-size", "4", "--fail-on-errors",
                    "--json", directory.resolve("http.json").toString(), "--html", directory.resolve("http.html").toString());
            assertEquals(0, run.exitCode(), run.output());
            JsonNode json = new ObjectMapper().readTree(directory.resolve("http.json").toFile());
            assertTrue(json.get("reserve").get("allowed").asLong() > 0, run.output());
            assertEquals(4, json.get("batch_sizes").get("max").asLong());
            assertEquals(4, json.get("batch_sizes").get("min").asLong());
        }
    }

    @Test
    void failsWhenNothingIsAdmitted() throws Exception {
        Run run = run("--mode", "local", "--duration", "200ms", "--warmup", "0s", "--concurrency", "1", "--no-seed",
                "--fail-on-errors", "--json", directory.resolve("none.json").toString(),
                "--html", directory.resolve("none.html").toString());
        assertEquals(1, run.exitCode(), "every key is unknown without seeding: " + run.output());
        assertTrue(run.output().contains("unknown_limit_key"), run.output());
    }

    @Test
    void rejectsABadOptionNamingIt() {
        Run run = run("--mode", "local", "--concurrency", "0");
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("--concurrency: must be from 1"), run.output());
    }

    @Test
    void readsShortDurations() {
        LoadTest.DurationConverter converter = new LoadTest.DurationConverter();
        assertEquals(java.time.Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(java.time.Duration.ofSeconds(30), converter.convert("30s"));
        assertEquals(java.time.Duration.ofMinutes(2), converter.convert("2m"));
        assertEquals(java.time.Duration.ofSeconds(5), converter.convert("PT5S"));
    }

    private static Run run(String... args) {
        StringWriter output = new StringWriter();
        PrintWriter writer = new PrintWriter(output, true);
        CommandLine command = new CommandLine(new LoadTest()).setOut(writer).setErr(writer);
        int exitCode = command.execute(args);
        return new Run(exitCode, output.toString());
    }

    private record Run(int exitCode, String output) {
    }
}
