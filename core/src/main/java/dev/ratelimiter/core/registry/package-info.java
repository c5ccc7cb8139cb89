/**
 * Where limit states live between restarts (SPEC 4): the {@link dev.ratelimiter.core.registry.LimitStore}
 * interface, the durable {@link dev.ratelimiter.core.registry.FileRegistry} (atomic, fsynced saves of
 * one JSON file) and an in-memory store for tests and for a local limiter without a file.
 *
 * <p>Depends on {@code core.model} and {@code core.wire} (the file uses the admin API's rules).
 */
package dev.ratelimiter.core.registry;
