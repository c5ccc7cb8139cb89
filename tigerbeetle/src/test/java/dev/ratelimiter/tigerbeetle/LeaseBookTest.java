package dev.ratelimiter.tigerbeetle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ratelimiter.core.model.LimitKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lease records are bounded and expire (hazard of SPEC 11); time is passed in, never read. */
class LeaseBookTest {

    @Test
    void forgetsALiveLeaseWhenItsLastHoldExpires() {
        LeaseBook book = new LeaseBook(10, 60_000);
        book.rememberLive(live("a", 1_000, 5_000, 9_000), 1_000);

        assertNotNull(book.find("a", 8_999));
        assertNull(book.find("a", 9_000));
    }

    @Test
    void forgetsADeniedLeaseAfterItsMemoryTime() {
        LeaseBook book = new LeaseBook(10, 60_000);
        book.rememberDenied(LeaseRecord.denied("d", Map.of("k", 1L), 120), 1_000);

        assertEquals(120, book.find("d", 60_999).retryAfterMs());
        assertNull(book.find("d", 61_000));
    }

    @Test
    void dropsTheRecordsDueSoonestBeyondItsBound() {
        LeaseBook book = new LeaseBook(2, 60_000);
        book.rememberLive(live("late", 0, 9_000), 0);
        book.rememberLive(live("soon", 0, 1_000), 0);
        book.rememberLive(live("middle", 0, 5_000), 0);

        assertEquals(2, book.size());
        assertNull(book.find("soon", 0));
        assertNotNull(book.find("late", 0));
        assertNotNull(book.find("middle", 0));
    }

    @Test
    void dropsExpiredRecordsAsTimeGoesOn() {
        LeaseBook book = new LeaseBook(1_000, 60_000);
        for (int i = 0; i < 20; i++) {
            book.rememberLive(live("l" + i, 0, 1_000), 0);
        }
        book.find("other", 2_000);
        assertEquals(0, book.size());
    }

    @Test
    void completesALiveLeaseOnce() {
        LeaseBook book = new LeaseBook(10, 60_000);
        book.rememberLive(live("a", 0, 5_000), 0);

        assertNotNull(book.beginComplete("a", 10));
        assertNull(book.beginComplete("a", 10), "a complete in progress is not begun twice");
        book.endComplete("a", true, 10);
        assertEquals(LeaseRecord.Status.COMPLETED, book.find("a", 10).status());
        assertNull(book.beginComplete("a", 10));
    }

    @Test
    void forgetsACompletedLeaseSoonUnlessARollingHoldStillLives() {
        LeaseBook book = new LeaseBook(10, 60_000);
        LeaseRecord concurrencyOnly = LeaseRecord.live(
                "c",
                Map.of("slots", 1L),
                List.of(new LeaseRecord.Hold("slots", 1, LimitKind.CONCURRENCY, 10_000_000)),
                0);
        LeaseRecord withRolling = LeaseRecord.live(
                "r",
                Map.of("tpm", 1L, "slots", 1L),
                List.of(
                        new LeaseRecord.Hold("tpm", 1, LimitKind.ROLLING, 90_000),
                        new LeaseRecord.Hold("slots", 1, LimitKind.CONCURRENCY, 10_000_000)),
                0);
        book.rememberLive(concurrencyOnly, 0);
        book.rememberLive(withRolling, 0);
        book.beginComplete("c", 0);
        book.endComplete("c", true, 0);
        book.beginComplete("r", 0);
        book.endComplete("r", true, 0);

        assertNotNull(book.find("c", 59_999));
        assertNull(book.find("c", 60_000));
        assertNotNull(book.find("r", 89_999), "only this record knows the rolling hold's lease was completed");
        assertNull(book.find("r", 90_000));
    }

    @Test
    void letsAFailedCompleteBeRetried() {
        LeaseBook book = new LeaseBook(10, 60_000);
        book.rememberLive(live("a", 0, 5_000), 0);
        book.beginComplete("a", 10);
        book.endComplete("a", false, 10);

        assertEquals(LeaseRecord.Status.LIVE, book.find("a", 10).status());
        assertNotNull(book.beginComplete("a", 10));
    }

    @Test
    void completesNothingForUnknownOrDeniedLeases() {
        LeaseBook book = new LeaseBook(10, 60_000);
        book.rememberDenied(LeaseRecord.denied("d", Map.of("k", 1L), 50), 0);
        assertNull(book.beginComplete("d", 1));
        assertNull(book.beginComplete("unknown", 1));
    }

    @Test
    void knowsTheFirstAndLastExpiryOfALease() {
        LeaseRecord record = live("a", 1_000, 4_000, 9_000);
        assertEquals(4_000, record.firstExpiryUnixMs());
        assertEquals(9_000, record.lastExpiryUnixMs());
    }

    private static LeaseRecord live(String leaseId, long reservedAtMs, long... expiries) {
        List<LeaseRecord.Hold> holds = new ArrayList<>();
        for (int i = 0; i < expiries.length; i++) {
            holds.add(new LeaseRecord.Hold("k" + i, 1, LimitKind.ROLLING, expiries[i]));
        }
        return LeaseRecord.live(leaseId, Map.of("k", 1L), holds, reservedAtMs);
    }
}
