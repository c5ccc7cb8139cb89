package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bounded wait: done, given up, out of time, each with a message that says why. */
class PollTest {

    @Test
    void returnsOnceTheProbeIsDone() {
        AtomicInteger looks = new AtomicInteger();
        Poll.until(
                "the third look",
                60_000,
                1,
                () -> looks.incrementAndGet() == 3 ? Poll.Status.done() : Poll.Status.notYet("look " + looks.get()),
                () -> "unused");

        assertEquals(3, looks.get());
    }

    @Test
    void givesUpAtOnceWhenTheProbeFailsQuotingTheContext() {
        AtomicInteger looks = new AtomicInteger();
        IllegalStateException failure = assertThrows(
                IllegalStateException.class,
                () -> Poll.until(
                        "never",
                        60_000,
                        () -> {
                            looks.incrementAndGet();
                            return Poll.Status.failed("the process exited with 1");
                        },
                        () -> "its output"));

        assertEquals(1, looks.get());
        assertTrue(failure.getMessage().contains("the process exited with 1"), failure.getMessage());
        assertTrue(failure.getMessage().endsWith("\nits output"), failure.getMessage());
    }

    @Test
    void failsAfterTheDeadlineWithTheLastAnswer() {
        IllegalStateException failure = assertThrows(
                IllegalStateException.class,
                () -> Poll.until("the port is open", 50, 5, () -> Poll.Status.notYet("connection refused"), () -> ""));

        assertTrue(
                failure.getMessage().contains("not the port is open within 50 ms (last: connection refused)"),
                failure.getMessage());
    }

    @Test
    void refusesABoundThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> Poll.until("x", 0, () -> Poll.Status.done(), () -> ""));
        assertThrows(IllegalArgumentException.class, () -> Poll.until("x", 10, 0, () -> Poll.Status.done(), () -> ""));
    }
}
