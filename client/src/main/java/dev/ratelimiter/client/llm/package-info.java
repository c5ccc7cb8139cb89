/**
 * Token counting for the LLM helper: what a call's prompt costs in the provider's tokens, so that a
 * reservation of tokens per minute is close to what the call can use instead of the prompt's bytes.
 *
 * <p>{@link dev.ratelimiter.client.llm.TokenCounters} picks a {@link dev.ratelimiter.client.llm.TokenCounter}
 * by provider and model and builds core's {@link dev.ratelimiter.core.llm.LlmRequirements} from the
 * count. Counters: {@link dev.ratelimiter.client.llm.TiktokenCounter} (exact, OpenAI's public
 * tokenizers through jtokkit), {@link dev.ratelimiter.client.llm.ScaledEstimateCounter} (a calibrated
 * estimate for providers whose tokenizer is not public) and
 * {@link dev.ratelimiter.client.llm.ByteBoundCounter} (a safe bound for everything else). Users plug
 * in their own counter through the interface. Each counter says how far its count can be trusted
 * ({@link dev.ratelimiter.client.llm.CountAccuracy}).
 *
 * <p>Depends on {@code core.llm}, jtokkit and the JDK. Core itself stays free of any tokenizer.
 */
package dev.ratelimiter.client.llm;
