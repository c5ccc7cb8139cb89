package dev.ratelimiter.client.llm;

import java.util.List;

/**
 * Counts the tokens a provider will bill for a chat prompt: the messages' text plus the tokens its
 * chat format adds around them. Implement it to plug in a counter of your own (for instance one that
 * asks a provider's token-counting endpoint) and register it with {@link TokenCounters.Builder}.
 *
 * <p>Implementations must be thread-safe: one counter serves every call of its provider and model.
 */
public interface TokenCounter {

    /**
     * The prompt tokens of a chat made of {@code messages}, including the chat format's overhead and
     * the priming of the reply.
     */
    long countChat(List<ChatMessage> messages);

    /** How far the count can be trusted. */
    CountAccuracy accuracy();

    /** A short description for logs and reports, e.g. {@code o200k_base (exact)}. */
    String description();

    /** The prompt tokens of a single user message holding {@code prompt}. */
    default long countPrompt(String prompt) {
        return countChat(List.of(ChatMessage.user(prompt)));
    }
}
