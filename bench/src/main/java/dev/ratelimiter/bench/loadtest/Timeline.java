package dev.ratelimiter.bench.loadtest;

/**
 * Counts per fixed interval of the measured time, for the throughput-over-time chart.
 *
 * <p>An event is placed in the interval in which its call started; events before the start or past
 * the end land in the first or last interval. Bounded: the number of intervals is fixed when the
 * timeline is made ({@link #intervalsFor} keeps it at most {@link #MAX_INTERVALS}).
 *
 * <p>Not thread-safe: each worker owns its timeline; {@link #addAll} merges them after the run.
 */
final class Timeline {
    static final int MAX_INTERVALS = 600;

    final long startNanos;
    final long durationNanos;
    final long intervalNanos;
    final long[] reserves;
    final long[] completes;
    final long[] denied;
    final long[] errors;

    /** A timeline of {@code durationNanos} (at least 1) from {@code startNanos}, in intervals chosen by {@link #intervalNanosFor}. */
    Timeline(long startNanos, long durationNanos) {
        if (durationNanos < 1) {
            throw new IllegalArgumentException("a timeline lasts at least 1 ns, got " + durationNanos);
        }
        this.startNanos = startNanos;
        this.durationNanos = durationNanos;
        this.intervalNanos = intervalNanosFor(durationNanos);
        int intervals = intervalsFor(durationNanos, intervalNanos);
        this.reserves = new long[intervals];
        this.completes = new long[intervals];
        this.denied = new long[intervals];
        this.errors = new long[intervals];
    }

    /** A timeline like this one, with no counts: for the merged total. */
    Timeline emptyCopy() {
        return new Timeline(startNanos, durationNanos);
    }

    /** The length of interval {@code index} in seconds: the last one may be shorter. */
    double secondsOf(int index) {
        long from = index * intervalNanos;
        return Math.max(1, Math.min(intervalNanos, durationNanos - from)) / 1e9;
    }

    /** The end of interval {@code index}, in seconds from the start. */
    double endSecondsOf(int index) {
        return Math.min(durationNanos, (index + 1) * intervalNanos) / 1e9;
    }

    /**
     * The interval length for a measured time of {@code durationNanos}: about 60 intervals, each a
     * multiple of 100 ms, at most {@link #MAX_INTERVALS} of them.
     */
    static long intervalNanosFor(long durationNanos) {
        long stepNanos = 100_000_000L;
        long wanted = Math.max(stepNanos, durationNanos / 60 / stepNanos * stepNanos);
        long smallest = (durationNanos + MAX_INTERVALS - 1) / MAX_INTERVALS;
        return Math.max(wanted, smallest);
    }

    /** How many intervals of {@code intervalNanos} cover {@code durationNanos}. */
    static int intervalsFor(long durationNanos, long intervalNanos) {
        long intervals = (durationNanos + intervalNanos - 1) / intervalNanos;
        return (int) Math.max(1, Math.min(MAX_INTERVALS, intervals));
    }

    int size() {
        return reserves.length;
    }

    void reserves(long atNanos, long count, long deniedCount) {
        int index = indexOf(atNanos);
        reserves[index] += count;
        denied[index] += deniedCount;
    }

    void completes(long atNanos, long count) {
        completes[indexOf(atNanos)] += count;
    }

    void errors(long atNanos, long count) {
        errors[indexOf(atNanos)] += count;
    }

    void addAll(Timeline other) {
        for (int i = 0; i < reserves.length && i < other.reserves.length; i++) {
            reserves[i] += other.reserves[i];
            completes[i] += other.completes[i];
            denied[i] += other.denied[i];
            errors[i] += other.errors[i];
        }
    }

    private int indexOf(long atNanos) {
        long index = (atNanos - startNanos) / intervalNanos;
        return (int) Math.max(0, Math.min(reserves.length - 1, index));
    }
}
