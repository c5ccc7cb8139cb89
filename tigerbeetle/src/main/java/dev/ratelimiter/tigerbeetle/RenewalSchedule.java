package dev.ratelimiter.tigerbeetle;

import java.util.concurrent.TimeUnit;

/**
 * When the {@link Submitter} opens a candidate session while the cluster does not answer.
 *
 * <p>The first candidate opens as soon as the outage starts (the first request timed out), then one
 * every {@code fastPeriod} for the first {@code fastWindow} of the outage, then one every {@code
 * slowPeriod}. The fast phase is for the loss of a primary: the cluster elects another in about
 * 5 s, and the session that stopped answering resends only with a backoff that grows to 10 s,
 * while a fresh session registers within one round trip of the new view; a candidate opened
 * shortly after the view change is what ends the outage, so they come often then. A long outage
 * (a lost quorum) falls back to the slow period, where each candidate has several seconds to
 * register on a cluster that is just starting. No candidate opens while the cluster answered
 * within the slow period: a late answer means a slow session, not a lost one, and every candidate
 * registers through the cluster's pipeline, so opening them against a slow cluster (one replica
 * down on a busy machine answered after 1 to 6 s) would slow it further.
 *
 * <p>Not thread-safe: the submitter's timer thread owns it. Times are passed in (from {@link
 * System#nanoTime()}), so tests drive it with their own clock.
 */
final class RenewalSchedule {
    private final long fastPeriodNanos;
    private final long fastWindowNanos;
    private final long slowPeriodNanos;
    private boolean inOutage;
    private boolean renewedInOutage;
    private long outageStartNanos;
    private long lastRenewalNanos;

    RenewalSchedule(long fastPeriodMs, long fastWindowMs, long slowPeriodMs) {
        if (fastPeriodMs <= 0 || fastWindowMs < 0 || slowPeriodMs < fastPeriodMs) {
            throw new IllegalArgumentException("renewal periods must be positive and the slow one at least the fast"
                    + " one: fast " + fastPeriodMs + " ms for " + fastWindowMs + " ms, then " + slowPeriodMs + " ms");
        }
        this.fastPeriodNanos = TimeUnit.MILLISECONDS.toNanos(fastPeriodMs);
        this.fastWindowNanos = TimeUnit.MILLISECONDS.toNanos(fastWindowMs);
        this.slowPeriodNanos = TimeUnit.MILLISECONDS.toNanos(slowPeriodMs);
    }

    /**
     * Whether to open a candidate now, {@code silentNanos} after the cluster last answered (or
     * since the submitter started, if it never did); records the renewal when it says yes. The
     * first call after {@link #answered()} (or ever) starts an outage.
     */
    boolean renewNow(long nowNanos, long silentNanos) {
        if (!inOutage) {
            inOutage = true;
            renewedInOutage = false;
            outageStartNanos = nowNanos;
        }
        if (silentNanos < slowPeriodNanos) {
            return false;
        }
        long period = nowNanos - outageStartNanos < fastWindowNanos ? fastPeriodNanos : slowPeriodNanos;
        if (renewedInOutage && nowNanos - lastRenewalNanos < period) {
            return false;
        }
        renewedInOutage = true;
        lastRenewalNanos = nowNanos;
        return true;
    }

    /** The cluster answered: the outage, if any, is over. */
    void answered() {
        inOutage = false;
    }

    /** Whether a candidate was opened since the outage began (for one log line per outage). */
    boolean renewedInOutage() {
        return inOutage && renewedInOutage;
    }
}
