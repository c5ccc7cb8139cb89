package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.Routes;
import java.time.Duration;
import java.util.function.Supplier;

/** Waits, with a deadline, until a limiter answers its health check. Stateless. */
final class Readiness {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private Readiness() {
    }

    /**
     * Polls {@code /healthz} until it answers 200, at most {@code timeout}.
     *
     * @param stillStarting answers null while the server may still come up, or the reason it never
     *     will (for example: its process has exited), which ends the wait at once
     * @throws IllegalStateException when the deadline passes or the server cannot come up
     */
    static void awaitHealthy(LimiterHttp http, Duration timeout, Supplier<String> stillStarting) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (true) {
            String fatal = stillStarting.get();
            if (fatal != null) {
                throw new IllegalStateException("the server at " + http.baseUri() + " will not come up: " + fatal);
            }
            try {
                Answer answer = http.get(Routes.HEALTH);
                if (answer.status() == 200) {
                    return;
                }
                last = answer.describe();
            } catch (AssertionError notYetListening) {
                // A refused connection is what a starting server looks like; keep polling until the deadline.
                last = notYetListening.getMessage();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("the server at " + http.baseUri() + " was not healthy within "
                        + timeout.toSeconds() + " s; last: " + last);
            }
            pause();
        }
    }

    private static void pause() {
        try {
            // Polling interval of a bounded wait for a process we do not control; not a wait for a result.
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        }
    }
}
