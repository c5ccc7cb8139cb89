/**
 * The requirements of one LLM call (SPEC 7, LLM helper): {@link dev.ratelimiter.core.llm.LlmRequirements}
 * names the conventional limit keys of a provider and model (requests per minute, tokens per minute,
 * concurrent calls, and a tenant's daily tokens), reserves an upper bound of the call's tokens and
 * reports the real usage afterwards.
 *
 * <p>Depends on {@code core.model} only.
 */
package dev.ratelimiter.core.llm;
