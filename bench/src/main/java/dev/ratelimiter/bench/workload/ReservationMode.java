package dev.ratelimiter.bench.workload;

import dev.ratelimiter.core.llm.LlmRequirements;

/** What a call reserves of the token limits, besides its maximum output tokens. */
enum ReservationMode {
    /** The prompt's UTF-8 bytes: the helper's bound before token counting ({@code LlmRequirements.of}). */
    BYTES,
    /** The prompt's tokens as the client's token counter counts them ({@code TokenCounters}). */
    TOKENS;

    /**
     * The call's requirements. The byte bound is passed as a count of prompt units: it reserves
     * exactly what {@link LlmRequirements#of} reserves for the same text, without keeping the text.
     */
    LlmRequirements requirements(LlmCall call) {
        long prompt = this == BYTES ? call.promptBytes() : call.promptTokensCounted();
        return LlmRequirements.ofPromptTokens(
                        call.model().provider(), call.model().model(), prompt, call.maxOutputTokens())
                .withTenant(call.tenant());
    }

    String label() {
        return this == BYTES ? "bytes" : "tokens";
    }
}
