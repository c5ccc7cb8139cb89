/**
 * The domain's values: limit definitions and states, leases' requests and their answers, usage.
 *
 * <p>Plain immutable records and enums, named as the SPEC names them (section 1 and 3). They hold
 * data and enforce only what makes a value unusable (nulls); the rules of the contract are checked
 * by {@link dev.ratelimiter.core.wire.RequestValidator} (and {@link
 * dev.ratelimiter.core.model.RepeatedKeys}, the duplicate-key check it shares with the backends).
 * Depends on the JDK only.
 */
package dev.ratelimiter.core.model;
