package dev.ratelimiter.testkit.process;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A bounded wait for something outside the test's control (a process starting, a port opening, a
 * log line appearing): look, and look again every interval until the answer is done, the answer
 * says it never will be, or the deadline passes. Used where real time cannot be replaced by a
 * manual clock (STYLE, habit 4). Stateless and thread-safe.
 */
public final class Poll {
    /** The interval the launchers poll at: short next to a start of a second or more. */
    public static final long INTERVAL_MILLIS = 50;

    private Poll() {}

    /** What one look found. */
    public record Status(Kind kind, String detail) {
        public Status {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }

        /** The awaited state is reached. */
        public static Status done() {
            return new Status(Kind.DONE, "");
        }

        /** Not yet; {@code why} is quoted if the deadline passes. */
        public static Status notYet(String why) {
            return new Status(Kind.NOT_YET, why);
        }

        /** It never will be (the process exited, for example): ends the wait at once. */
        public static Status failed(String why) {
            return new Status(Kind.FAILED, why);
        }
    }

    /** Whether to stop, keep polling, or give up. */
    public enum Kind {
        DONE,
        NOT_YET,
        FAILED
    }

    /** One look; it must return quickly (bound its own I/O with a timeout). */
    @FunctionalInterface
    public interface Probe {
        Status look();
    }

    /**
     * Looks every {@code intervalMillis} until {@code probe} answers done; returns how long that
     * took in milliseconds.
     *
     * @param what what is awaited, for the message ("the server at ... is healthy")
     * @param context evaluated only on failure, appended to the message (the end of a process's output)
     * @throws IllegalStateException when the probe fails, the deadline passes, or the thread is
     *     interrupted (with its flag restored)
     */
    public static long until(
            String what, long timeoutMillis, long intervalMillis, Probe probe, Supplier<String> context) {
        if (timeoutMillis <= 0 || intervalMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis and intervalMillis must be positive, got " + timeoutMillis
                    + " and " + intervalMillis);
        }
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Status status = probe.look();
            switch (status.kind()) {
                case DONE:
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                case FAILED:
                    throw new IllegalStateException(
                            "gave up waiting until " + what + ": " + status.detail() + suffix(context));
                case NOT_YET:
                default:
                    break;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                throw new IllegalStateException("not " + what + " within " + timeoutMillis + " ms (last: "
                        + status.detail() + ")" + suffix(context));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMillis));
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting until " + what);
            }
        }
    }

    /** As {@link #until(String, long, long, Probe, Supplier)} at {@link #INTERVAL_MILLIS}. */
    public static long until(String what, long timeoutMillis, Probe probe, Supplier<String> context) {
        return until(what, timeoutMillis, INTERVAL_MILLIS, probe, context);
    }

    private static String suffix(Supplier<String> context) {
        String text = context.get();
        return text == null || text.isEmpty() ? "" : "\n" + text;
    }
}
