/**
 * The server's configuration: immutable records bound to the {@code ratelimiter} prefixes of
 * {@code application.yml}. Each record checks its bounds in its constructor, so a bad value stops
 * the server at start with one line naming the setting, its environment variable and the rule.
 * Every value can be overridden by an environment variable
 * ({@code ratelimiter.tigerbeetle.batch-size-max} by {@code RATELIMITER_TIGERBEETLE_BATCH_SIZE_MAX}).
 * The defaults live in {@code application.yml} only. The access tokens
 * ({@link dev.ratelimiter.server.config.AccessSettings}) are kept only as SHA-256 digests
 * ({@link dev.ratelimiter.server.config.BearerToken}) and are never printed.
 *
 * <p>Depends on core's {@code retry} and {@code wire} packages (to build their value types) and on
 * Micronaut's configuration annotations.
 */
package dev.ratelimiter.server.config;
