package dev.ratelimiter.core.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds a key named twice in one request (SPEC 11: duplicate keys let a backend admit twice the
 * capacity). Both the validator and each backend check, so it is shared here.
 *
 * <p>A request names a handful of keys, so up to {@link #PAIRWISE_UP_TO} items are compared
 * pairwise, allocating nothing on the path every reserve takes; longer lists (the limit is
 * configurable up to thousands) go through a set, so the cost stays linear. Stateless; thread-safe.
 */
public final class RepeatedKeys {
    public static final int PAIRWISE_UP_TO = 16;

    private RepeatedKeys() {}

    /** The index of the first item whose key an earlier item already named, or -1 when none did. */
    public static <T> int firstRepeat(List<T> items, Function<? super T, String> keyOf) {
        int size = items.size();
        if (size <= PAIRWISE_UP_TO) {
            for (int i = 1; i < size; i++) {
                String key = keyOf.apply(items.get(i));
                for (int j = 0; j < i; j++) {
                    if (keyOf.apply(items.get(j)).equals(key)) {
                        return i;
                    }
                }
            }
            return -1;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < size; i++) {
            if (!seen.add(keyOf.apply(items.get(i)))) {
                return i;
            }
        }
        return -1;
    }
}
