package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.core.llm.LlmRequirements;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.ReserveRequest;

/**
 * The calls the workers make, made once: one {@link LlmRequirements} per provider and tenant pair.
 *
 * <p>Why precomputed: the prompt of every call is {@code promptBytes} long, and building it per
 * lease would make the load generator measure its own allocations. The {@code n}-th lease of a run
 * uses provider {@code n mod providers} and tenant {@code (n / providers) mod tenants}, so that every
 * pair is used equally often.
 *
 * <p>Immutable after construction; thread-safe.
 */
final class CallMix {
    private final LlmRequirements[] calls;
    private final int providers;
    private final int tenants;
    private final long actualTokens;

    CallMix(LoadConfig config) {
        this.providers = config.providers();
        this.tenants = config.tenants();
        this.actualTokens = config.actualTokens();
        String prompt = "x".repeat(config.promptBytes());
        this.calls = new LlmRequirements[providers * tenants];
        for (int p = 0; p < providers; p++) {
            for (int t = 0; t < tenants; t++) {
                calls[t * providers + p] = config.call(p, t, prompt);
            }
        }
    }

    /** The reserve of lease number {@code n} under {@code leaseId}. */
    ReserveRequest reserve(long n, String leaseId) {
        return call(n).reserveRequest(leaseId);
    }

    /**
     * The complete of lease number {@code n}, reporting {@code actualTokens} used: all of them as
     * input tokens, since the split does not matter to the limiter.
     */
    CompleteRequest complete(long n, String leaseId) {
        return call(n).completeRequest(leaseId, actualTokens, 0);
    }

    private LlmRequirements call(long n) {
        int provider = (int) Math.floorMod(n, (long) providers);
        int tenant = (int) Math.floorMod(Math.floorDiv(n, (long) providers), (long) tenants);
        return calls[tenant * providers + provider];
    }
}
