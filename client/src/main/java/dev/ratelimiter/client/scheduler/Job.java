package dev.ratelimiter.client.scheduler;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.Requirement;
import java.util.List;
import java.util.Objects;

/**
 * A unit of work that must hold some limits while it runs. Immutable.
 *
 * <p>The queue is normally {@code provider:model}: jobs of one queue run in submission order and
 * back off together when the limiter denies them; jobs of other queues are not held up by it.
 */
public final class Job<T> {
    /** Longest queue name accepted. */
    public static final int MAX_QUEUE_LENGTH = 512;
    /** Longest job id accepted (SPEC 3). */
    public static final int MAX_JOB_ID_LENGTH = 128;

    private final String queue;
    private final String jobId;
    private final List<Requirement> requirements;
    private final Work<T> work;
    private final int maxAttempts;
    private final long deadlineMillis;

    private Job(Builder<T> builder) {
        this.queue = builder.queue;
        this.jobId = builder.jobId;
        this.requirements = builder.requirements;
        this.work = builder.work;
        this.maxAttempts = builder.maxAttempts;
        this.deadlineMillis = builder.deadlineMillis;
    }

    /** A job with no id, the scheduler's attempt limit and no deadline. */
    public static <T> Job<T> of(String queue, List<Requirement> requirements, Work<T> work) {
        return builder(queue, requirements, work).build();
    }

    public static <T> Builder<T> builder(String queue, List<Requirement> requirements, Work<T> work) {
        return new Builder<>(queue, requirements, work);
    }

    /**
     * A job for one LLM call: queued under {@code provider:model}, reserving what {@code call} names
     * (rpm, tpm, concurrency and the tenant's daily tokens). The work usually reports
     * {@code call.actuals(inputTokens, outputTokens)} as its actual usage.
     */
    public static <T> Builder<T> forLlm(LlmRequirements call, Work<T> work) {
        return new Builder<>(call.provider() + ":" + call.model(), call.requirements(), work);
    }

    public String queue() {
        return queue;
    }

    /** The job's id, sent with its reserve and complete for the server's logs; "" when it has none. */
    public String jobId() {
        return jobId;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public Work<T> work() {
        return work;
    }

    /** Most reserve attempts; 0 means the scheduler's default. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * When the job gives up waiting for admission, on the limiter's clock; {@link Limiter#NO_DEADLINE}
     * when it has none. Work that has started is never interrupted by the deadline.
     */
    public long deadlineMillis() {
        return deadlineMillis;
    }

    @Override
    public String toString() {
        return "job " + (jobId.isEmpty() ? "(no id)" : jobId) + " in queue " + queue;
    }

    /** Builds a {@link Job}; not thread-safe. */
    public static final class Builder<T> {
        private final String queue;
        private final List<Requirement> requirements;
        private final Work<T> work;
        private String jobId = "";
        private int maxAttempts;
        private long deadlineMillis = Limiter.NO_DEADLINE;

        private Builder(String queue, List<Requirement> requirements, Work<T> work) {
            Objects.requireNonNull(queue, "queue");
            Objects.requireNonNull(requirements, "requirements");
            this.work = Objects.requireNonNull(work, "work");
            if (queue.isBlank() || queue.length() > MAX_QUEUE_LENGTH) {
                throw new IllegalArgumentException(
                        "queue: must be 1 to " + MAX_QUEUE_LENGTH + " characters and not blank, got \"" + queue + "\"");
            }
            if (requirements.isEmpty()) {
                throw new IllegalArgumentException("requirements: a job must name at least one requirement");
            }
            this.queue = queue;
            this.requirements = List.copyOf(requirements);
        }

        public Builder<T> jobId(String newJobId) {
            Objects.requireNonNull(newJobId, "jobId");
            if (newJobId.length() > MAX_JOB_ID_LENGTH) {
                throw new IllegalArgumentException(
                        "jobId: must be at most " + MAX_JOB_ID_LENGTH + " characters, got " + newJobId.length());
            }
            this.jobId = newJobId;
            return this;
        }

        /** Most reserve attempts (denials and unknown outcomes included), from 1. */
        public Builder<T> maxAttempts(int newMaxAttempts) {
            if (newMaxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts: must be at least 1, got " + newMaxAttempts);
            }
            this.maxAttempts = newMaxAttempts;
            return this;
        }

        /** When the job gives up waiting for admission, on the limiter's clock. */
        public Builder<T> deadlineMillis(long newDeadlineMillis) {
            this.deadlineMillis = newDeadlineMillis;
            return this;
        }

        public Job<T> build() {
            return new Job<>(this);
        }
    }
}
