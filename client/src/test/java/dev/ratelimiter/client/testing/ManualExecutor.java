package dev.ratelimiter.client.testing;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * An executor that only queues tasks; the test runs them when it chooses, on its own thread.
 * Thread-safe: the queue is guarded by {@code this}; tasks run outside the lock.
 */
public final class ManualExecutor implements Executor {
    private static final int MAX_TASKS_PER_RUN = 100_000;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.addLast(task);
    }

    public synchronized int pending() {
        return tasks.size();
    }

    /** Runs the oldest task; false when there is none. */
    public boolean runOne() {
        Runnable task;
        synchronized (this) {
            task = tasks.pollFirst();
        }
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    /** Runs tasks (including those they queue) until none is left; returns how many ran. */
    public int runAll() {
        int ran = 0;
        while (runOne()) {
            if (++ran > MAX_TASKS_PER_RUN) {
                throw new IllegalStateException(
                        "more than " + MAX_TASKS_PER_RUN + " tasks: a task keeps queueing more");
            }
        }
        return ran;
    }
}
