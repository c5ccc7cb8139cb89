package dev.ratelimiter.client.llm;

import java.util.List;
import java.util.Objects;

/**
 * An estimate for providers whose tokenizer is not public: the exact {@code cl100k_base} chat count
 * scaled by a calibrated factor with a safety margin, rounded up.
 *
 * <p>Why {@code cl100k_base} and not characters: a public BPE tokenizer already knows that code,
 * numbers, identifiers and non-Latin scripts cost more tokens per character than English prose,
 * which a flat characters-per-token ratio does not. The factor turns the provider's documented
 * characters per token for English into a multiple of what {@code cl100k_base} measures on English:
 * <ul>
 *   <li>Anthropic documents about 3.5 English characters a token for Claude. {@code cl100k_base}
 *       gives 4.9 to 5.4 characters a token on the English texts of our test corpus, so Claude would
 *       need 1.4 to 1.55 times as many tokens. {@link #anthropic()} scales by {@value
 *       #ANTHROPIC_SCALE_PERCENT}%, which with the chat overhead covers every English text of the
 *       corpus at 3.5 characters a token, and every text of the corpus (code, data, eight other
 *       languages, emoji) as Anthropic's published legacy tokenizer counts it (at most 1.27 times
 *       {@code cl100k_base}).</li>
 *   <li>Google documents about 4 characters a token for Gemini: 1.2 to 1.35 times
 *       {@code cl100k_base} on the same texts. {@link #google()} scales by {@value
 *       #GOOGLE_SCALE_PERCENT}%.</li>
 * </ul>
 * The documented ratios are rules of thumb, and no public tokenizer gives Claude 3 or Gemini counts;
 * a real count can be higher (a text unlike the calibration, a model with a new tokenizer). The
 * reservation is then short, and the difference is overage on complete (SPEC 2.3). Tests check the
 * estimate on a fixed corpus ({@code TokenCountersTest}).
 *
 * <p>Thread-safe: immutable.
 */
public final class ScaledEstimateCounter implements TokenCounter {
    /** Anthropic (Claude): 3.5 English characters a token, against {@code cl100k_base}'s 4.9 to 5.4. */
    public static final int ANTHROPIC_SCALE_PERCENT = 150;
    /** Google (Gemini): 4 characters a token, against {@code cl100k_base}'s 4.9 to 5.4. */
    public static final int GOOGLE_SCALE_PERCENT = 135;

    private final TiktokenCounter base;
    private final int scalePercent;
    private final String basis;

    private ScaledEstimateCounter(TiktokenCounter base, int scalePercent, String basis) {
        this.base = base;
        this.scalePercent = scalePercent;
        this.basis = basis;
    }

    /**
     * {@code base}'s count times {@code scalePercent} / 100, rounded up.
     *
     * @param basis where the factor comes from, for {@link #description()}
     * @throws IllegalArgumentException when {@code scalePercent} is not from 100 to 1000
     */
    public static ScaledEstimateCounter of(TiktokenCounter base, int scalePercent, String basis) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(basis, "basis");
        if (scalePercent < 100 || scalePercent > 1000) {
            throw new IllegalArgumentException("scale_percent: must be from 100 to 1000, got " + scalePercent);
        }
        return new ScaledEstimateCounter(base, scalePercent, basis);
    }

    /** Claude models. */
    public static ScaledEstimateCounter anthropic() {
        return of(TiktokenCounter.cl100k(), ANTHROPIC_SCALE_PERCENT, "Anthropic: ~3.5 English characters a token");
    }

    /** Gemini models. */
    public static ScaledEstimateCounter google() {
        return of(TiktokenCounter.cl100k(), GOOGLE_SCALE_PERCENT, "Google: ~4 characters a token");
    }

    @Override
    public long countChat(List<ChatMessage> messages) {
        long scaled = Math.multiplyExact(base.countChat(messages), (long) scalePercent);
        return Math.floorDiv(scaled + 99, 100);
    }

    @Override
    public CountAccuracy accuracy() {
        return CountAccuracy.ESTIMATE;
    }

    @Override
    public String description() {
        return "cl100k_base x " + scalePercent + "% (estimate; " + basis + ")";
    }

    @Override
    public String toString() {
        return description();
    }
}
