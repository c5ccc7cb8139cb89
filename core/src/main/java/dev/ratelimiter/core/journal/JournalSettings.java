package dev.ratelimiter.core.journal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the memory backend's journal is kept. Immutable and thread-safe.
 *
 * @param directory where segments and snapshots live; created if missing; one process at a time
 * @param fsync whether every batch is fsynced before its callers are answered. {@code false} is
 *     UNSAFE: an acknowledged hold may be lost in a machine crash (a process kill still loses
 *     nothing, the page cache survives it). Only for tests and benchmarks.
 * @param segmentBytesMax a segment is closed, and compacted into the snapshot, once it reaches this size
 * @param compactIntervalMillis a segment with records is also closed once it is this old, so that an
 *     expired hold leaves the disk within about this long even on a quiet server
 * @param queueRecordsMax most records written but not yet durable; beyond it calls answer
 *     {@code backend_error} at once (the bound is checked before a call changes anything, so it may be
 *     exceeded by one call per calling thread)
 * @param durableTimeoutMillis how long a caller waits for its record to be durable before it answers
 *     {@code backend_error}; also how long one write may take before the journal counts as unhealthy
 */
public record JournalSettings(
        Path directory,
        boolean fsync,
        long segmentBytesMax,
        long compactIntervalMillis,
        int queueRecordsMax,
        long durableTimeoutMillis) {
    public static final long DEFAULT_SEGMENT_BYTES_MAX = 64L * 1024 * 1024;
    public static final long DEFAULT_COMPACT_INTERVAL_MILLIS = 5 * 60_000L;
    public static final int DEFAULT_QUEUE_RECORDS_MAX = 65_536;
    public static final long DEFAULT_DURABLE_TIMEOUT_MILLIS = 5_000;

    public JournalSettings {
        Objects.requireNonNull(directory, "directory");
        requireAtLeast("segmentBytesMax", segmentBytesMax, 4096);
        requireAtLeast("compactIntervalMillis", compactIntervalMillis, 1);
        requireAtLeast("queueRecordsMax", queueRecordsMax, 1);
        requireAtLeast("durableTimeoutMillis", durableTimeoutMillis, 1);
    }

    /** The defaults: fsync on, 64 MiB segments, compaction at least every 5 minutes of writes. */
    public static JournalSettings of(Path directory) {
        return new JournalSettings(
                directory,
                true,
                DEFAULT_SEGMENT_BYTES_MAX,
                DEFAULT_COMPACT_INTERVAL_MILLIS,
                DEFAULT_QUEUE_RECORDS_MAX,
                DEFAULT_DURABLE_TIMEOUT_MILLIS);
    }

    public JournalSettings withFsync(boolean enabled) {
        return new JournalSettings(
                directory, enabled, segmentBytesMax, compactIntervalMillis, queueRecordsMax, durableTimeoutMillis);
    }

    public JournalSettings withSegmentBytesMax(long bytes) {
        return new JournalSettings(
                directory, fsync, bytes, compactIntervalMillis, queueRecordsMax, durableTimeoutMillis);
    }

    public JournalSettings withCompactIntervalMillis(long millis) {
        return new JournalSettings(directory, fsync, segmentBytesMax, millis, queueRecordsMax, durableTimeoutMillis);
    }

    public JournalSettings withDurableTimeoutMillis(long millis) {
        return new JournalSettings(directory, fsync, segmentBytesMax, compactIntervalMillis, queueRecordsMax, millis);
    }

    public JournalSettings withQueueRecordsMax(int records) {
        return new JournalSettings(
                directory, fsync, segmentBytesMax, compactIntervalMillis, records, durableTimeoutMillis);
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
