package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.server.openapi.OpenApiContract;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Holds the one target of the running suite, from its BeforeAll hook to its AfterAll hook.
 *
 * <p>This is the only static state of the harness, and it has to be: Cucumber creates the step
 * classes anew for every scenario, while a server must live for the whole suite. Suites run one
 * after another in one JVM (Cucumber's parallel execution is off), so at most one target runs at
 * a time. Thread-safe: every method is synchronized on the class.
 */
public final class Targets {
    private static Target running;
    private static String skipReason;
    /** Answers the OpenAPI contract had checked in this JVM when the running target started. */
    private static long checkedAtStart;

    private Targets() {}

    /**
     * Starts a target for the suite, waits until it is ready and warm, and prints one line saying
     * where the scenarios run.
     *
     * @throws IllegalStateException when a target is already running (a missing AfterAll hook)
     */
    public static synchronized void start(Supplier<Target> starter) {
        if (running != null) {
            throw new IllegalStateException("a target is already running: " + running.describe());
        }
        skipReason = null;
        Target target = starter.get();
        try {
            Warmup.run(target.http());
        } catch (RuntimeException | AssertionError e) {
            String output = target.recentOutput();
            target.close();
            throw new IllegalStateException(
                    "the target did not pass the warm-up: " + e.getMessage()
                            + (output.isEmpty() ? "" : "\nLast output of the server:\n" + output),
                    e);
        }
        running = target;
        checkedAtStart = OpenApiContract.shared().checked();
        System.out.println("[bdd] scenarios run against " + target.describe());
    }

    /** Marks the suite as skipped: every scenario is then reported skipped with this reason. */
    public static synchronized void skip(String reason) {
        if (running != null) {
            throw new IllegalStateException("a target is already running: " + running.describe());
        }
        skipReason = reason;
        System.out.println("[bdd] " + reason);
    }

    public static synchronized Optional<String> skipReason() {
        return Optional.ofNullable(skipReason);
    }

    /** The running target; fails clearly when no target hook started one. */
    public static synchronized Target current() {
        if (running == null) {
            throw new IllegalStateException("no target is running: the runner's glue must name one hooks package"
                    + " of dev.ratelimiter.stepdefs.hooks (embedded, process or url)");
        }
        return running;
    }

    /** The last output of the running server, or "" when none is running or its output is not ours. */
    public static synchronized String recentOutput() {
        return running == null ? "" : running.recentOutput();
    }

    /** Stops the running target, if any, and forgets a skip. */
    public static synchronized void stop() {
        Target target = running;
        running = null;
        skipReason = null;
        if (target != null) {
            target.close();
            System.out.println("[bdd] " + (OpenApiContract.shared().checked() - checkedAtStart) + " answers of "
                    + target.describe() + " matched openapi.yml");
        }
    }
}
