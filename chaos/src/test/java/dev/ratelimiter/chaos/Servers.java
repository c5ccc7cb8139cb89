package dev.ratelimiter.chaos;

import dev.ratelimiter.chaos.process.ServerApi;
import dev.ratelimiter.testkit.process.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Servers for the suites: the testkit's {@link ServerProcess} on the jar of the same reactor, a free
 * port, a registry of their own, stopped with SIGKILL when closed (these suites kill servers anyway);
 * and the API of each, with short timeouts, for health and checks.
 *
 * <p>Thread-safe: the one shared structure is a concurrent map of APIs by port, bounded by the number
 * of servers the suites start.
 */
public final class Servers {
    /** A generous bound for a start on a busy two-core machine (about 2 s when idle). */
    public static final long START_TIMEOUT_MILLIS = 60_000;
    /** A small heap, so that a leak shows up quickly; a serial collector, cheap on two cores. */
    public static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /**
     * For suites that restart the server again and again: the client compiler only, which starts
     * about a fifth faster; throughput does not matter there.
     */
    public static final List<String> FAST_START_JVM_OPTIONS =
            List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final Map<Integer, ServerApi> APIS = new ConcurrentHashMap<>();

    private Servers() {}

    /** The API of {@code server}, with short timeouts (for health and checks, not for load); one per port. */
    public static ServerApi api(ServerProcess server) {
        return APIS.computeIfAbsent(
                server.port(), port -> ServerApi.local(port, Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    /**
     * A server on the memory backend, working in {@code directory}, with its registry at
     * {@code directory/data/registry.json}, no seed limits, and {@code extraProperties} on top.
     */
    public static ServerProcess memory(ChaosSettings settings, Path directory, Map<String, String> extraProperties) {
        return memory(settings, directory, extraProperties, JVM_OPTIONS);
    }

    /** As {@link #memory(ChaosSettings, Path, Map)}, with the given options for the server's JVM. */
    public static ServerProcess memory(
            ChaosSettings settings, Path directory, Map<String, String> extraProperties, List<String> jvmOptions) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ratelimiter.backend", "memory");
        properties.putAll(extraProperties);
        return server(settings, directory, properties, jvmOptions);
    }

    /**
     * A server on the TigerBeetle backend at {@code address}, otherwise as {@link #memory}: each
     * request to TigerBeetle times out after {@code requestTimeoutMillis}.
     */
    public static ServerProcess tigerBeetle(
            ChaosSettings settings, Path directory, String address, long requestTimeoutMillis) {
        return tigerBeetle(settings, directory, address, requestTimeoutMillis, Map.of());
    }

    /** As {@link #tigerBeetle(ChaosSettings, Path, String, long)}, with {@code extraProperties} on top. */
    public static ServerProcess tigerBeetle(
            ChaosSettings settings,
            Path directory,
            String address,
            long requestTimeoutMillis,
            Map<String, String> extraProperties) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ratelimiter.backend", "tigerbeetle");
        properties.put("ratelimiter.tigerbeetle.cluster-id", "0");
        properties.put("ratelimiter.tigerbeetle.addresses", address);
        properties.put("ratelimiter.tigerbeetle.request-timeout-ms", Long.toString(requestTimeoutMillis));
        properties.putAll(extraProperties);
        return server(settings, directory, properties, FAST_START_JVM_OPTIONS);
    }

    /** Where the servers of these suites keep the registry when they work in {@code directory}. */
    public static Path registryFile(Path directory) {
        return directory.resolve("data").resolve("registry.json").toAbsolutePath();
    }

    private static ServerProcess server(
            ChaosSettings settings, Path directory, Map<String, String> backendProperties, List<String> jvmOptions) {
        Path jar = settings.serverJar()
                .orElseThrow(() -> new IllegalStateException(
                        "chaos.serverJar is not set: run the suites through Maven (./mvnw -pl chaos -am verify)"));
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ratelimiter.registry-path", registryFile(directory).toString());
        properties.put("ratelimiter.seed-limits-path", "");
        properties.putAll(backendProperties);
        return ServerProcess.builder(jar, directory)
                .properties(properties)
                .jvmOptions(jvmOptions)
                .stopGraceMillis(0)
                .build();
    }
}
