package dev.ratelimiter.client.timing;

import dev.ratelimiter.core.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TaskTimer} on the system clock, backed by one daemon thread.
 *
 * <p>Thread-safe: scheduling is delegated to a {@link ScheduledThreadPoolExecutor}, which removes
 * cancelled tasks at once so that the queue holds only live tasks (its size is bounded by the live
 * work of its owners: one flush per batcher lane, one wake-up per scheduler, one timer per call in
 * retry). {@link #close()} drops every pending task.
 */
public final class SystemTaskTimer implements TaskTimer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemTaskTimer.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;
    private final Clock clock = Clock.system();

    public SystemTaskTimer() {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "ratelimiter-client-timer-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        ScheduledFuture<?> future =
                executor.schedule(() -> runLogged(task), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    /** Drops every pending task and stops the thread; tasks already running finish. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    static void runLogged(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            // A failing task must not take the timer thread with it: every other owner's delays
            // would silently stop firing.
            LOG.error("a timer task failed", e);
        }
    }
}
