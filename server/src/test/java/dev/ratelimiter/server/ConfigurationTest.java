package dev.ratelimiter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.retry.RetryPolicy;
import dev.ratelimiter.core.service.LimiterService;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.config.MemorySettings;
import dev.ratelimiter.server.config.RetrySettings;
import dev.ratelimiter.server.config.TigerBeetleSettings;
import dev.ratelimiter.testkit.process.Ports;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.http.server.HttpServerConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration without an HTTP server: the defaults of application.yml, overrides written as
 * environment variables, and values refused at start with one line naming the setting.
 */
class ConfigurationTest {

    @TempDir
    Path directory;

    @Test
    void defaultsMatchTheDocumentedTable() {
        try (ApplicationContext context = run(Map.of())) {
            LimiterSettings settings = context.getBean(LimiterSettings.class);
            TigerBeetleSettings tigerBeetle = context.getBean(TigerBeetleSettings.class);

            assertEquals("memory", settings.backend());
            assertEquals(200, settings.decreaseCheckIntervalMs());
            assertEquals(new RequestLimits(32, 256), settings.requestLimits());
            assertEquals(1_048_576, settings.maxBodyBytes());
            assertEquals(
                    1_048_576, context.getBean(HttpServerConfiguration.class).getMaxRequestSize());
            assertEquals(64, settings.admissionThreads());
            assertEquals(4096, settings.admissionQueueMax());
            assertEquals(16_384, settings.inlineBodyBytesMax());
            assertEquals(1000, settings.usageSampleIntervalMs());
            assertEquals(15_000, settings.shutdownGracePeriodMs());
            assertEquals("0", tigerBeetle.clusterId());
            assertEquals(List.of("3000"), tigerBeetle.addresses());
            assertEquals(8189, tigerBeetle.batchSizeMax());
            assertEquals(500, tigerBeetle.flushIntervalMicros());
            assertEquals(1000, tigerBeetle.requestTimeoutMs());
            assertEquals(65_536, tigerBeetle.queueCapacity());
            assertEquals(8, tigerBeetle.inFlightRequestsMax());
            assertEquals(500_000, tigerBeetle.leaseRecordsMax());
            assertEquals(100_000, context.getBean(MemorySettings.class).maxTombstones());
            assertEquals(
                    RetryPolicy.DEFAULT, context.getBean(RetrySettings.class).toPolicy());
        }
    }

    @Test
    void theDefaultRegistryAndSeedPathsAreRelativeToTheWorkingDirectory() {
        LimiterSettings settings = new LimiterSettings(
                "memory", "data/registry.json", null, 200, 32, 256, 1_048_576, 64, 4096, 16_384, 1000, 15_000);

        assertEquals(new LimiterSettings.SeedSource("config/limits.json", false), settings.seedSource());
        assertEquals(
                LimiterSettings.SeedSource.DISABLED,
                new LimiterSettings("memory", "r.json", " ", 200, 32, 256, 1_048_576, 64, 4096, 16_384, 1000, 15_000)
                        .seedSource());
        assertEquals(
                new LimiterSettings.SeedSource("my/limits.json", true),
                new LimiterSettings(
                                "memory",
                                "r.json",
                                "my/limits.json",
                                200,
                                32,
                                256,
                                1_048_576,
                                64,
                                4096,
                                16_384,
                                1000,
                                15_000)
                        .seedSource());
    }

