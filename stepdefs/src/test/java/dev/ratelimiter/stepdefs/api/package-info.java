/**
 * The harness's view of a limiter: the HTTP API of SPEC 3 seen from outside, with every answer
 * kept whole (status, headers, body, when it was sent and how long it took) so that steps can
 * judge it. Requests are built with core's {@link dev.ratelimiter.core.wire.WireCodec} where they
 * are well formed, and sent as raw bytes where a scenario needs a deliberately malformed one.
 *
 * <p>Depends on the JDK's {@link java.net.http.HttpClient}, core's wire and model packages, and the
 * server test jar's OpenAPI contract, which checks every answer against openapi.yml;
 * knows nothing of Cucumber or of how the server was started.
 */
package dev.ratelimiter.stepdefs.api;
