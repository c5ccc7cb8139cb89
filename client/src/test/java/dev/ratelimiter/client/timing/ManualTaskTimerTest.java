package dev.ratelimiter.client.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTaskTimerTest {
    private final ManualTaskTimer timer = new ManualTaskTimer(1_000);

    @Test
    void runsDueTasksInOrderWithClockAtTheirDueTime() {
        List<String> ran = new ArrayList<>();
        timer.schedule(30, () -> ran.add("b@" + timer.nowMillis()));
        timer.schedule(10, () -> ran.add("a@" + timer.nowMillis()));
        timer.schedule(30, () -> ran.add("c@" + timer.nowMillis()));
        timer.schedule(31, () -> ran.add("late"));

        timer.advanceMillis(30);

        assertEquals(List.of("a@1010", "b@1030", "c@1030"), ran);
        assertEquals(1_030, timer.nowMillis());
        assertEquals(1, timer.pendingTasks());
    }

    @Test
    void runsTasksScheduledByTasksWhenTheyFallDue() {
        List<Long> ran = new ArrayList<>();
        timer.schedule(5, () -> timer.schedule(5, () -> ran.add(timer.nowMillis())));
        timer.advanceMillis(9);
        assertEquals(List.of(), ran);
        timer.advanceMillis(1);
        assertEquals(List.of(1_010L), ran);
    }

    @Test
    void cancelledTaskNeverRuns() {
        List<String> ran = new ArrayList<>();
        Cancellable handle = timer.schedule(5, () -> ran.add("x"));
        handle.cancel();
        timer.advanceMillis(10);
        assertEquals(List.of(), ran);
    }

    @Test
    void stopsTaskThatReschedulesItselfWithoutDelay() {
        Runnable[] loop = new Runnable[1];
        loop[0] = () -> timer.schedule(0, loop[0]);
        timer.schedule(0, loop[0]);
        assertThrows(IllegalStateException.class, timer::runDue);
    }

    @Test
    void refusesToGoBack() {
        assertThrows(IllegalArgumentException.class, () -> timer.advanceMillis(-1));
    }
}
