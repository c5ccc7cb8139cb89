package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.Routes;
import dev.ratelimiter.testkit.process.Poll;
import java.time.Duration;

/**
 * Waits, with a deadline, until a limiter the harness did not start (a URL) answers its health
 * check, through the scenarios' own client (so credentials and TLS are those of the run). Servers
 * the harness starts are awaited by the testkit's launcher instead. Stateless.
 */
final class Readiness {
    private static final long POLL_INTERVAL_MILLIS = 100;

    private Readiness() {}

    /**
     * Polls {@code /healthz} until it answers 200, at most {@code timeout}.
     *
     * @throws IllegalStateException when the deadline passes
     */
    static void awaitHealthy(LimiterHttp http, Duration timeout) {
        Poll.until(
                "the server at " + http.baseUri() + " is healthy",
                timeout.toMillis(),
                POLL_INTERVAL_MILLIS,
                () -> {
                    try {
                        Answer answer = http.get(Routes.HEALTH);
                        return answer.status() == 200 ? Poll.Status.done() : Poll.Status.notYet(answer.describe());
                    } catch (AssertionError notYetListening) {
                        // A refused connection is what a starting server looks like; keep polling until the deadline.
                        return Poll.Status.notYet(String.valueOf(notYetListening.getMessage()));
                    }
                },
                () -> "");
    }
}
