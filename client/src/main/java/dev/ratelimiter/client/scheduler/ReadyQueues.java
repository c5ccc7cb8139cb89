package dev.ratelimiter.client.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queues of waiting jobs, one per queue name, and the round robin over them.
 *
 * <p>A queue is ready when its head may be dispatched now ({@code notBeforeMillis <= now}); a job
 * that has to wait (a denial, a retry after an unknown outcome) goes back to the head of its queue,
 * so the queue as a whole waits with it while the others go on. Invariant: every queue in
 * {@code byName} is non-empty and appears exactly once in {@code rotation}; empty queues are dropped,
 * so the structure holds no more than the jobs in it.
 *
 * <p>Not thread-safe: guarded by the scheduler's lock.
 */
final class ReadyQueues {
    private final Map<String, JobQueue> byName = new HashMap<>();
    private final ArrayDeque<JobQueue> rotation = new ArrayDeque<>();
    private int size;

    int size() {
        return size;
    }

    int queueCount() {
        return byName.size();
    }

    /** Puts a newly submitted job at the tail of its queue. */
    void addLast(JobRun<?> run) {
        queueFor(run.queue()).jobs.addLast(run);
        size++;
    }

    /** Puts a job that must wait or retry back at the head of its queue. */
    void addFirst(JobRun<?> run) {
        queueFor(run.queue()).jobs.addFirst(run);
        size++;
    }

    /** Takes a job out of its queue wherever it is (deadline, cancellation). O(length of its queue). */
    boolean remove(JobRun<?> run) {
        JobQueue queue = byName.get(run.queue());
        if (queue == null || !queue.jobs.remove(run)) {
            return false;
        }
        size--;
        if (queue.jobs.isEmpty()) {
            byName.remove(queue.name);
            rotation.remove(queue);
        }
        return true;
    }

    /**
     * The head of the next ready queue in round-robin order, taken out of its queue; null when no
     * queue is ready. The queue served moves to the back of the rotation.
     */
    JobRun<?> pollReady(long nowMillis) {
        for (int i = 0, n = rotation.size(); i < n; i++) {
            JobQueue queue = rotation.pollFirst();
            JobRun<?> head = queue.jobs.peekFirst();
            if (head.notBeforeMillis <= nowMillis) {
                queue.jobs.pollFirst();
                size--;
                if (queue.jobs.isEmpty()) {
                    byName.remove(queue.name);
                } else {
                    rotation.addLast(queue);
                }
                return head;
            }
            rotation.addLast(queue);
        }
        return null;
    }

    /** The earliest time a queue that is not ready now becomes ready; {@code Long.MAX_VALUE} if none. */
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

    /** Takes every job out, queue by queue. */
    List<JobRun<?>> drain() {
        List<JobRun<?>> all = new ArrayList<>(size);
        for (JobQueue queue : rotation) {
            all.addAll(queue.jobs);
        }
        byName.clear();
        rotation.clear();
        size = 0;
        return all;
    }

    private JobQueue queueFor(String name) {
        JobQueue queue = byName.get(name);
        if (queue == null) {
            queue = new JobQueue(name);
            byName.put(name, queue);
            rotation.addLast(queue);
        }
        return queue;
    }

    private static final class JobQueue {
        final String name;
        final ArrayDeque<JobRun<?>> jobs = new ArrayDeque<>();

        JobQueue(String name) {
            this.name = name;
        }
    }
}
