package dev.ratelimiter.bench.loadtest;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts by name (error codes, exception types) with a bound on the number of names: past {@link
 * #MAX_NAMES} distinct names, further ones are counted under {@link #OTHER}, so that a server that
 * answers a new code on every call cannot grow the report without limit.
 *
 * <p>Not thread-safe: each worker owns its tallies; they are merged after the workers stopped.
 */
final class Tally {
    static final int MAX_NAMES = 32;
    static final String OTHER = "other";

    private final TreeMap<String, Long> counts = new TreeMap<>();

    void add(String name, long count) {
        String key = counts.containsKey(name) || counts.size() < MAX_NAMES ? name : OTHER;
        counts.merge(key, count, Long::sum);
    }

    void addAll(Tally other) {
        other.counts.forEach(this::add);
    }

    long total() {
        long total = 0;
        for (long count : counts.values()) {
            total += count;
        }
        return total;
    }

    /** The counts, sorted by name. */
    Map<String, Long> asMap() {
        return new TreeMap<>(counts);
    }

    /**
     * The name an error code is counted under: the code without the key or lease it names
     * ({@code unknown_limit_key:global:llm:...} counts as {@code unknown_limit_key}).
     */
    static String codeName(String error) {
        int colon = error.indexOf(':');
        return colon < 0 ? error : error.substring(0, colon);
    }
}
