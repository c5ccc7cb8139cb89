package dev.ratelimiter.client.timing;

import dev.ratelimiter.core.time.Clock;
import dev.ratelimiter.core.time.ManualClock;
import java.util.PriorityQueue;

/**
 * A {@link TaskTimer} whose time moves only when {@link #advanceMillis} is called: tests drive flush
 * intervals, deadlines and retry delays with it instead of sleeping.
 *
 * <p>Due tasks run on the thread that advances time, in order of their due time (ties in order of
 * scheduling), with the clock set to each task's due time while it runs. Thread-safe: the queue is
 * guarded by {@code this}; tasks run outside the lock, so a task may schedule further tasks.
 */
public final class ManualTaskTimer implements TaskTimer {
    /** Most tasks one advance may run; more means a task keeps rescheduling itself without delay. */
    public static final int MAX_TASKS_PER_ADVANCE = 1_000_000;

    private final ManualClock clock;
    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;

    public ManualTaskTimer(long startMillis) {
        this.clock = new ManualClock(startMillis);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    public long nowMillis() {
        return clock.nowMillis();
    }

    @Override
    public synchronized Cancellable schedule(long delayMs, Runnable task) {
        long now = clock.nowMillis();
        long due = delayMs <= 0 ? now : (delayMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + delayMs);
        Entry entry = new Entry(due, sequence++, task);
        queue.add(entry);
        return () -> cancel(entry);
    }

    /** How many tasks wait to run. */
    public synchronized int pendingTasks() {
        return queue.size();
    }

    /** Runs every task that is due now, without moving time. */
    public void runDue() {
        advanceMillis(0);
    }

    /**
     * Moves time forward by {@code millis}, running every task that falls due on the way.
     *
     * @throws IllegalStateException when more than {@link #MAX_TASKS_PER_ADVANCE} tasks ran
     */
    public void advanceMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("time never goes back: " + millis);
        }
        long target = Math.addExact(clock.nowMillis(), millis);
        for (int ran = 0; ; ran++) {
            if (ran >= MAX_TASKS_PER_ADVANCE) {
                throw new IllegalStateException("more than " + MAX_TASKS_PER_ADVANCE
                        + " tasks ran in one advance: a task keeps rescheduling itself without delay");
            }
            Entry next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueMillis > target) {
                    break;
                }
                queue.poll();
                moveTo(next.dueMillis);
            }
            SystemTaskTimer.runLogged(next.task);
        }
        synchronized (this) {
            moveTo(target);
        }
    }

    private void moveTo(long millis) {
        long now = clock.nowMillis();
        if (millis > now) {
            clock.advanceMillis(millis - now);
        }
    }

    private synchronized void cancel(Entry entry) {
        queue.remove(entry);
    }

    private static final class Entry implements Comparable<Entry> {
        final long dueMillis;
        final long sequence;
        final Runnable task;

        Entry(long dueMillis, long sequence, Runnable task) {
            this.dueMillis = dueMillis;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public int compareTo(Entry other) {
            int byDue = Long.compare(dueMillis, other.dueMillis);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }
}