    @Test
    void environmentVariablesOverrideEverySection() {
        Map<String, Object> environment = Map.ofEntries(
                Map.entry("RATELIMITER_MAX_REQUIREMENTS", "8"),
                Map.entry("RATELIMITER_MAX_BATCH_ITEMS", "64"),
                Map.entry("RATELIMITER_MAX_BODY_BYTES", "4096"),
                Map.entry("RATELIMITER_DECREASE_CHECK_INTERVAL_MS", "50"),
                Map.entry("RATELIMITER_INLINE_BODY_BYTES_MAX", "0"),
                Map.entry("RATELIMITER_TIGERBEETLE_CLUSTER_ID", "340282366920938463463374607431768211455"),
                Map.entry("RATELIMITER_TIGERBEETLE_ADDRESSES", "3001,127.0.0.1:3002"),
                Map.entry("RATELIMITER_TIGERBEETLE_BATCH_SIZE_MAX", "100"),
                Map.entry("RATELIMITER_TIGERBEETLE_QUEUE_CAPACITY", "1000"),
                Map.entry("RATELIMITER_TIGERBEETLE_IN_FLIGHT_REQUESTS_MAX", "2"),
                Map.entry("RATELIMITER_TIGERBEETLE_LEASE_RECORDS_MAX", "50"),
                Map.entry("RATELIMITER_MEMORY_MAX_TOMBSTONES", "7"),
                Map.entry("RATELIMITER_RETRY_DECREASING_MS", "2500"),
                Map.entry("RATELIMITER_RETRY_ROLLING_FACTOR", "1.25"));

        try (ApplicationContext context = run(environment)) {
            LimiterSettings settings = context.getBean(LimiterSettings.class);
            TigerBeetleSettings tigerBeetle = context.getBean(TigerBeetleSettings.class);

            assertEquals(new RequestLimits(8, 64), settings.requestLimits());
            assertEquals(4096, settings.maxBodyBytes());
            assertEquals(4096, context.getBean(HttpServerConfiguration.class).getMaxRequestSize());
            assertEquals(50, settings.decreaseCheckIntervalMs());
            assertEquals(0, settings.inlineBodyBytesMax());
            assertEquals(
                    "340282366920938463463374607431768211455",
                    tigerBeetle.toBackendSettings().clusterId().toString());
            assertEquals(List.of("3001", "127.0.0.1:3002"), tigerBeetle.addresses());
            assertEquals(100, tigerBeetle.batchSizeMax());
            assertEquals(1000, tigerBeetle.queueCapacity());
            assertEquals(2, tigerBeetle.inFlightRequestsMax());
            assertEquals(50, tigerBeetle.leaseRecordsMax());
            assertEquals(7, context.getBean(MemorySettings.class).maxTombstones());
            assertEquals(2500, context.getBean(RetrySettings.class).toPolicy().decreasingMs());
            assertEquals(1.25, context.getBean(RetrySettings.class).toPolicy().rollingFactor());
        }
    }

    @Test
    void refusesAnUnknownBackendNamingTheSettingAndTheChoices() {
        assertEquals(
                "ratelimiter.backend (RATELIMITER_BACKEND) must be \"memory\" or \"tigerbeetle\", got \"redis\"",
                startFailure(Map.of("RATELIMITER_BACKEND", "redis")));
    }

