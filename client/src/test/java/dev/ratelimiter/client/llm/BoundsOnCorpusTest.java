package dev.ratelimiter.client.llm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The estimates and the byte bound on the fixed corpus ({@link TokenCorpus}). No public tokenizer
 * gives the counts of Claude 3 and later or of Gemini, so the references are what is published: the
 * providers' documented characters per token for English (Anthropic about 3.5, Google about 4), and
 * every public tokenizer we can run (cl100k_base, o200k_base, Anthropic's legacy tokenizer).
 */
class BoundsOnCorpusTest {
    private static final TokenCounter ANTHROPIC = ScaledEstimateCounter.anthropic();
    private static final TokenCounter GOOGLE = ScaledEstimateCounter.google();

    @Test
    void anthropicEstimateCoversTheDocumentedRatioForEveryEnglishText() {
        for (TokenCorpus entry : TokenCorpus.load()) {
            if (entry.english()) {
                assertAtLeast(
                        ANTHROPIC.countPrompt(entry.text()),
                        Math.ceil(entry.text().length() / 3.5),
                        entry);
            }
        }
    }

    @Test
    void googleEstimateCoversTheDocumentedRatioForEveryEnglishText() {
        for (TokenCorpus entry : TokenCorpus.load()) {
            if (entry.english()) {
                assertAtLeast(
                        GOOGLE.countPrompt(entry.text()), Math.ceil(entry.text().length() / 4.0), entry);
            }
        }
    }

    @Test
    void estimatesCoverEveryPublicTokenizerOnEveryText() {
        for (TokenCorpus entry : TokenCorpus.load()) {
            long reference = Math.max(entry.claudeLegacy(), Math.max(entry.cl100k(), entry.o200k()));
            assertAtLeast(ANTHROPIC.countPrompt(entry.text()), reference, entry);
            assertAtLeast(GOOGLE.countPrompt(entry.text()), reference, entry);
        }
    }

    @Test
    void byteBoundCoversEveryEstimateAndEveryTokenizer() {
        for (TokenCorpus entry : TokenCorpus.load()) {
            long bound = ByteBoundCounter.instance().countPrompt(entry.text());
            assertTrue(bound >= entry.text().getBytes(StandardCharsets.UTF_8).length, entry.name());
            assertAtLeast(bound, ANTHROPIC.countPrompt(entry.text()), entry);
            assertAtLeast(bound, GOOGLE.countPrompt(entry.text()), entry);
            assertAtLeast(bound, TiktokenCounter.o200k().countPrompt(entry.text()), entry);
            assertAtLeast(bound, TiktokenCounter.cl100k().countPrompt(entry.text()), entry);
        }
    }

    private static void assertAtLeast(long estimate, double reference, TokenCorpus entry) {
        assertTrue(estimate >= reference, entry.name() + ": " + estimate + " is below the reference " + reference);
    }
}
