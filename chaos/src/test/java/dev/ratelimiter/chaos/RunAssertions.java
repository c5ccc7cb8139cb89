package dev.ratelimiter.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.chaos.workload.RunStats;
import dev.ratelimiter.chaos.workload.WorkloadRun;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.testkit.invariants.AdmissionLog.KeyResult;
import dev.ratelimiter.testkit.invariants.AdmissionLog.Verification;
import dev.ratelimiter.testkit.invariants.UsageSampler;
import java.util.List;
import java.util.Map;

/** The checks every suite makes of a finished {@link WorkloadRun}; each failure names the seed. */
public final class RunAssertions {
    private RunAssertions() {}

    /**
     * No over-admission offline or live, no answer a correct limiter never gives; returns the
     * offline verification for the report.
     */
    public static Verification assertSafe(WorkloadRun run) {
        Verification verification = run.log().verify();
        String where = " (run " + run.name() + ", seed " + run.seed() + ")\n" + verification.describe();
        assertEquals(0, verification.droppedAdmissions(), "the admission log overflowed" + where);
        assertEquals(List.of(), verification.violations(), "over-admission found offline" + where);
        assertEquals(
                0,
                run.checker().violationCount(),
                "concurrency above capacity while in flight: " + run.checker().violations() + where);
        assertEquals(Map.of(), run.stats().unexpected(), "answers a correct limiter never gives" + where);
        return verification;
    }

    /**
     * Progress under contention: every key admitted something, every key was denied at least once
     * (so its limit really bound), and every rolling key was at least a third full at some instant
     * (a lower bound: reconciled actuals count less than what the limiter held).
     */
    public static void assertContendedProgress(WorkloadRun run, Verification verification) {
        RunStats stats = run.stats();
        String where = " (run " + run.name() + ", seed " + run.seed() + "): " + stats.describe();
        for (LimitDefinition definition : run.workload().definitions()) {
            String key = definition.key();
            assertTrue(stats.allowedByKey().getOrDefault(key, 0L) > 0, key + " admitted nothing" + where);
            assertTrue(stats.deniedByKey().getOrDefault(key, 0L) > 0, key + " was never denied" + where);
            if (definition.kind() == LimitKind.ROLLING) {
                long peak = 0;
                for (KeyResult result : verification.resultsOf(key)) {
                    peak = Math.max(peak, result.peakHeldAmount());
                }
                assertTrue(
                        3 * peak >= definition.capacity(),
                        key + " was never a third full: peak " + peak + " of " + definition.capacity() + where);
            }
        }
    }

    /** Every reading of the limiter's own usage was consistent, and there were some. */
    public static void assertUsageReadingsConsistent(UsageSampler.Report report, long minimumSamples) {
        assertEquals(List.of(), report.violations(), "inconsistent usage read from the limiter: " + report);
        assertTrue(report.samples() >= minimumSamples, "only " + report.samples() + " usage readings: " + report);
    }

    /** The lines of a report that every suite shares. */
    public static String describe(WorkloadRun run, Verification verification, UsageSampler.Report usage) {
        return "operations: " + run.stats().describe()
                + "\nadmissions verified: " + verification.admissions() + " (" + verification.holds() + " holds, "
                + verification.epochs() + " epoch(s)), violations " + verification.violationCount()
                + "\nconcurrency checker: " + run.checker().acquisitions() + " admissions, violations "
                + run.checker().violationCount()
                + "\nusage readings: " + usage.samples() + " (failed " + usage.failedSamples() + "), violations "
                + usage.violationCount() + ", peaks " + usage.peakReserved();
    }
}
