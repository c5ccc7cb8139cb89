package dev.ratelimiter.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The duplicate-key check, on both sides of its pairwise limit. */
class RepeatedKeysTest {

    private static List<Requirement> keys(int count, int repeatAt, int repeatOf) {
        List<Requirement> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(new Requirement(i == repeatAt ? "k" + repeatOf : "k" + i, 1));
        }
        return items;
    }

    @Test
    void findsNoRepeatInDistinctKeys() {
        assertEquals(-1, RepeatedKeys.firstRepeat(keys(4, -1, 0), Requirement::key));
        assertEquals(-1, RepeatedKeys.firstRepeat(keys(100, -1, 0), Requirement::key));
        assertEquals(-1, RepeatedKeys.firstRepeat(List.<Requirement>of(), Requirement::key));
    }

    @Test
    void findsTheFirstRepeatInAShortList() {
        assertEquals(3, RepeatedKeys.firstRepeat(keys(RepeatedKeys.PAIRWISE_UP_TO, 3, 0), Requirement::key));
    }

    @Test
    void findsTheFirstRepeatInALongList() {
        assertEquals(90, RepeatedKeys.firstRepeat(keys(100, 90, 17), Requirement::key));
    }
}
