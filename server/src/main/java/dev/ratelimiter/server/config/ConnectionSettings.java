package dev.ratelimiter.server.config;

import static dev.ratelimiter.server.config.InvalidSettingException.requireRange;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * Bounds on what one client connection may hold, bound to {@code ratelimiter.connections.*}; with
 * Micronaut's own idle timeouts and header and body limits they keep a hostile client from starving
 * the others. Immutable and thread-safe.
 *
 * @param max connections open at once; a connection beyond it is closed as soon as it is accepted
 * @param maxPerPeer connections open at once from one peer address; beyond it the peer's new
 *     connections are closed at once, while other peers still get in (at most {@code max})
 * @param requestReadTimeoutMs how long a request may take to arrive, from its first byte to its last
 *     (TLS handshake included); a connection that sends slower (a byte a second) is closed
 */
@ConfigurationProperties("ratelimiter.connections")
public record ConnectionSettings(int max, int maxPerPeer, long requestReadTimeoutMs) {
    public ConnectionSettings {
        requireRange("ratelimiter.connections.max", max, 1, 1_000_000);
        requireRange("ratelimiter.connections.max-per-peer", maxPerPeer, 1, max);
        requireRange("ratelimiter.connections.request-read-timeout-ms", requestReadTimeoutMs, 100, 600_000);
    }
}
