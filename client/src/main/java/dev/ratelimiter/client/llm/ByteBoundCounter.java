package dev.ratelimiter.client.llm;

import dev.ratelimiter.core.llm.LlmRequirements;
import java.util.List;

/**
 * A safe bound for any provider: the UTF-8 bytes of every role, content and name, plus {@value
 * #FORMAT_TOKENS_PER_MESSAGE} tokens per message and {@value #FORMAT_TOKENS_PER_REPLY} for the
 * reply's priming.
 *
 * <p>Byte-level BPE tokenizers (OpenAI, and by all public accounts Anthropic's) and SentencePiece
 * tokenizers with byte fallback (Gemini's family) never give a piece of text more tokens than it has
 * bytes, so the text part never falls below the real count; the per-message allowance is several
 * times the 3 tokens OpenAI documents for its format, for formats nobody documents. What it cannot
 * see (tool definitions, a system prompt the provider adds) is overage on complete (SPEC 2.3). It
 * is loose: English runs about four bytes a token. The fallback for unknown providers and models.
 *
 * <p>Thread-safe: stateless.
 */
public final class ByteBoundCounter implements TokenCounter {
    /** Allowance per message for the format's tokens around it (OpenAI documents 3). */
    public static final int FORMAT_TOKENS_PER_MESSAGE = 8;
    /** Allowance for the priming of the reply (OpenAI documents 3). */
    public static final int FORMAT_TOKENS_PER_REPLY = 8;

    private static final ByteBoundCounter INSTANCE = new ByteBoundCounter();

    private ByteBoundCounter() {}

    public static ByteBoundCounter instance() {
        return INSTANCE;
    }

    @Override
    public long countChat(List<ChatMessage> messages) {
        long tokens = FORMAT_TOKENS_PER_REPLY;
        for (ChatMessage message : messages) {
            tokens = Math.addExact(
                    tokens,
                    FORMAT_TOKENS_PER_MESSAGE
                            + LlmRequirements.utf8Length(message.role())
                            + LlmRequirements.utf8Length(message.content())
                            + LlmRequirements.utf8Length(message.name()));
        }
        return tokens;
    }

    @Override
    public CountAccuracy accuracy() {
        return CountAccuracy.UPPER_BOUND;
    }

    @Override
    public String description() {
        return "UTF-8 bytes (upper bound)";
    }

    @Override
    public String toString() {
        return description();
    }
}
