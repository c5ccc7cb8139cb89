/**
 * The limiter over HTTP: {@link dev.ratelimiter.client.http.HttpLimiter} speaks the API of SPEC 3 to
 * a {@code ratelimiterd} server, with bounded retries of unknown outcomes under the same lease id,
 * over an {@link dev.ratelimiter.client.http.HttpTransport}: by default the package's own HTTP/1.1
 * client on pooled blocking keep-alive connections ({@code Http1Transport}, {@code Http1Connection}).
 *
 * <p>Depends on {@code client}, {@code client.timing}, {@code core.model}, {@code core.wire} (the one
 * definition of the wire) and the JDK (sockets and JSSE); never on Micronaut nor another HTTP client.
 */
package dev.ratelimiter.client.http;
