package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;
import static dev.ratelimiter.server.config.InvalidSettingException.requireText;

import dev.ratelimiter.core.wire.RequestLimits;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.Map;

/**
 * The main settings of ratelimiterd, bound to {@code ratelimiter.*}. Immutable and thread-safe;
 * the constructor checks every bound and names the setting it refuses.
 *
 * @param backend where holds live: {@code memory} (one process) or {@code tigerbeetle}; anything else
 *     stops the server at start (SPEC 11: an unknown name never falls back to memory)
 * @param registryPath the durable registry file, relative to the working directory unless absolute
 * @param seedLimitsPath the example limits file that creates keys the registry does not have yet;
 *     absent means the default {@link #DEFAULT_SEED_LIMITS_PATH} (a missing file is only logged),
 *     an empty value disables seeding, any other value must name an existing file
 * @param decreaseCheckIntervalMs how often pending capacity decreases are checked (SPEC 2.4)
 * @param maxRequirements most requirements in one reserve
 * @param maxBatchItems most requests in one batch
 * @param maxBodyBytes largest request body; larger bodies are answered 413
 * @param admissionThreads threads that run reserve and complete calls on a backend that may block
 *     (TigerBeetle), and calls whose body is larger than {@code inlineBodyBytesMax}; on a backend that
 *     never blocks (memory) the pool has at most one thread per core, as its calls are pure CPU work
 * @param admissionQueueMax reserve and complete calls that may wait for a thread; past it the server
 *     answers 503 at once instead of queueing without bound
 * @param inlineBodyBytesMax largest request body whose call runs on the event loop that read it, without a
 *     hand-off to a pool, when the backend never blocks (the memory backend); larger bodies, and every
 *     call on a backend that may block, go to the pools; 0 sends every call to the pools
 * @param usageSampleIntervalMs how often the reserved-amount gauges read the backend's usage
 * @param shutdownGracePeriodMs how long a stopping server waits for in-flight requests
 */
@ConfigurationProperties("ratelimiter")
public record LimiterSettings(
        String backend,
        String registryPath,
        @Nullable String seedLimitsPath,
        long decreaseCheckIntervalMs,
        int maxRequirements,
        int maxBatchItems,
        long maxBodyBytes,
        int admissionThreads,
        int admissionQueueMax,
        int inlineBodyBytesMax,
        long usageSampleIntervalMs,
        long shutdownGracePeriodMs) {

    public static final String MEMORY = "memory";
    public static final String TIGERBEETLE = "tigerbeetle";
    public static final String DEFAULT_SEED_LIMITS_PATH = "config/limits.json";
    /**
     * The most {@link #inlineBodyBytesMax} may be: decoding and admitting a body takes time in
     * proportion to its size, and a larger one would hold up every other connection of its event loop.
     */
    public static final int INLINE_BODY_BYTES_LIMIT = 1024 * 1024;

    public LimiterSettings {
        backend = requireText("ratelimiter.backend", backend);
        if (!backend.equals(MEMORY) && !backend.equals(TIGERBEETLE)) {
            throw new InvalidSettingException(
                    "ratelimiter.backend",
                    "must be \"" + MEMORY + "\" or \"" + TIGERBEETLE + "\", got \"" + backend + "\"");
        }
        registryPath = requireText("ratelimiter.registry-path", registryPath);
        requireRange("ratelimiter.decrease-check-interval-ms", decreaseCheckIntervalMs, 1, 60_000);
        int requirements = maxRequirements;
        int batchItems = maxBatchItems;
        InvalidSettingException.fromCore("ratelimiter", Map.of(), () -> new RequestLimits(requirements, batchItems));
        requireRange("ratelimiter.max-body-bytes", maxBodyBytes, 1024, 64L * 1024 * 1024);
        requireRange("ratelimiter.admission-threads", admissionThreads, 1, 1024);
        requireRange("ratelimiter.admission-queue-max", admissionQueueMax, 1, 1_000_000);
        requireRange("ratelimiter.inline-body-bytes-max", inlineBodyBytesMax, 0, INLINE_BODY_BYTES_LIMIT);
        requireRange("ratelimiter.usage-sample-interval-ms", usageSampleIntervalMs, 10, 3_600_000);
        requireRange("ratelimiter.shutdown-grace-period-ms", shutdownGracePeriodMs, 0, 600_000);
    }

    /** The request bounds that core's validator enforces. */
    public RequestLimits requestLimits() {
        return new RequestLimits(maxRequirements, maxBatchItems);
    }

    /** Where seeding reads from, and whether a missing file is an error. */
    public SeedSource seedSource() {
        if (seedLimitsPath == null) {
            return new SeedSource(DEFAULT_SEED_LIMITS_PATH, false);
        }
        String trimmed = seedLimitsPath.strip();
        return trimmed.isEmpty() ? SeedSource.DISABLED : new SeedSource(trimmed, true);
    }

    /**
     * The seed limits file to read.
     *
     * @param path the file, empty when seeding is disabled
     * @param required whether a missing file stops the server (true when the path was configured)
     */
    public record SeedSource(String path, boolean required) {
        public static final SeedSource DISABLED = new SeedSource("", false);

        public boolean enabled() {
            return !path.isEmpty();
        }
    }
}