    @Test
    void refusesABatchLargerThanTigerBeetleAllows() {
        assertEquals(
                "ratelimiter.tigerbeetle.batch-size-max (RATELIMITER_TIGERBEETLE_BATCH_SIZE_MAX) must be from 1"
                        + " to 8189, got 9000",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_BATCH_SIZE_MAX", "9000")));
    }

    @Test
    void refusesOtherValuesOutOfBounds() {
        assertEquals(
                "ratelimiter.tigerbeetle.cluster-id (RATELIMITER_TIGERBEETLE_CLUSTER_ID) must be"
                        + " from 0 to 2^128-1, got 340282366920938463463374607431768211456",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_CLUSTER_ID", "340282366920938463463374607431768211456")));
        assertEquals(
                "ratelimiter.tigerbeetle.in-flight-requests-max (RATELIMITER_TIGERBEETLE_IN_FLIGHT_REQUESTS_MAX)"
                        + " must be from 1 to 1024, got 0",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_IN_FLIGHT_REQUESTS_MAX", "0")));
        assertEquals(
                "ratelimiter.tigerbeetle.queue-capacity (RATELIMITER_TIGERBEETLE_QUEUE_CAPACITY) must be from 1"
                        + " to 10000000, got 0",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_QUEUE_CAPACITY", "0")));
        assertEquals(
                "ratelimiter.tigerbeetle.lease-records-max (RATELIMITER_TIGERBEETLE_LEASE_RECORDS_MAX) must be"
                        + " from 1 to 100000000, got 0",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_LEASE_RECORDS_MAX", "0")));
        assertEquals(
                "ratelimiter.max-requirements (RATELIMITER_MAX_REQUIREMENTS) must be from 1 to 10000, got 0",
                startFailure(Map.of("RATELIMITER_MAX_REQUIREMENTS", "0")));
        assertEquals(
                "ratelimiter.inline-body-bytes-max (RATELIMITER_INLINE_BODY_BYTES_MAX) must be from 0 to 1048576,"
                        + " got 1048577",
                startFailure(Map.of("RATELIMITER_INLINE_BODY_BYTES_MAX", "1048577")));
        assertEquals(
                "ratelimiter.retry.rolling-factor (RATELIMITER_RETRY_ROLLING_FACTOR) must be from 1.0 to 10.0, got 0.5",
                startFailure(Map.of("RATELIMITER_RETRY_ROLLING_FACTOR", "0.5")));
        assertTrue(startFailure(Map.of("RATELIMITER_MAX_BATCH_ITEMS", "many")).contains("ratelimiter.max-batch-items"));
    }

    /** The TigerBeetle client resolves no host names; the backend's own rule is reported as the server's setting. */
    @Test
    void refusesAHostNameAddressNamingTheSettingAndTheRule() {
        String failure = startFailure(Map.of(
                "RATELIMITER_BACKEND", "tigerbeetle", "RATELIMITER_TIGERBEETLE_ADDRESSES", "3001,localhost:3000"));

        assertEquals(
                "ratelimiter.tigerbeetle.addresses[1] (RATELIMITER_TIGERBEETLE_ADDRESSES) must be a port, an IPv4"
                        + " address with a port or a bracketed IPv6 address with a port (the TigerBeetle client does not"
                        + " resolve host names), got 'localhost:3000'",
                failure);
    }

    @Test
    void refusesABadAddressAlsoWhileTheMemoryBackendIsChosen() {
        assertEquals(
                "ratelimiter.tigerbeetle.addresses[0] (RATELIMITER_TIGERBEETLE_ADDRESSES) must have a port from"
                        + " 1 to 65535, got '70000'",
                startFailure(Map.of("RATELIMITER_TIGERBEETLE_ADDRESSES", "70000")));
    }

    @Test
    void startsOnTheTigerBeetleBackendWhenNoReplicaAnswers() {
        Map<String, Object> environment = Map.of(
                "RATELIMITER_BACKEND",
                "tigerbeetle",
                "RATELIMITER_TIGERBEETLE_ADDRESSES",
                "127.0.0.1:" + Ports.free(),
                "RATELIMITER_TIGERBEETLE_REQUEST_TIMEOUT_MS",
                "200");

        try (ApplicationContext context = run(environment)) {
            LimiterService service = context.getBean(LimiterService.class);

            assertFalse(service.isHealthy());
            assertEquals(List.of(), service.states());
        }
    }

    @Test
    void refusesAConfiguredSeedFileThatDoesNotExist() {
        Path missing = directory.resolve("missing-limits.json");

        assertEquals(
                "ratelimiter.seed-limits-path: the seed limits file " + missing.toAbsolutePath() + " does not exist",
                startFailure(Map.of("RATELIMITER_SEED_LIMITS_PATH", missing.toString())));
    }

    @Test
    void refusesABadSeedEntryNamingItAndTheRule() throws IOException {
        Path seed = directory.resolve("limits.json");
        Files.writeString(
                seed,
                "{\"limits\":[{\"key\":\"ok:1\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1},"
                        + "{\"key\":\"bad:2\",\"kind\":\"rolling\",\"capacity\":5,\"window_seconds\":0}]}");

        String failure = startFailure(Map.of("RATELIMITER_SEED_LIMITS_PATH", seed.toString()));

        assertTrue(failure.contains(seed.toString()), failure);
        assertTrue(failure.contains("entry 1 (key \"bad:2\")"), failure);
        assertTrue(failure.contains("window_seconds"), failure);
        assertFalse(failure.contains("\n"), failure);
    }

    @Test
    void refusesABadRegistryEntryNamingItAndTheRule() throws IOException {
        Path registry = directory.resolve("bad-registry.json");
        Files.writeString(
                registry,
                "[{\"definition\":{\"key\":\"k:1\",\"kind\":\"rolling\",\"capacity\":1,"
                        + "\"window_seconds\":1},\"status\":\"active\",\"pending_decrease_to\":0,\"revision\":1},"
                        + "{\"definition\":{\"key\":\"k:2\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1,"
                        + "\"overage\":\"maybe\"},\"status\":\"active\",\"pending_decrease_to\":0,\"revision\":1}]");

        String failure = startFailure(Map.of("RATELIMITER_REGISTRY_PATH", registry.toString()));

        assertTrue(failure.contains(registry.toString()), failure);
        assertTrue(failure.contains("entry 1 (key \"k:2\")"), failure);
        assertTrue(failure.contains("overage"), failure);
        assertFalse(failure.contains("\n"), failure);
    }

    /** Starts a context (no HTTP server) with {@code environment} given as environment variables. */
    private ApplicationContext run(Map<String, Object> environment) {
        Map<String, Object> variables = new HashMap<>();
        variables.put(
                "RATELIMITER_REGISTRY_PATH", directory.resolve("registry.json").toString());
        variables.put("RATELIMITER_SEED_LIMITS_PATH", "");
        variables.putAll(environment);
        return ApplicationContext.builder()
                .propertySources(PropertySource.of(
                        "test-environment",
                        variables,
                        PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE,
                        PropertySource.Origin.of("test-environment")))
                .start();
    }

    private String startFailure(Map<String, Object> environment) {
        RuntimeException failure =
                assertThrows(RuntimeException.class, () -> run(environment).close());
        return Application.describe(failure);
    }
}
