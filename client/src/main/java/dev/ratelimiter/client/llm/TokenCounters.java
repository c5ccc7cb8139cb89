package dev.ratelimiter.client.llm;

import dev.ratelimiter.core.llm.LlmRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Picks the {@link TokenCounter} of a call by provider and model, and builds the call's
 * {@link LlmRequirements} from its count: prompt tokens plus {@code max_output_tokens}.
 *
 * <p>A counter is registered for a provider and a model prefix; the longest prefix that matches
 * wins, and names are compared without regard to case. {@link #defaults()}:
 * <table>
 *   <caption>Default counters</caption>
 *   <tr><th>provider</th><th>models</th><th>counter</th></tr>
 *   <tr><td>openai</td><td>gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, chatgpt-4o*, o1*, o3*, o4*</td>
 *       <td>{@link TiktokenCounter#o200k()}, exact</td></tr>
 *   <tr><td>openai</td><td>gpt-4* (others), gpt-3.5*, gpt-35*</td><td>{@link TiktokenCounter#cl100k()}, exact</td></tr>
 *   <tr><td>anthropic</td><td>all</td><td>{@link ScaledEstimateCounter#anthropic()}, estimate</td></tr>
 *   <tr><td>google</td><td>gemini*</td><td>{@link ScaledEstimateCounter#google()}, estimate</td></tr>
 *   <tr><td>anything else</td><td></td><td>{@link ByteBoundCounter}, upper bound</td></tr>
 * </table>
 * The prefixes follow the model-to-encoding table of OpenAI's tiktoken. An OpenAI model it does not
 * know (a future one) gets the byte bound, never a guess at its tokenizer.
 *
 * <p>Example:
 * <pre>{@code
 * TokenCounters counters = TokenCounters.defaults();
 * LlmRequirements call = counters.requirements("openai", "gpt-4o",
 *         List.of(ChatMessage.system(instructions), ChatMessage.user(question)), 512).withTenant("acme");
 * }</pre>
 *
 * <p>Immutable and thread-safe; build one and share it. The {@link Builder} is not thread-safe.
 */
public final class TokenCounters {
    private final List<Entry> entries;
    private final TokenCounter fallback;

    private TokenCounters(List<Entry> entries, TokenCounter fallback) {
        this.entries = List.copyOf(entries);
        this.fallback = fallback;
    }

    /** The default counters (table above). */
    public static TokenCounters defaults() {
        return builder().build();
    }

    /** A builder that starts from the default counters; {@link Builder#withoutDefaults()} clears them. */
    public static Builder builder() {
        return new Builder();
    }

    /** The counter of {@code model} at {@code provider}: the longest registered prefix, else the fallback. */
    public TokenCounter counterFor(String provider, String model) {
        String providerKey = normalise("provider", provider);
        String modelKey = normalise("model", model);
        Entry best = null;
        for (Entry entry : entries) {
            if (entry.provider.equals(providerKey)
                    && modelKey.startsWith(entry.modelPrefix)
                    && (best == null || entry.modelPrefix.length() > best.modelPrefix.length())) {
                best = entry;
            }
        }
        return best == null ? fallback : best.counter;
    }

    /**
     * The requirements of a chat call: the prompt counted by {@link #counterFor} plus
     * {@code maxOutputTokens}.
     *
     * @throws IllegalArgumentException as {@link LlmRequirements#ofPromptTokens}
     */
    public LlmRequirements requirements(
            String provider, String model, List<ChatMessage> messages, long maxOutputTokens) {
        Objects.requireNonNull(messages, "messages");
        long promptTokens = counterFor(provider, model).countChat(messages);
        return LlmRequirements.ofPromptTokens(provider, model, promptTokens, maxOutputTokens);
    }

    /** The requirements of a call whose prompt is one user message. */
    public LlmRequirements requirements(String provider, String model, String prompt, long maxOutputTokens) {
        Objects.requireNonNull(prompt, "prompt");
        return requirements(provider, model, List.of(ChatMessage.user(prompt)), maxOutputTokens);
    }

    private static String normalise(String field, String name) {
        Objects.requireNonNull(name, field);
        return name.toLowerCase(Locale.ROOT);
    }

    private static final class Entry {
        final String provider;
        final String modelPrefix;
        final TokenCounter counter;

        Entry(String provider, String modelPrefix, TokenCounter counter) {
            this.provider = provider;
            this.modelPrefix = modelPrefix;
            this.counter = counter;
        }
    }

    /** Registers counters; later registrations of the same provider and prefix replace earlier ones. */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private TokenCounter fallback = ByteBoundCounter.instance();

        private Builder() {
            TiktokenCounter o200k = TiktokenCounter.o200k();
            TiktokenCounter cl100k = TiktokenCounter.cl100k();
            for (String prefix : List.of("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-4o", "o1", "o3", "o4")) {
                counter("openai", prefix, o200k);
            }
            for (String prefix : List.of("gpt-4", "gpt-3.5", "gpt-35")) {
                counter("openai", prefix, cl100k);
            }
            counter("anthropic", "", ScaledEstimateCounter.anthropic());
            counter("google", "gemini", ScaledEstimateCounter.google());
        }

        /** Drops every default counter; only the fallback and what is registered afterwards remain. */
        public Builder withoutDefaults() {
            entries.clear();
            return this;
        }

        /**
         * Uses {@code counter} for the models of {@code provider} whose name starts with {@code modelPrefix}
         * (an empty prefix matches every model of the provider).
         */
        public Builder counter(String provider, String modelPrefix, TokenCounter counter) {
            Objects.requireNonNull(counter, "counter");
            String providerKey = normalise("provider", provider);
            String prefixKey = normalise("modelPrefix", modelPrefix);
            entries.removeIf(entry -> entry.provider.equals(providerKey) && entry.modelPrefix.equals(prefixKey));
            entries.add(new Entry(providerKey, prefixKey, counter));
            return this;
        }

        /** The counter of providers and models nothing else matches (default: {@link ByteBoundCounter}). */
        public Builder fallback(TokenCounter counter) {
            this.fallback = Objects.requireNonNull(counter, "fallback");
            return this;
        }

        public TokenCounters build() {
            return new TokenCounters(entries, fallback);
        }
    }
}
