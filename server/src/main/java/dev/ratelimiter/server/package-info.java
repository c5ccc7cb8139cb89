/**
 * ratelimiterd, the HTTP server of the LLM rate limiter (SPEC 3 and 4): the entry point.
 * {@code config} holds the settings, {@code lifecycle} starts and stops the limiter, {@code http}
 * maps the API onto core's {@link dev.ratelimiter.core.service.LimiterService} and
 * {@link dev.ratelimiter.core.wire.WireCodec}, {@code metrics} counts what happens, {@code access} decides who may call what and audits admin changes.
 */
package dev.ratelimiter.server;
