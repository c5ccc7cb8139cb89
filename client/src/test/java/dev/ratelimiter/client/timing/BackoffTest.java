package dev.ratelimiter.client.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void growsByFactorUpToCap() {
        Backoff backoff = new Backoff(50, 2.0, 1_000, 25);
        assertEquals(50, backoff.delayMs(0, bound -> 0));
        assertEquals(100, backoff.delayMs(1, bound -> 0));
        assertEquals(800, backoff.delayMs(4, bound -> 0));
        assertEquals(1_000, backoff.delayMs(5, bound -> 0));
        assertEquals(1_000, backoff.delayMs(Integer.MAX_VALUE, bound -> 0), "a huge retry count never overflows");
    }

    @Test
    void addsJitterWithinItsBound() {
        Backoff backoff = new Backoff(50, 2.0, 1_000, 25);
        assertEquals(75, backoff.delayMs(0, bound -> bound));
        assertEquals(75, backoff.delayMs(0, bound -> 1_000), "a jitter source out of range is clamped");
    }

    @Test
    void rejectsCapBelowBase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 2.0, 50, 0));
        assertEquals("capMs must be from 100 to 3600000, got 50", e.getMessage());
    }
}
