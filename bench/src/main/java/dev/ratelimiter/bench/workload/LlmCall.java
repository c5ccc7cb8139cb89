package dev.ratelimiter.bench.workload;

import dev.ratelimiter.client.llm.CountAccuracy;

/**
 * One generated LLM call: who makes it, when it arrives, what each way of reserving would reserve,
 * what it really uses and how long it runs.
 *
 * @param id the call's number, unique in a workload
 * @param tenant the tenant the call is made for
 * @param model the provider and model
 * @param arrivalMs when the application wants to make the call, in virtual ms from the start
 * @param promptBytes the UTF-8 bytes of the prompt's messages: what the byte bound reserves
 * @param promptTokensCounted the prompt's tokens as the client's token counter counts them
 * @param accuracy how far that count can be trusted
 * @param promptTokensActual the prompt tokens the provider bills
 * @param maxOutputTokens the answer's bound, as the application sets it
 * @param outputTokensActual the answer's real tokens, at most {@code maxOutputTokens}
 * @param durationMs how long the call runs once admitted
 */
record LlmCall(
        int id,
        String tenant,
        ModelSpec model,
        long arrivalMs,
        long promptBytes,
        long promptTokensCounted,
        CountAccuracy accuracy,
        long promptTokensActual,
        long maxOutputTokens,
        long outputTokensActual,
        long durationMs) {

    long actualTokens() {
        return promptTokensActual + outputTokensActual;
    }

    /** A provider and model of the workload, with the key prefix of its limits. */
    record ModelSpec(String provider, String model) {
        String name() {
            return provider + ":" + model;
        }
    }
}
