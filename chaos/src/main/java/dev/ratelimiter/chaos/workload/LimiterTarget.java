package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import java.util.Objects;

/**
 * The limiter a workload drives. A call either is answered (a response, whatever it says) or fails
 * without an answer (a transport error, a timeout, an unexpected HTTP status): then its outcome is
 * unknown, and the failure text says why; or it was refused as invalid before reaching a backend. Implementations are thread-safe and never block longer
 * than their own timeout.
 */
public interface LimiterTarget {

    ReserveResult reserve(ReserveRequest request);

    CompleteResult complete(CompleteRequest request);

    /** A reserve's answer, or why there was none. */
    record ReserveResult(ReserveResponse response, String failure, boolean invalid) {
        public static ReserveResult answered(ReserveResponse response) {
            return new ReserveResult(Objects.requireNonNull(response, "response"), "", false);
        }

        /** No answer: the outcome is unknown. */
        public static ReserveResult failed(String failure) {
            return new ReserveResult(null, Objects.requireNonNull(failure, "failure"), false);
        }

        /** Refused before it reached a backend as an invalid request: nothing happened, a bug of the workload. */
        public static ReserveResult invalid(String why) {
            return new ReserveResult(null, "invalid_request: " + Objects.requireNonNull(why, "why"), true);
        }

        public boolean isAnswered() {
            return response != null;
        }
    }

    /** A complete's answer, or why there was none. */
    record CompleteResult(CompleteResponse response, String failure, boolean invalid) {
        public static CompleteResult answered(CompleteResponse response) {
            return new CompleteResult(Objects.requireNonNull(response, "response"), "", false);
        }

        /** No answer: the outcome is unknown. */
        public static CompleteResult failed(String failure) {
            return new CompleteResult(null, Objects.requireNonNull(failure, "failure"), false);
        }

        /** Refused before it reached a backend as an invalid request: nothing happened, a bug of the workload. */
        public static CompleteResult invalid(String why) {
            return new CompleteResult(null, "invalid_request: " + Objects.requireNonNull(why, "why"), true);
        }

        public boolean isAnswered() {
            return response != null;
        }
    }
}
