package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Settings of the memory backend (SPEC 5.1), bound to {@code ratelimiter.memory.*}.
 * Immutable and thread-safe.
 *
 * @param maxTombstones how many finished leases are remembered so that a late repeat of their
 *     reserve answers {@code lease_expired}; the oldest are forgotten first
 * @param journalPath the directory of the journal that keeps holds, debts and lease records across
 *     restarts; unset means {@code journal/} beside the registry file, an empty value turns the
 *     journal off (then a restart forgets every hold)
 * @param journalFsync whether every batch of records is fsynced before it is acknowledged. false is
 *     UNSAFE (a machine crash may lose acknowledged holds; a process kill does not): tests and
 *     benchmarks only
 * @param journalWaitOnPool false (the default): calls are decided on the HTTP event loop and
 *     answered by the journal's writer thread once their record is durable, so the event loop never
 *     waits; true: calls go to the admission pool, whose threads wait for the fsync (the slower
 *     design, kept to compare the two, see docs/BENCHMARKS.md)
 */
@ConfigurationProperties("ratelimiter.memory")
public record MemorySettings(
        int maxTombstones, @Nullable String journalPath, boolean journalFsync, boolean journalWaitOnPool) {
    public MemorySettings {
        requireRange("ratelimiter.memory.max-tombstones", maxTombstones, 0, 10_000_000);
    }

    /** The journal's directory for a registry at {@code registryPath}, or empty when the journal is off. */
    public Optional<Path> journalDirectory(String registryPath) {
        if (journalPath == null) {
            Path parent = Path.of(registryPath).toAbsolutePath().getParent();
            return Optional.of(parent.resolve("journal"));
        }
        String trimmed = journalPath.strip();
        return trimmed.isEmpty() ? Optional.empty() : Optional.of(Path.of(trimmed));
    }
}
