package dev.ratelimiter.core.llm;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one LLM call must reserve (SPEC 7): one request of {@code global:llm:<provider>:<model>:rpm},
 * an upper bound of its tokens of {@code ...:tpm}, one slot of {@code ...:concurrency}, and, when
 * the call is made for a tenant, the same token bound of {@code tenant:<tenant>:llm:daily_tokens}.
 *
 * <p>The token bound of {@link #of} is the prompt's size in UTF-8 bytes plus {@code
 * max_output_tokens}: a prompt never has more tokens than bytes, and the answer never more than the
 * maximum asked for, so the reservation covers the call. It is safe but loose (English runs about
 * four bytes a token). {@link #ofPromptTokens} takes the prompt's tokens as counted by the caller
 * instead (the client library's token counters count them exactly where the tokenizer is public).
 * After the call, {@link #actuals} reports the real token usage so the limiter can free the
 * difference, or take the overage (reconciliation, SPEC 2.3).
 *
 * <p>Example:
 * <pre>{@code
 * LlmRequirements call = LlmRequirements.of("openai", "gpt-4o", prompt, 512).withTenant("acme");
 * limiter.reserve(call.reserveRequest(leaseId));
 * ... run the call ...
 * limiter.complete(call.completeRequest(leaseId, usage.inputTokens(), usage.outputTokens()));
 * }</pre>
 *
 * <p>Immutable and thread-safe. Every argument is checked at once; a bad one is an
 * {@link IllegalArgumentException} naming it and the rule.
 */
public final class LlmRequirements {
    /** The longest limit key the server accepts (SPEC 3). */
    private static final int MAX_KEY_LENGTH = 256;

    private final String provider;
    private final String model;
    private final long tokenUpperBound;
    private final String tenant;

    private LlmRequirements(String provider, String model, long tokenUpperBound, String tenant) {
        this.provider = provider;
        this.model = model;
        this.tokenUpperBound = tokenUpperBound;
        this.tenant = tenant;
    }

    /**
     * The requirements of a call of {@code model} at {@code provider} with {@code prompt} that may
     * answer with up to {@code maxOutputTokens} tokens.
     *
     * @param provider e.g. {@code openai}; printable ASCII without whitespace
     * @param model e.g. {@code gpt-4o}; printable ASCII without whitespace
     * @param prompt the whole text sent to the model (any Unicode)
     * @param maxOutputTokens the most tokens the answer may have, from 1
     * @throws IllegalArgumentException when an argument is blank, holds whitespace or non-ASCII
     *     characters, makes a key longer than 256 characters, or the token bound overflows
     */
    public static LlmRequirements of(String provider, String model, String prompt, long maxOutputTokens) {
        Objects.requireNonNull(prompt, "prompt");
        return build(provider, model, utf8Length(prompt), "bytes", maxOutputTokens);
    }

    /**
     * The requirements of a call whose prompt the caller has counted: {@code promptTokens} plus
     * {@code maxOutputTokens} are reserved. The reservation is an upper bound only when the count
     * is (an exact count with the provider's own tokenizer, chat overhead included); when it is an
     * estimate, usage above it is overage, reserved on complete if it fits or recorded as debt
     * (SPEC 2.3).
     *
     * @param promptTokens the prompt's tokens, from 0
     * @param maxOutputTokens the most tokens the answer may have, from 1
     * @throws IllegalArgumentException as {@link #of}, and when {@code promptTokens} is negative
     */
    public static LlmRequirements ofPromptTokens(
            String provider, String model, long promptTokens, long maxOutputTokens) {
        if (promptTokens < 0) {
            throw new IllegalArgumentException("prompt_tokens: must be at least 0, got " + promptTokens);
        }
        return build(provider, model, promptTokens, "tokens", maxOutputTokens);
    }

    private static LlmRequirements build(
            String provider, String model, long promptSize, String promptUnit, long maxOutputTokens) {
        checkKeyPart("provider", provider);
        checkKeyPart("model", model);
        if (maxOutputTokens < 1) {
            throw new IllegalArgumentException("max_output_tokens: must be at least 1, got " + maxOutputTokens);
        }
        long tokenUpperBound;
        try {
            tokenUpperBound = Math.addExact(promptSize, maxOutputTokens);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "max_output_tokens: the prompt's " + promptSize + " " + promptUnit + " plus " + maxOutputTokens
                            + " tokens exceed " + Long.MAX_VALUE,
                    e);
        }
        LlmRequirements requirements = new LlmRequirements(provider, model, tokenUpperBound, "");
        checkKeyLength("model", requirements.concurrencyKey());
        return requirements;
    }

    /**
     * The same call made for {@code tenant}: its daily tokens are reserved too.
     *
     * @throws IllegalArgumentException when the tenant is blank, holds whitespace or non-ASCII
     *     characters, or makes the key longer than 256 characters
     */
    public LlmRequirements withTenant(String tenant) {
        checkKeyPart("tenant", tenant);
        LlmRequirements requirements = new LlmRequirements(provider, model, tokenUpperBound, tenant);
        checkKeyLength("tenant", requirements.dailyTokensKey().orElseThrow());
        return requirements;
    }

    public String provider() {
        return provider;
    }

    public String model() {
        return model;
    }

    /** The tenant, when the call is made for one. */
    public Optional<String> tenant() {
        return tenant.isEmpty() ? Optional.empty() : Optional.of(tenant);
    }

    /** The tokens reserved: the prompt's size (UTF-8 bytes, or counted tokens) plus the maximum output tokens. */
    public long tokenUpperBound() {
        return tokenUpperBound;
    }

    public String rpmKey() {
        return modelKey("rpm");
    }

    public String tpmKey() {
        return modelKey("tpm");
    }

    public String concurrencyKey() {
        return modelKey("concurrency");
    }

    /** {@code tenant:<tenant>:llm:daily_tokens}, when the call is made for a tenant. */
    public Optional<String> dailyTokensKey() {
        return tenant.isEmpty() ? Optional.empty() : Optional.of("tenant:" + tenant + ":llm:daily_tokens");
    }

    /** What to reserve, in this order: rpm 1, tpm the bound, concurrency 1, daily tokens the bound. */
    public List<Requirement> requirements() {
        List<Requirement> requirements = new ArrayList<>(4);
        requirements.add(new Requirement(rpmKey(), 1));
        requirements.add(new Requirement(tpmKey(), tokenUpperBound));
        requirements.add(new Requirement(concurrencyKey(), 1));
        dailyTokensKey().ifPresent(key -> requirements.add(new Requirement(key, tokenUpperBound)));
        return List.copyOf(requirements);
    }

    /**
     * The real usage after the call, for the token keys (tpm and daily tokens). The request and
     * concurrency keys need none: a request counts once whatever it used, and completing the lease
     * releases its concurrency slot.
     *
     * @throws IllegalArgumentException when a count is negative or their sum overflows
     */
    public List<Actual> actuals(long inputTokens, long outputTokens) {
        if (inputTokens < 0) {
            throw new IllegalArgumentException("input_tokens: must be at least 0, got " + inputTokens);
        }
        if (outputTokens < 0) {
            throw new IllegalArgumentException("output_tokens: must be at least 0, got " + outputTokens);
        }
        long usedTokens;
        try {
            usedTokens = Math.addExact(inputTokens, outputTokens);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "output_tokens: " + inputTokens + " input plus " + outputTokens + " output tokens exceed "
                            + Long.MAX_VALUE,
                    e);
        }
        List<Actual> actuals = new ArrayList<>(2);
        actuals.add(new Actual(tpmKey(), usedTokens));
        dailyTokensKey().ifPresent(key -> actuals.add(new Actual(key, usedTokens)));
        return List.copyOf(actuals);
    }

    /** A reserve of {@link #requirements()} under {@code leaseId}. */
    public ReserveRequest reserveRequest(String leaseId) {
        return new ReserveRequest(leaseId, "", requirements());
    }

    /** A complete of {@code leaseId} reporting the real token usage ({@link #actuals}). */
    public CompleteRequest completeRequest(String leaseId, long inputTokens, long outputTokens) {
        return new CompleteRequest(leaseId, "", actuals(inputTokens, outputTokens));
    }

    /**
     * The number of bytes of {@code text} in UTF-8, counted without encoding it. An unpaired
     * surrogate counts 1, as {@link String#getBytes} replaces it with one '?'.
     */
    public static long utf8Length(String text) {
        long bytes = 0;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private String modelKey(String suffix) {
        return "global:llm:" + provider + ":" + model + ":" + suffix;
    }

    private static void checkKeyPart(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": must not be blank");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(name + ": must be printable ASCII without whitespace (it is part"
                        + " of a limit key), found " + String.format("U+%04X", (int) c) + " at position " + i);
            }
        }
    }

    private static void checkKeyLength(String name, String key) {
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException(name + ": makes the limit key " + key.length()
                    + " characters long, at most " + MAX_KEY_LENGTH + " are allowed");
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof LlmRequirements)) {
            return false;
        }
        LlmRequirements that = (LlmRequirements) other;
        return provider.equals(that.provider)
                && model.equals(that.model)
                && tokenUpperBound == that.tokenUpperBound
                && tenant.equals(that.tenant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provider, model, tokenUpperBound, tenant);
    }

    @Override
    public String toString() {
        return "LlmRequirements" + requirements();
    }
}
