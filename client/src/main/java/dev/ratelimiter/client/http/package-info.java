/**
 * The limiter over HTTP: {@link dev.ratelimiter.client.http.HttpLimiter} speaks the API of SPEC 3 to
 * a {@code ratelimiterd} server through the JDK {@link java.net.http.HttpClient}, with bounded
 * retries of unknown outcomes under the same lease id.
 *
 * <p>Depends on {@code client}, {@code client.timing}, {@code core.model}, {@code core.wire} (the one
 * definition of the wire) and the JDK; never on Micronaut.
 */
package dev.ratelimiter.client.http;
