/**
 * Who may call what, and the record of what admins changed (SPEC 3, access control):
 * {@link dev.ratelimiter.server.access.AccessRule} decides a call from its area (admin, reserve and
 * complete, or open), its TCP peer and its {@code Authorization} header;
 * {@link dev.ratelimiter.server.access.AdminAudit} writes one JSON line per saved admin change.
 * Free of HTTP plumbing (the {@code http} package's filter applies the rule), so every branch is
 * tested with any peer address. Depends on core's model, wire codec and clock, and on the
 * {@code config} package for the tokens.
 */
package dev.ratelimiter.server.access;
