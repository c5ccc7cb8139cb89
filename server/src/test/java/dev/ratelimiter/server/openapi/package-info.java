/**
 * The OpenAPI document as a test oracle: {@link dev.ratelimiter.server.openapi.OpenApiContract}
 * checks real HTTP exchanges against {@code openapi.yml} (the server's resource) with Atlassian's
 * validator and records which operations and statuses were seen. Used by the server's own test
 * client and, through the server's test jar, by the BDD harness. Depends on the validator, the
 * swagger parser it brings, and core's codec; nothing here starts a server.
 */
package dev.ratelimiter.server.openapi;
