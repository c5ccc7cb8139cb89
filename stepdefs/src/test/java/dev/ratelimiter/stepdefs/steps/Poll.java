package dev.ratelimiter.stepdefs.steps;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Observes the limiter again and again until an expectation holds or a deadline passes: the only
 * way the harness waits for something the server does by itself (expiry, the decrease loop).
 * Stateless.
 */
final class Poll {
    /** Short next to the 1 to 3 s windows of the scenarios, long enough not to flood the server. */
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Poll() {}

    /**
     * A value that met the expectation, with the monotonic time just after it was observed.
     *
     * @param value what was observed
     * @param observedNanos {@link System#nanoTime()} right after the observation returned
     */
    record Observed<T>(T value, long observedNanos) {}

    /**
     * Observes until {@code done} holds, at most {@code timeout}.
     *
     * @param what what is awaited, for the failure message
     * @param describe how to show an observation in the failure message
     * @throws AssertionError when the deadline passes first, with the last observation
     */
    static <T> Observed<T> until(
            Duration timeout, String what, Supplier<T> observe, Predicate<T> done, Function<T, String> describe) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        int observations = 0;
        while (true) {
            T value = observe.get();
            long now = System.nanoTime();
            observations++;
            if (done.test(value)) {
                return new Observed<>(value, now);
            }
            if (now - deadline >= 0) {
                throw new AssertionError("expected " + what + " within " + timeout.toMillis() + " ms, but after "
                        + observations + " observations the last one was " + describe.apply(value));
            }
            try {
                // The interval between two observations of a bounded poll, not a wait for a result.
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
