/**
 * Several servers, one set of limits: a server whose {@code ratelimiter.limits-source.url} names
 * another ratelimiterd follows that one's limits. {@link dev.ratelimiter.server.follow.LimitsFollower}
 * polls the source's admin API and applies what differs through the
 * {@link dev.ratelimiter.core.service.LimiterService}, and forwards admin changes sent to this
 * server; {@link dev.ratelimiter.server.follow.FollowerFactory} starts it when a source is set.
 *
 * <p>Depends on core (service, model, wire codec), the {@code config} package for the source's
 * settings, {@code access} for the audit line and {@code metrics} for the key list, Micronaut's
 * context, and the JDK's HTTP client (a few admin calls a second at most).
 */
package dev.ratelimiter.server.follow;
