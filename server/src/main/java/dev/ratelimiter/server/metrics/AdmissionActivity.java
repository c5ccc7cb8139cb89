package dev.ratelimiter.server.metrics;

import dev.ratelimiter.core.time.Clock;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent admissions, denials and failures per key label, for the dashboard: a ring of
 * {@link #BUCKETS} buckets of {@link #BUCKET_SECONDS} each (five minutes), counted per requirement
 * of each reserve exactly as {@code ratelimiter_admissions_total} counts them. Prometheus keeps the
 * history; this answers "what happened in the last minutes" without one.
 *
 * <p>Bounds: one ring per key label, and labels are the registry's keys plus
 * {@link AdmissionMetrics#UNKNOWN_KEY} (the caller maps unknown keys), so memory follows the
 * registry, never the traffic. A ring is {@code 4 * BUCKETS} longs.
 *
 * <p>Thread-safe: the map of rings is concurrent; each ring is guarded by its own monitor, held for
 * a few array writes per record and one copy per read. Time comes from the injected {@link Clock}.
 */
@Singleton
public final class AdmissionActivity {
    /** Width of one bucket. */
    public static final int BUCKET_SECONDS = 10;
    /** Buckets per series: five minutes in all, the current bucket included. */
    public static final int BUCKETS = 30;

    /** What one requirement of a reserve came to. */
    public enum Outcome {
        ALLOWED,
        DENIED,
        FAILED
    }

    /**
     * The counts of one key label, oldest bucket first; the last bucket is the current one.
     *
     * @param key a registry key or {@link AdmissionMetrics#UNKNOWN_KEY}
     */
    public record KeyActivity(String key, long[] allowed, long[] denied, long[] failed) {}

    /**
     * Every key's counts at one moment.
     *
     * @param nowUnixMs the clock when the snapshot was taken; the last bucket contains it
     * @param keys sorted by key
     */
    public record Snapshot(long nowUnixMs, List<KeyActivity> keys) {}

    private final Clock clock;
    private final Map<String, Series> rings = new ConcurrentHashMap<>();

    @Inject
    public AdmissionActivity() {
        this(Clock.system());
    }

    AdmissionActivity(Clock clock) {
        this.clock = clock;
    }

    /** Counts one requirement; {@code key} must already be a bounded label (see the class comment). */
    public void record(String key, Outcome outcome) {
        series(key).add(currentBucket(), outcome, 1);
    }

    /**
     * Makes sure {@code key} is listed (with zeros) before its first reserve, like its Prometheus
     * series, and answers its counts, so that the request path can hold on to them instead of
     * looking the key up per requirement.
     */
    public Series series(String key) {
        return rings.computeIfAbsent(key, k -> new Series());
    }

    /** The bucket of now, for {@link Series#add}: one clock read serves every requirement of a call. */
    public long currentBucket() {
        return bucketOf(clock.nowMillis());
    }

    public Snapshot snapshot() {
        long nowUnixMs = clock.nowMillis();
        long current = bucketOf(nowUnixMs);
        List<KeyActivity> keys = new ArrayList<>(rings.size());
        rings.forEach((key, ring) -> keys.add(ring.read(key, current)));
        keys.sort((a, b) -> a.key().compareTo(b.key()));
        return new Snapshot(nowUnixMs, List.copyOf(keys));
    }

    private static long bucketOf(long unixMs) {
        return Math.floorDiv(unixMs, BUCKET_SECONDS * 1000L);
    }

    /**
     * One key label's buckets; slot {@code b % BUCKETS} holds bucket {@code b} when {@code stamps}
     * says so. Thread-safe (its own monitor).
     */
    public static final class Series {
        private final long[] stamps = new long[BUCKETS];
        private final long[][] counts = new long[Outcome.values().length][BUCKETS];

        private Series() {
            Arrays.fill(stamps, Long.MIN_VALUE);
        }

        /** Counts {@code count} requirements in {@code bucket} (from {@link #currentBucket()}). */
        public synchronized void add(long bucket, Outcome outcome, long count) {
            int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
            if (stamps[slot] != bucket) {
                // The slot still holds a bucket BUCKETS or more intervals old: start it afresh.
                stamps[slot] = bucket;
                for (long[] series : counts) {
                    series[slot] = 0;
                }
            }
            counts[outcome.ordinal()][slot] += count;
        }

        synchronized KeyActivity read(String key, long currentBucket) {
            long[][] out = new long[Outcome.values().length][BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                long bucket = currentBucket - (BUCKETS - 1) + i;
                int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
                if (stamps[slot] == bucket) {
                    for (int o = 0; o < out.length; o++) {
                        out[o][i] = counts[o][slot];
                    }
                }
            }
            return new KeyActivity(
                    key, out[Outcome.ALLOWED.ordinal()], out[Outcome.DENIED.ordinal()], out[Outcome.FAILED.ordinal()]);
        }
    }
}
