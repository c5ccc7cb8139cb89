/**
 * Identifiers: spec-conformant ULIDs ({@link dev.ratelimiter.core.ids.Ulid}) and their monotonic,
 * thread-safe generator ({@link dev.ratelimiter.core.ids.UlidGenerator}), used as lease ids
 * (SPEC 7). A ULID's text form fits the {@code lease_id} rule of SPEC 3.
 *
 * <p>Depends on {@code core.time} and the JDK only.
 */
package dev.ratelimiter.core.ids;
