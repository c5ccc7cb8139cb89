package dev.ratelimiter.client.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.client.scheduler.JobFailedException.Reason;
import dev.ratelimiter.client.scheduler.NextStep.Action;
import dev.ratelimiter.client.scheduler.NextStep.Decision;
import dev.ratelimiter.client.scheduler.NextStep.Outcome;
import dev.ratelimiter.core.model.Requirement;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The scheduler's decision after a reserve that did not admit a job, row by row. */
class NextStepTest {
    private static final long NOW_MS = 10_000;
    private static final int MAX_UNKNOWN = 3;

    @ParameterizedTest(
            name = "{0} done={1} shutdown={2} attempts={3}/{4} unknown={5} delay={6} deadline={7} -> {8} {9}")
    @CsvSource({
        // outcome,  done,  shutdown, attempts, max, unknownStreak, delayMs, deadlineMs, action, reason or retry time
        "DENIED,     true,  true,     9,        3,   0,             100,     99999,      FORGET, ''",
        "DENIED,     false, true,     9,        3,   0,             100,     99999,      FAIL,   SHUTDOWN",
        "DENIED,     false, false,    3,        3,   0,             100,     99999,      FAIL,   ATTEMPTS_EXHAUSTED",
        "DENIED,     false, false,    1,        3,   5,             100,     99999,      RETRY,  10100",
        "DENIED,     false, false,    1,        3,   0,             100,     10100,      FAIL,   DEADLINE_EXCEEDED",
        "DENIED,     false, false,    1,        3,   0,             100,     10101,      RETRY,  10100",
        "UNKNOWN,    false, false,    1,        3,   1,             100,     99999,      RETRY,  10100",
        "UNKNOWN,    false, false,    1,        3,   2,             100,     99999,      FAIL,   LIMITER_FAILED",
        "UNKNOWN,    false, false,    3,        3,   2,             100,     99999,      FAIL,   ATTEMPTS_EXHAUSTED",
        "UNKNOWN,    false, false,    1,        3,   0,             500,     10400,      FAIL,   DEADLINE_EXCEEDED",
        "LEASE_GONE, false, false,    1,        3,   0,             0,       10000,      RETRY,  10000",
        "LEASE_GONE, false, false,    3,        3,   0,             0,       99999,      FAIL,   ATTEMPTS_EXHAUSTED",
        "LEASE_GONE, false, true,     1,        3,   0,             0,       99999,      FAIL,   SHUTDOWN",
    })
    void decides(
            Outcome outcome,
            boolean done,
            boolean shutdown,
            int attempts,
            int maxAttempts,
            int unknownStreak,
            long delayMs,
            long deadlineMs,
            Action action,
            String expected) {
        JobRun<String> run = new JobRun<>(
                Job.<String>builder("q", List.of(new Requirement("k", 1)), lease -> null)
                        .deadlineMillis(deadlineMs)
                        .build(),
                0,
                maxAttempts);
        run.attempts = attempts;
        run.unknownStreak = unknownStreak;
        if (done) {
            run.future.complete("cancelled by its caller");
        }

        Decision decision = NextStep.decide(run, outcome, delayMs, shutdown, MAX_UNKNOWN, NOW_MS);

        assertEquals(action, decision.action());
        switch (action) {
            case RETRY -> assertEquals(Long.parseLong(expected), decision.retryAtMillis());
            case FAIL -> assertEquals(Reason.valueOf(expected), decision.reason());
            default -> assertEquals(null, decision.reason());
        }
    }
}
