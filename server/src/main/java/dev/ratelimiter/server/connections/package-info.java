/**
 * Bounds on hostile connections that Micronaut has no setting for: how many connections may be open
 * (in all and per peer address) and how long a request may take to arrive once it started
 * (against one-byte-a-second senders). {@link dev.ratelimiter.server.connections.ConnectionGuard}
 * adds them to every connection's Netty pipeline through Micronaut's {@code NettyServerCustomizer}.
 * Depends on the {@code config} package, Netty, Micronaut's Netty server and Micrometer.
 */
package dev.ratelimiter.server.connections;
