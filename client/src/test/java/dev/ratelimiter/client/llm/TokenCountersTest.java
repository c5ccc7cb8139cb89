package dev.ratelimiter.client.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.Requirement;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCountersTest {
    private static final TokenCounters DEFAULTS = TokenCounters.defaults();

    @Test
    void picksO200kForGpt4oAndLaterOpenAiModels() {
        for (String model : List.of(
                "gpt-4o",
                "gpt-4o-mini",
                "gpt-4o-2024-08-06",
                "gpt-4.1",
                "gpt-4.1-nano",
                "gpt-4.5-preview",
                "gpt-5",
                "gpt-5-mini",
                "chatgpt-4o-latest",
                "o1",
                "o1-mini",
                "o3",
                "o3-mini",
                "o4-mini",
                "GPT-4O")) {
            assertEquals(
                    "o200k_base (exact)", DEFAULTS.counterFor("openai", model).description(), model);
        }
    }

    @Test
    void picksCl100kForGpt4AndGpt35() {
        for (String model :
                List.of("gpt-4", "gpt-4-turbo", "gpt-4-0613", "gpt-4-32k", "gpt-3.5-turbo", "gpt-35-turbo")) {
            assertEquals(
                    "cl100k_base (exact)", DEFAULTS.counterFor("openai", model).description(), model);
        }
    }

    @Test
    void estimatesAnthropicAndGemini() {
        TokenCounter claude = DEFAULTS.counterFor("anthropic", "claude-sonnet-4");
        assertEquals(CountAccuracy.ESTIMATE, claude.accuracy());
        assertTrue(claude.description().startsWith("cl100k_base x 150%"), claude.description());
        TokenCounter gemini = DEFAULTS.counterFor("Google", "gemini-2.5-pro");
        assertEquals(CountAccuracy.ESTIMATE, gemini.accuracy());
        assertTrue(gemini.description().startsWith("cl100k_base x 135%"), gemini.description());
    }

    @Test
    void fallsBackToTheByteBoundForUnknownProvidersAndModels() {
        assertSame(ByteBoundCounter.instance(), DEFAULTS.counterFor("mistral", "large"));
        assertSame(ByteBoundCounter.instance(), DEFAULTS.counterFor("openai", "davinci-002"));
        assertSame(ByteBoundCounter.instance(), DEFAULTS.counterFor("google", "gemma-3"));
        assertSame(ByteBoundCounter.instance(), DEFAULTS.counterFor("openai", ""));
    }

    @Test
    void usesAPluggedInCounterByLongestPrefix() {
        TokenCounter fixed = new FixedCounter(42);
        TokenCounter mine = new FixedCounter(7);
        TokenCounters counters = TokenCounters.builder()
                .counter("mistral", "", fixed)
                .counter("openai", "gpt-4o-mini", mine)
                .build();
        assertSame(fixed, counters.counterFor("mistral", "large-2"));
        assertSame(mine, counters.counterFor("openai", "gpt-4o-mini-2024"));
        assertEquals(
                "o200k_base (exact)", counters.counterFor("openai", "gpt-4o").description());
        assertEquals(
                7 + 100,
                counters.requirements("openai", "gpt-4o-mini", "anything", 100).tokenUpperBound());
    }

    @Test
    void replacesACounterRegisteredTwiceAndCanStartEmpty() {
        TokenCounter first = new FixedCounter(1);
        TokenCounter second = new FixedCounter(2);
        TokenCounter fallback = new FixedCounter(3);
        TokenCounters counters = TokenCounters.builder()
                .withoutDefaults()
                .counter("x", "m", first)
                .counter("X", "M", second)
                .fallback(fallback)
                .build();
        assertSame(second, counters.counterFor("x", "model"));
        assertSame(fallback, counters.counterFor("openai", "gpt-4o"));
    }

    @Test
    void reservesExactPromptTokensPlusTheOutputBound() {
        List<ChatMessage> chat = List.of(ChatMessage.system("hello world"), ChatMessage.user("tiktoken is great!"));
        LlmRequirements call =
                DEFAULTS.requirements("openai", "gpt-4o", chat, 500).withTenant("acme");
        long promptTokens = 3 + (3 + 1 + 2) + (3 + 1 + 6);
        assertEquals(
                List.of(
                        new Requirement("global:llm:openai:gpt-4o:rpm", 1),
                        new Requirement("global:llm:openai:gpt-4o:tpm", promptTokens + 500),
                        new Requirement("global:llm:openai:gpt-4o:concurrency", 1),
                        new Requirement("tenant:acme:llm:daily_tokens", promptTokens + 500)),
                call.requirements());
    }

    @Test
    void reservesFarLessThanTheByteBoundForEnglish() {
        // The example: a prompt of about 2,000 tokens reserved as its bytes holds about 4-5
        // times what it can use; counted, it holds what it is.
        String prompt = TokenCorpus.load().get(0).text().repeat(17);
        long bytes = LlmRequirements.of("openai", "gpt-4o", prompt, 1).tokenUpperBound() - 1;
        long tokens = DEFAULTS.requirements("openai", "gpt-4o", prompt, 1).tokenUpperBound() - 1;
        assertTrue(tokens > 1_900 && tokens < 2_100, "tokens " + tokens);
        assertTrue(bytes > 4 * tokens, "bytes " + bytes + " tokens " + tokens);
    }

    @Test
    void refusesBadNamesAndCounts() {
        assertThrows(NullPointerException.class, () -> DEFAULTS.counterFor(null, "gpt-4o"));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.requirements("open ai", "gpt-4o", "x", 1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.requirements("openai", "gpt-4o", "x", 0));
        assertThrows(IllegalArgumentException.class, () -> ScaledEstimateCounter.of(TiktokenCounter.cl100k(), 99, "x"));
    }

    /** A user's own counter, e.g. one that asks a provider's token-counting endpoint. */
    private static final class FixedCounter implements TokenCounter {
        private final long tokens;

        FixedCounter(long tokens) {
            this.tokens = tokens;
        }

        @Override
        public long countChat(List<ChatMessage> messages) {
            return tokens;
        }

        @Override
        public CountAccuracy accuracy() {
            return CountAccuracy.EXACT;
        }

        @Override
        public String description() {
            return "fixed " + tokens;
        }
    }
}
