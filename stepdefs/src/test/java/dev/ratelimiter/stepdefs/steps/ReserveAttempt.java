package dev.ratelimiter.stepdefs.steps;

import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.stepdefs.api.Answer;
import java.util.List;

/**
 * One reservation a scenario sent, with the scenario's names, and the limiter's answer to it.
 *
 * @param lease the scenario's name of the lease
 * @param requirements the requirements, with the scenario's names of the limits
 * @param answer what the limiter answered
 */
record ReserveAttempt(String lease, List<Requirement> requirements, Answer answer) {
    ReserveAttempt {
        requirements = List.copyOf(requirements);
    }
}
