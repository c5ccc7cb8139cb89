package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * Settings of the memory backend (SPEC 5.1), bound to {@code ratelimiter.memory.*}.
 * Immutable and thread-safe.
 *
 * @param maxTombstones how many finished leases are remembered so that a late repeat of their
 *     reserve answers {@code lease_expired}; the oldest are forgotten first
 */
@ConfigurationProperties("ratelimiter.memory")
public record MemorySettings(int maxTombstones) {
    public MemorySettings {
        requireRange("ratelimiter.memory.max-tombstones", maxTombstones, 0, 10_000_000);
    }
}
