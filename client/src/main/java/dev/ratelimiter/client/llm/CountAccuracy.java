package dev.ratelimiter.client.llm;

/** How far a {@link TokenCounter}'s count can be trusted, and so what a reservation built on it is. */
public enum CountAccuracy {
    /**
     * The provider's own tokenizer and chat format: the count is what the provider will bill for
     * the prompt, so prompt tokens plus {@code max_output_tokens} is an upper bound of the call.
     */
    EXACT,
    /**
     * Never below the provider's count for text in any language, but loose (a UTF-8 byte bound):
     * the reservation is an upper bound and holds more than the call can use until it completes.
     */
    UPPER_BOUND,
    /**
     * A calibrated estimate that errs high but can fall below the real count: the reservation may
     * be short, and the difference is overage on complete (reserved if it fits, else debt; SPEC 2.3).
     */
    ESTIMATE
}
