package dev.ratelimiter.client.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polling with a deadline, for the few tests where real time is unavoidable (threads, HTTP). */
public final class Poll {
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Poll() {}

    /** Checks {@code condition} every 5 ms until it holds or {@code timeoutMs} pass; returns whether it held. */
    public static boolean until(BooleanSupplier condition, long timeoutMs) {
        long endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - endNanos >= 0) {
                return false;
            }
            LockSupport.parkNanos(INTERVAL_NANOS);
        }
        return true;
    }
}
