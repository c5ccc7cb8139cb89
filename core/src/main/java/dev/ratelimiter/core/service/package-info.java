/**
 * The limiter as an application sees it: {@link dev.ratelimiter.core.service.LimiterService} validates
 * requests, serialises admin changes and makes them durable before they are acknowledged, runs the
 * decrease loop, and delegates admission to a {@link dev.ratelimiter.core.backend.Backend}. The HTTP
 * server and the client's local limiter both stand on it.
 *
 * <p>Depends on {@code core.model}, {@code core.wire}, {@code core.backend} and {@code core.registry}.
 */
package dev.ratelimiter.core.service;
