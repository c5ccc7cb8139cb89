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
        Run run = run(
                "--mode",
                "local",
                "--duration",
                "300ms",
                "--warmup",
                "100ms",
                "--concurrency",
                "2",
                "--fail-on-errors",
                "--json",
                directory.resolve("local.json").toString(),
                "--html",
                directory.resolve("local.html").toString());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("loadtest: local (in process)"), run.output());
        JsonNode json =
                new ObjectMapper().readTree(directory.resolve("local.json").toFile());
        assertTrue(json.get("reserve").get("allowed").asLong() > 0);
        assertEquals(
                json.get("reserve").get("allowed").asLong(),
                json.get("complete").get("ok").asLong());
        assertTrue(Files.readString(directory.resolve("local.html")).contains("<svg "));
    }

    @Test
    void httpRunAgainstTheServerSendsBatchesAndSeedsItsLimits() throws Exception {
        JsonNode json = runHttp("library", "4");
        assertEquals(4, json.get("batch_sizes").get("max").asLong());
        assertEquals(4, json.get("batch_sizes").get("min").asLong());
    }

    @Test
    void httpRunWithTheRawClientSendsSingleCalls() throws Exception {
        JsonNode json = runHttp("raw", "1");
        assertEquals(1, json.get("batch_sizes").get("max").asLong());
        assertTrue(
                json.get("target").asText().contains("raw"), json.get("target").asText());
    }

    @Test
    void httpRunWithTheRawClientSendsBatches() throws Exception {
        JsonNode json = runHttp("raw", "8");
        assertEquals(8, json.get("batch_sizes").get("min").asLong());
    }

    @Test
    void rawClientNeedsHttpMode() {
        Run run = run("--mode", "local", "--client", "raw");
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("--client raw: needs --mode http"), run.output());
    }

    /** Runs the command over HTTP against the server started in this JVM; requires admissions and no error. */
    private JsonNode runHttp(String client, String batchSize) throws Exception {
        Map<String, Object> properties = Map.of(
                "micronaut.server.port",
                -1,
                "ratelimiter.registry-path",
                directory.resolve("registry-" + client + batchSize + ".json").toString(),
                "ratelimiter.seed-limits-path",
                "");
        try (ApplicationContext context =
                ApplicationContext.builder().properties(properties).start()) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            Path json = directory.resolve("http-" + client + batchSize + ".json");
            Run run = run(
                    "--mode",
                    "http",
                    "--url",
                    server.getURI().toString(),
                    "--client",
                    client,
                    "--duration",
                    "300ms",
                    "--warmup",
                    "100ms",
                    "--concurrency",
                    "2",
                    "--batch-size",
                    batchSize,
                    "--fail-on-errors",
                    "--json",
                    json.toString(),
                    "--html",
                    directory.resolve("http-" + client + batchSize + ".html").toString());
            assertEquals(0, run.exitCode(), run.output());
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertTrue(report.get("reserve").get("allowed").asLong() > 0, run.output());
            assertEquals(
                    report.get("reserve").get("allowed").asLong(),
                    report.get("complete").get("ok").asLong());
            return report;
        }
    }

    @Test
    void failsWhenNothingIsAdmitted() throws Exception {
        Run run = run(
                "--mode",
                "local",
                "--duration",
                "200ms",
                "--warmup",
                "0s",
                "--concurrency",
                "1",
                "--no-seed",
                "--fail-on-errors",
                "--json",
                directory.resolve("none.json").toString(),
                "--html",
                directory.resolve("none.html").toString());
        assertEquals(1, run.exitCode(), "every key is unknown without seeding: " + run.output());
        assertTrue(run.output().contains("unknown_limit_key"), run.output());
    }

    @Test
    void rejectsABadOptionNamingIt() {
        Run run = run("--mode", "local", "--concurrency", "0");
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("--concurrency must be from 1"), run.output());
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

    private record Run(int exitCode, String output) {}
}
