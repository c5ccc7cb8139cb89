package dev.ratelimiter.client.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * The exact prompt tokens of OpenAI's chat models, counted with their public tokenizers (jtokkit's
 * {@code o200k_base} or {@code cl100k_base}) plus the tokens the chat format adds.
 *
 * <p>The chat format, as OpenAI's cookbook "How to count tokens with tiktoken" documents it for
 * gpt-3.5-turbo (0613 and later), gpt-4, gpt-4o and gpt-4o-mini: every message costs {@value
 * #TOKENS_PER_MESSAGE} tokens plus the tokens of its role and content, a name costs its tokens plus
 * {@value #TOKENS_PER_NAME}, and every reply is primed with {@value #REPLY_PRIMING_TOKENS} tokens
 * ({@code <|start|>assistant<|message|>}). Text that looks like a special token
 * ({@code <|endoftext|>}) is counted as ordinary text, as the chat API treats it. Function and tool
 * definitions, images and audio are not counted: a call that sends them is under-reserved, and its
 * overage is taken on complete (SPEC 2.3).
 *
 * <p>Thread-safe: immutable; jtokkit's encodings hold final tables and allocate per call.
 */
public final class TiktokenCounter implements TokenCounter {
    /** {@code <|start|>}, the role and {@code <|end|>} (or their equivalent) of every message. */
    public static final int TOKENS_PER_MESSAGE = 3;
    /** The extra token of a message's {@code name} field. */
    public static final int TOKENS_PER_NAME = 1;
    /** {@code <|start|>assistant<|message|>}, which primes every reply. */
    public static final int REPLY_PRIMING_TOKENS = 3;

    /** Lazy: an encoding's table is loaded the first time a counter asks for it. */
    private static final EncodingRegistry ENCODINGS = Encodings.newLazyEncodingRegistry();

    private final Encoding encoding;

    private TiktokenCounter(Encoding encoding) {
        this.encoding = encoding;
    }

    /** gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series (o1, o3, o4). */
    public static TiktokenCounter o200k() {
        return new TiktokenCounter(ENCODINGS.getEncoding(EncodingType.O200K_BASE));
    }

    /** gpt-4 (and gpt-4-turbo) and gpt-3.5-turbo. */
    public static TiktokenCounter cl100k() {
        return new TiktokenCounter(ENCODINGS.getEncoding(EncodingType.CL100K_BASE));
    }

    /** The tokens of {@code text} alone, without any chat format. */
    public long countText(String text) {
        return encoding.countTokensOrdinary(text);
    }

    @Override
    public long countChat(List<ChatMessage> messages) {
        long tokens = REPLY_PRIMING_TOKENS;
        for (ChatMessage message : messages) {
            tokens += TOKENS_PER_MESSAGE + countText(message.role()) + countText(message.content());
            if (!message.name().isEmpty()) {
                tokens += TOKENS_PER_NAME + countText(message.name());
            }
        }
        return tokens;
    }

    @Override
    public CountAccuracy accuracy() {
        return CountAccuracy.EXACT;
    }

    @Override
    public String description() {
        return encoding.getName() + " (exact)";
    }

    @Override
    public String toString() {
        return description();
    }
}
