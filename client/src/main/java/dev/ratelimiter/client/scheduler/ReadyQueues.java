package dev.ratelimiter.client.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queues of waiting jobs, one per queue name, the round robin over them, and the window of
 * each queue.
 *
 * <p><b>Readiness.</b> A queue is ready when it has a waiting job whose {@code notBeforeMillis} has
 * come, and fewer jobs in progress than its window. A job that has to wait (a denial, a retry after
 * an unknown outcome) goes back to the head of its queue, so the queue as a whole waits with it
 * while the others go on.
 *
 * <p><b>Window.</b> Without one, a queue could have every slot of the scheduler reserving at once;
 * against a limit of 8 that means 24 denials in one burst, each growing the server's denial streak
 * and so everyone's retry hints. The window adapts like TCP's congestion window: it starts at
 * {@code initialWindow}, grows by one per admission (slow start) until the first denial, then by
 * {@code 1/window} per admission; a denial halves it (never below 1). It is capped at
 * {@code maxWindow}, the scheduler's slots.
 *
 * <p><b>Bounds.</b> A queue exists while it has jobs waiting or in progress; an idle queue is dropped
 * with its window (it starts over at the initial window), so the structure holds no more than the
 * jobs in it. Invariant: a queue is in {@code rotation} exactly once while it has waiting jobs, and
 * not at all otherwise.
 *
 * <p>Not thread-safe: guarded by the scheduler's lock.
 */
final class ReadyQueues {
    private final double initialWindow;
    private final double maxWindow;
    private final Map<String, JobQueue> byName = new HashMap<>();
    private final ArrayDeque<JobQueue> rotation = new ArrayDeque<>();
    private int size;

    ReadyQueues(int initialWindow, int maxWindow) {
        this.initialWindow = Math.min(initialWindow, maxWindow);
        this.maxWindow = maxWindow;
    }

    /** Jobs waiting in all queues. */
    int size() {
        return size;
    }

    /** Puts a newly submitted job at the tail of its queue. */
    void addLast(JobRun<?> run) {
        JobQueue queue = queueFor(run.queue());
        queue.jobs.addLast(run);
        size++;
        enterRotation(queue);
    }

    /** Puts a job that must wait or retry back at the head of its queue. */
    void addFirst(JobRun<?> run) {
        JobQueue queue = queueFor(run.queue());
        queue.jobs.addFirst(run);
        size++;
        enterRotation(queue);
    }

    /** Takes a waiting job out of its queue wherever it is (deadline, cancellation). O(queue length). */
    boolean remove(JobRun<?> run) {
        JobQueue queue = byName.get(run.queue());
        if (queue == null || !queue.jobs.remove(run)) {
            return false;
        }
        size--;
        if (queue.jobs.isEmpty()) {
            rotation.remove(queue);
            dropIfIdle(queue);
        }
        return true;
    }

    /**
     * The head of the next ready queue in round-robin order, taken out of its queue and counted in
     * progress; null when no queue is ready. The queue served moves to the back of the rotation.
     */
    JobRun<?> pollReady(long nowMillis) {
        for (int i = 0, n = rotation.size(); i < n; i++) {
            JobQueue queue = rotation.pollFirst();
            JobRun<?> head = queue.jobs.peekFirst();
            if (head.notBeforeMillis <= nowMillis && queue.inProgress < (int) queue.window) {
                queue.jobs.pollFirst();
                size--;
                queue.inProgress++;
                if (!queue.jobs.isEmpty()) {
                    rotation.addLast(queue);
                }
                return head;
            }
            rotation.addLast(queue);
        }
        return null;
    }

    /** A job of {@code name} left progress (done, or back to waiting). */
    void released(String name) {
        JobQueue queue = byName.get(name);
        if (queue != null && queue.inProgress > 0) {
            queue.inProgress--;
            dropIfIdle(queue);
        }
    }

    /** A job of {@code name} was admitted: the window grows. */
    void admitted(String name) {
        JobQueue queue = byName.get(name);
        if (queue != null) {
            double grown = queue.window < queue.slowStartLimit ? queue.window + 1 : queue.window + 1 / queue.window;
            queue.window = Math.min(maxWindow, grown);
        }
    }

    /** A job of {@code name} was denied: the window halves. */
    void denied(String name) {
        JobQueue queue = byName.get(name);
        if (queue != null) {
            queue.window = Math.max(1, queue.window / 2);
            queue.slowStartLimit = queue.window;
        }
    }

    /** The window of {@code name} now, in whole jobs; 0 for a queue that does not exist. */
    int window(String name) {
        JobQueue queue = byName.get(name);
        return queue == null ? 0 : (int) queue.window;
    }

    /**
     * The earliest time a waiting head becomes due, among queues whose head is not due yet;
     * {@code Long.MAX_VALUE} if none. Queues held back only by their window need no timer: a job
     * leaving progress dispatches again.
     */
    long earliestNotBefore(long nowMillis) {
        long earliest = Long.MAX_VALUE;
        for (JobQueue queue : rotation) {
            long notBefore = queue.jobs.peekFirst().notBeforeMillis;
            if (notBefore > nowMillis && notBefore < earliest) {
                earliest = notBefore;
            }
        }
        return earliest;
    }

    /** Takes every waiting job out, queue by queue; jobs in progress stay counted. */
    List<JobRun<?>> drain() {
        List<JobRun<?>> all = new ArrayList<>(size);
        for (JobQueue queue : rotation) {
            all.addAll(queue.jobs);
            queue.jobs.clear();
        }
        rotation.clear();
        byName.values().removeIf(queue -> queue.inProgress == 0);
        size = 0;
        return all;
    }

    private JobQueue queueFor(String name) {
        return byName.computeIfAbsent(name, key -> new JobQueue(key, initialWindow, maxWindow));
    }

    private void enterRotation(JobQueue queue) {
        if (queue.jobs.size() == 1) {
            rotation.addLast(queue);
        }
    }

    private void dropIfIdle(JobQueue queue) {
        if (queue.jobs.isEmpty() && queue.inProgress == 0) {
            byName.remove(queue.name);
        }
    }

    private static final class JobQueue {
        final String name;
        final ArrayDeque<JobRun<?>> jobs = new ArrayDeque<>();
        int inProgress;
        double window;
        /** Below this the window grows by one per admission; above it, by 1/window. */
        double slowStartLimit;

        JobQueue(String name, double window, double slowStartLimit) {
            this.name = name;
            this.window = window;
            this.slowStartLimit = slowStartLimit;
        }
    }
}
