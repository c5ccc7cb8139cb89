package dev.ratelimiter.core.model;

import java.util.Objects;

/**
 * Why a reserve was refused with an error (SPEC 2, 3), as a value the code can switch on. A denial
 * for lack of capacity is not a refusal: it carries no error, only a retry hint.
 *
 * <p>The wire strings ({@code "lease_expired:<lease>"} and so on) are written and read only by
 * {@link ErrorCodes#wire} and {@link ErrorCodes#refusal}, which the codec and the client's decoder
 * call; everything else classifies a refusal by its type.
 */
public sealed interface Refusal {
    /** The request broke a rule of the contract (a repeat with other requirements, a malformed item). */
    Refusal INVALID_REQUEST = new InvalidRequest();
    /** The backend did not answer in time, or could not make the answer durable: an unknown outcome. */
    Refusal BACKEND_ERROR = new BackendError();

    /** {@code invalid_request}: the client sent something the contract does not allow. */
    record InvalidRequest() implements Refusal {}

    /** {@code backend_error}: the outcome is unknown; the same lease id may be sent again. */
    record BackendError() implements Refusal {}

    /** {@code unknown_limit_key:<key>}: no limit has this key. */
    record UnknownLimitKey(String key) implements Refusal {
        public UnknownLimitKey {
            Objects.requireNonNull(key, "key");
        }
    }

    /** {@code limit_decreasing:<key>}: the key waits for a lower capacity to apply (SPEC 2.4). */
    record LimitDecreasing(String key) implements Refusal {
        public LimitDecreasing {
            Objects.requireNonNull(key, "key");
        }
    }

    /** {@code exceeds_capacity:<key>}: the amount can never fit; retrying is pointless. */
    record ExceedsCapacity(String key) implements Refusal {
        public ExceedsCapacity {
            Objects.requireNonNull(key, "key");
        }
    }

    /** {@code lease_expired:<lease>}: the lease was completed or a hold of it expired (SPEC 2.2). */
    record LeaseExpired(String leaseId) implements Refusal {
        public LeaseExpired {
            Objects.requireNonNull(leaseId, "leaseId");
        }
    }

    /**
     * An error code this implementation does not know, read from another implementation's answer
     * (the conformance harness judges any server): kept as sent so that it can be reported.
     */
    record Unrecognized(String code) implements Refusal {
        public Unrecognized {
            Objects.requireNonNull(code, "code");
        }
    }
}
