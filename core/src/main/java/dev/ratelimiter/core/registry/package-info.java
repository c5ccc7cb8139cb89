/**
 * Where limit states live between restarts (SPEC 4): the {@link dev.ratelimiter.core.registry.LimitStore}
 * interface, the durable {@link dev.ratelimiter.core.registry.FileRegistry} (atomic, fsynced saves of
 * one JSON file), an in-memory store for tests and for a local limiter without a file, and
 * {@link dev.ratelimiter.core.registry.LimitsFile}, the reader of a limits file that seeds a registry.
 *
 * <p>Depends on {@code core.model}, {@code core.wire} (the files use the admin API's rules) and
 * {@code core.io} (directory fsync).
 */
package dev.ratelimiter.core.registry;
