/**
 * The limiter in process: {@link dev.ratelimiter.client.local.LocalLimiter} runs core's memory backend
 * behind the same {@link dev.ratelimiter.core.service.LimiterService} as the server (validation,
 * durable admin changes, the decrease loop), loaded from a limits file, for applications that run
 * in a single process and want no server.
 *
 * <p>Depends on {@code client} and on core's {@code service}, {@code memory}, {@code registry},
 * {@code retry}, {@code wire}, {@code model} and {@code time}.
 */
package dev.ratelimiter.client.local;
