/**
 * The HTTP API of SPEC 3: thin controllers that hand the raw request body to core's strict
 * {@link dev.ratelimiter.core.wire.WireCodec}, call {@link dev.ratelimiter.core.service.LimiterService}
 * and answer JSON; {@link dev.ratelimiter.server.http.ApiErrors}, the one place where every
 * failure becomes an {@code {"error","detail"}} body; and {@link dev.ratelimiter.server.http.AccessFilter},
 * which applies the access rules of the {@code access} package to every request before its controller.
 *
 * <p>Threads: Micronaut invokes every controller method on the Netty event loop that read the
 * request. Admission calls and {@code /healthz} ask a
 * {@link dev.ratelimiter.server.lifecycle.CallDispatcher} where to run: on that event loop when the
 * backend never blocks (memory) and the body is small, otherwise on a bounded worker pool (always on
 * TigerBeetle). Admin calls always run on the admin pool, because a change writes the registry file.
 *
 * <p>Micronaut never binds a payload to an object here: the codec's rules (wrong types, fractions,
 * unknown fields, numbers beyond 2^63-1) are the contract, and a body is read as bytes whatever its
 * Content-Type. Depends on core, {@code access}, {@code lifecycle} (worker pools and dispatchers), {@code metrics},
 * {@code follow} (an admin change on a server that follows another's limits is forwarded there) and
 * Micronaut HTTP.
 */
package dev.ratelimiter.server.http;
