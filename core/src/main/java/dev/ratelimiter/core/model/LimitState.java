package dev.ratelimiter.core.model;

import java.util.Objects;

/**
 * What the registry keeps per key (SPEC 4): the definition in force, whether a lower capacity is
 * waiting to be applied, and a revision that grows with every change.
 *
 * <p>The revision is persisted so that a backend can name each capacity change uniquely and still
 * resubmit it safely after a crash (SPEC 5.2, hazard of SPEC 11). While decreasing, the definition
 * keeps the old capacity and {@code pendingDecreaseTo} holds the new one; otherwise it is 0.
 */
public record LimitState(LimitDefinition definition, LimitStatus status, long pendingDecreaseTo, long revision) {

    public LimitState {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(status, "status");
        if (status == LimitStatus.ACTIVE && pendingDecreaseTo != 0) {
            throw new IllegalArgumentException("an active limit has no pending decrease");
        }
        if (status == LimitStatus.DECREASING && (pendingDecreaseTo < 1 || pendingDecreaseTo >= definition.capacity())) {
            throw new IllegalArgumentException("a pending decrease must lie between 1 and the capacity");
        }
        if (revision < 1) {
            throw new IllegalArgumentException("revision starts at 1");
        }
    }

    public String key() {
        return definition.key();
    }

    /** The state of a key seen for the first time. */
    public static LimitState created(LimitDefinition definition) {
        return new LimitState(definition, LimitStatus.ACTIVE, 0, 1);
    }

    /**
     * The state after an admin PUT of {@code requested} for this key (SPEC 2.4): same or higher
     * capacity applies at once and cancels a pending decrease; lower capacity starts decreasing
     * from the capacity in force. Other fields change at once either way.
     *
     * @throws IllegalArgumentException when the kind would change, which the caller reports as a
     *     validation error
     */
    public LimitState change(LimitDefinition requested) {
        if (!requested.key().equals(key())) {
            throw new IllegalArgumentException("a change must name the same key");
        }
        if (requested.kind() != definition.kind()) {
            throw new IllegalArgumentException("kind: cannot change the kind of the existing limit '" + key()
                    + "' from " + definition.kind().wireName() + " to "
                    + requested.kind().wireName());
        }
        long next = Math.addExact(revision, 1);
        if (requested.capacity() >= definition.capacity()) {
            return new LimitState(requested, LimitStatus.ACTIVE, 0, next);
        }
        return new LimitState(
                requested.withCapacity(definition.capacity()), LimitStatus.DECREASING, requested.capacity(), next);
    }

    /** The state once the pending decrease has been applied by a backend. */
    public LimitState decreaseApplied() {
        if (status != LimitStatus.DECREASING) {
            throw new IllegalStateException("no decrease is pending for " + key());
        }
        return new LimitState(
                definition.withCapacity(pendingDecreaseTo), LimitStatus.ACTIVE, 0, Math.addExact(revision, 1));
    }
}
