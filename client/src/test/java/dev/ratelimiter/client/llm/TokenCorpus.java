package dev.ratelimiter.client.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed test corpus: 17 texts (English prose, business, instructions and technical text; Java
 * and Python code; JSON with ids; a CSV table; German, French, Spanish, Russian, Chinese, Japanese,
 * Korean and Arabic prose; an emoji-laden chat line), with their token counts computed by tokenizers
 * that share no code with jtokkit: js-tiktoken for {@code cl100k_base} and {@code o200k_base}, and
 * Anthropic's published legacy tokenizer ({@code src/test/tokenizer-reference/expected-counts.mjs}).
 */
record TokenCorpus(String name, String language, String text, int cl100k, int o200k, int claudeLegacy) {

    static List<TokenCorpus> load() {
        try (InputStream in = TokenCorpus.class.getResourceAsStream("token-corpus.json")) {
            if (in == null) {
                throw new IllegalStateException("token-corpus.json is missing from the test resources");
            }
            List<TokenCorpus> texts = new ArrayList<>();
            for (JsonNode entry : new ObjectMapper().readTree(in).get("texts")) {
                texts.add(new TokenCorpus(
                        entry.get("name").asText(),
                        entry.get("language").asText(),
                        entry.get("text").asText(),
                        entry.get("cl100k_base").asInt(),
                        entry.get("o200k_base").asInt(),
                        entry.get("claude_legacy").asInt()));
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean english() {
        return language.equals("en");
    }
}
