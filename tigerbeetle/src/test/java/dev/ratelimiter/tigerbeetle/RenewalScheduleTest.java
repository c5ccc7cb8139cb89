package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When candidate sessions open during an outage, on a clock the test moves by hand. */
class RenewalScheduleTest {
    /** A starting point far from zero, as {@link System#nanoTime()} gives. */
    private static final long T0 = -7_000_000_000_000L;

    private final RenewalSchedule schedule = new RenewalSchedule(500, 8_000, 2_000);

    @Test
    void opensTheFirstCandidateAsSoonAsTheOutageStarts() {
        // The first request timed out 3 s after the last answer.
        assertTrue(schedule.renewNow(T0, ms(3_000)));
        assertTrue(schedule.renewedInOutage());
    }

    @Test
    void opensOneEveryFastPeriodEarlyInTheOutageThenOneEverySlowPeriod() {
        List<Long> renewedAtMs = new ArrayList<>();
        long silenceAtStartMs = 3_000;
        for (long atMs = 0; atMs <= 14_000; atMs += 50) {
            if (schedule.renewNow(T0 + ms(atMs), ms(silenceAtStartMs + atMs))) {
                renewedAtMs.add(atMs);
            }
        }
        assertTrue(
                renewedAtMs.equals(List.of(
                        0L, 500L, 1_000L, 1_500L, 2_000L, 2_500L, 3_000L, 3_500L, 4_000L, 4_500L, 5_000L, 5_500L,
                        6_000L, 6_500L, 7_000L, 7_500L, 9_500L, 11_500L, 13_500L)),
                "renewals at " + renewedAtMs);
    }

    @Test
    void opensNoneWhileTheClusterAnsweredWithinTheSlowPeriod() {
        // A request timed out, but another was answered 100 ms ago: a slow session, not a lost one.
        assertFalse(schedule.renewNow(T0, ms(100)));
        assertFalse(schedule.renewNow(T0 + ms(1_850), ms(1_950)));
        assertTrue(schedule.renewNow(T0 + ms(1_900), ms(2_000)));
        // Answers keep coming within 2 s: still none, also at the fast period.
        schedule.answered();
        for (long atMs = 3_000; atMs <= 6_000; atMs += 50) {
            assertFalse(schedule.renewNow(T0 + ms(atMs), ms(atMs % 1_500)), "at " + atMs + " ms");
        }
    }

    @Test
    void anAnswerEndsTheOutageAndTheNextOneStartsAfresh() {
        assertTrue(schedule.renewNow(T0, ms(3_000)));
        for (long atMs = 50; atMs <= 9_000; atMs += 50) {
            schedule.renewNow(T0 + ms(atMs), ms(3_000 + atMs));
        }
        schedule.answered();
        assertFalse(schedule.renewedInOutage());

        // Twenty seconds later the next outage: at once, then at the fast period again.
        long next = T0 + ms(29_000);
        assertTrue(schedule.renewNow(next, ms(3_000)));
        assertFalse(schedule.renewNow(next + ms(450), ms(3_450)));
        assertTrue(schedule.renewNow(next + ms(500), ms(3_500)));
    }

    @Test
    void refusesPeriodsThatMakeNoSchedule() {
        assertThrows(IllegalArgumentException.class, () -> new RenewalSchedule(0, 8_000, 2_000));
        assertThrows(IllegalArgumentException.class, () -> new RenewalSchedule(500, -1, 2_000));
        IllegalArgumentException slower =
                assertThrows(IllegalArgumentException.class, () -> new RenewalSchedule(2_000, 8_000, 500));
        assertTrue(slower.getMessage().contains("slow one at least the fast one"), slower.getMessage());
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
