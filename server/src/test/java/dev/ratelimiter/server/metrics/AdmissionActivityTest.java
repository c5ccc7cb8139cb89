package dev.ratelimiter.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.server.metrics.AdmissionActivity.KeyActivity;
import dev.ratelimiter.server.metrics.AdmissionActivity.Outcome;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The dashboard's rolling counts: buckets by time, oldest first, forgotten after five minutes. */
class AdmissionActivityTest {
    private static final long BUCKET_MS = AdmissionActivity.BUCKET_SECONDS * 1000L;
    private final AtomicLong nowMs = new AtomicLong(1_800_000_000_000L);
    private final Clock clock = nowMs::get;
    private final AdmissionActivity activity = new AdmissionActivity(clock);

    @Test
    void countsEachOutcomeInTheCurrentBucket() {
        activity.record("a", Outcome.ALLOWED);
        activity.record("a", Outcome.ALLOWED);
        activity.record("a", Outcome.DENIED);
        activity.record("a", Outcome.FAILED);

        KeyActivity a = only(activity.snapshot().keys());
        assertEquals(1 + 1, last(a.allowed()));
        assertEquals(1, last(a.denied()));
        assertEquals(1, last(a.failed()));
        assertEquals(2, sum(a.allowed()), "nothing in earlier buckets");
    }

    @Test
    void movesCountsTowardsTheStartAsTimePasses() {
        activity.record("a", Outcome.DENIED);
        nowMs.addAndGet(3 * BUCKET_MS);
        activity.record("a", Outcome.ALLOWED);

        KeyActivity a = only(activity.snapshot().keys());
        int lastIndex = AdmissionActivity.BUCKETS - 1;
        assertEquals(1, a.denied()[lastIndex - 3]);
        assertEquals(1, a.allowed()[lastIndex]);
        assertEquals(0, a.denied()[lastIndex]);
    }

    @Test
    void forgetsCountsOlderThanTheWindowAlsoWhenTheSlotIsReused() {
        activity.record("a", Outcome.DENIED);
        nowMs.addAndGet(AdmissionActivity.BUCKETS * BUCKET_MS);

        assertArrayEquals(
                new long[AdmissionActivity.BUCKETS],
                only(activity.snapshot().keys()).denied());

        activity.record("a", Outcome.ALLOWED); // the same slot as the forgotten denial
        KeyActivity a = only(activity.snapshot().keys());
        assertEquals(0, sum(a.denied()));
        assertEquals(1, sum(a.allowed()));
    }

    @Test
    void listsRegisteredKeysWithZerosSortedByKey() {
        activity.series("b");
        activity.record("a", Outcome.ALLOWED);

        List<KeyActivity> keys = activity.snapshot().keys();
        assertEquals(List.of("a", "b"), keys.stream().map(KeyActivity::key).toList());
        assertEquals(0, sum(keys.get(1).allowed()));
        assertEquals(nowMs.get(), activity.snapshot().nowUnixMs());
    }

    private static KeyActivity only(List<KeyActivity> keys) {
        assertEquals(1, keys.size(), keys.toString());
        return keys.get(0);
    }

    private static long last(long[] counts) {
        return counts[counts.length - 1];
    }

    private static long sum(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }
}
