package dev.ratelimiter.chaos.workload;

import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Overage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The limits and calls of an LLM-shaped workload: {@code providers} provider/model pairs, each with
 * its rpm, tpm and concurrency limit, and {@code tenants} tenants with a daily-tokens limit (short
 * windows stand in for minutes and days so that a run of seconds crosses many windows). A call goes
 * to a random provider, half of the calls on behalf of a random tenant, with a random prompt and a
 * random output bound; its requirements come from {@link LlmRequirements}, as a real client's would.
 *
 * <p>Immutable and thread-safe; the randomness comes from the caller's generator.
 *
 * @param providers how many provider/model pairs (at least 1)
 * @param tenants how many tenants (0 for none)
 * @param rpmCapacity requests per rpm window
 * @param rpmWindowSeconds the rpm window
 * @param tpmCapacity tokens per tpm window
 * @param tpmWindowSeconds the tpm window
 * @param concurrencyCapacity calls in flight per provider
 * @param concurrencyTimeoutSeconds how long an uncompleted call holds its slot
 * @param dailyCapacity tokens per tenant per daily window
 * @param dailyWindowSeconds the tenant window
 * @param promptCharsMax the longest prompt, in ASCII characters (so in UTF-8 bytes)
 * @param outputTokensMax the largest output bound
 */
public record LlmWorkload(
        int providers,
        int tenants,
        long rpmCapacity,
        long rpmWindowSeconds,
        long tpmCapacity,
        long tpmWindowSeconds,
        long concurrencyCapacity,
        long concurrencyTimeoutSeconds,
        long dailyCapacity,
        long dailyWindowSeconds,
        int promptCharsMax,
        long outputTokensMax) {

    private static final String PROMPT_ALPHABET = "abcdefghijklmnopqrstuvwxyz ,.?";

    public LlmWorkload {
        if (providers < 1 || tenants < 0) {
            throw new IllegalArgumentException(
                    "providers must be at least 1 and tenants at least 0, got " + providers + " and " + tenants);
        }
        if (promptCharsMax < 0 || outputTokensMax < 1) {
            throw new IllegalArgumentException("promptCharsMax must be at least 0 and outputTokensMax at least 1");
        }
        long largestCall = promptCharsMax + outputTokensMax;
        if (largestCall > tpmCapacity || (tenants > 0 && largestCall > dailyCapacity)) {
            // A call above a capacity is refused with exceeds_capacity, which the workload counts as
            // unexpected: every call must be able to fit.
            throw new IllegalArgumentException("the largest call (" + largestCall + " tokens) must fit the tpm ("
                    + tpmCapacity + ") and daily (" + dailyCapacity + ") capacities");
        }
    }

    /** Every limit the workload needs, sorted by nothing in particular; daily tokens overage deny. */
    public List<LimitDefinition> definitions() {
        List<LimitDefinition> definitions = new ArrayList<>();
        for (int p = 0; p < providers; p++) {
            LlmRequirements call = LlmRequirements.of(provider(p), "m", "", 1);
            definitions.add(LimitDefinition.rolling(call.rpmKey(), rpmCapacity, rpmWindowSeconds));
            definitions.add(LimitDefinition.rolling(call.tpmKey(), tpmCapacity, tpmWindowSeconds));
            definitions.add(
                    LimitDefinition.concurrency(call.concurrencyKey(), concurrencyCapacity, concurrencyTimeoutSeconds));
        }
        for (int t = 0; t < tenants; t++) {
            String key = LlmRequirements.of(provider(0), "m", "", 1)
                    .withTenant(tenant(t))
                    .dailyTokensKey()
                    .orElseThrow();
            definitions.add(LimitDefinition.rolling(key, dailyCapacity, dailyWindowSeconds)
                    .withOverage(Overage.DENY));
        }
        return List.copyOf(definitions);
    }

    /** The longest time any hold of this workload lasts, in milliseconds. */
    public long longestHoldMillis() {
        long longest = 0;
        for (LimitDefinition definition : definitions()) {
            longest = Math.max(longest, definition.holdMillis());
        }
        return longest;
    }

    /** A random call. */
    public LlmRequirements nextCall(SplittableRandom random) {
        int promptChars = random.nextInt(promptCharsMax + 1);
        StringBuilder prompt = new StringBuilder(promptChars);
        for (int i = 0; i < promptChars; i++) {
            prompt.append(PROMPT_ALPHABET.charAt(random.nextInt(PROMPT_ALPHABET.length())));
        }
        long outputTokens = 1 + random.nextLong(outputTokensMax);
        LlmRequirements call =
                LlmRequirements.of(provider(random.nextInt(providers)), "m", prompt.toString(), outputTokens);
        if (tenants > 0 && random.nextBoolean()) {
            call = call.withTenant(tenant(random.nextInt(tenants)));
        }
        return call;
    }

    private static String provider(int index) {
        return "provider" + index;
    }

    private static String tenant(int index) {
        return "tenant" + index;
    }
}
