/**
 * The wire: strict JSON encoding and decoding of every payload of SPEC 3
 * ({@link dev.ratelimiter.core.wire.WireCodec}), the contract's validation rules
 * ({@link dev.ratelimiter.core.wire.RequestValidator}) and the configurable request bounds.
 *
 * <p>Decoding rejects what it cannot represent faithfully (wrong JSON types, fractions, numbers
 * beyond 64 bits, unknown or repeated fields) instead of coercing it; validation then checks the
 * contract's rules. Both name the offending field in the error's detail.
 *
 * <p>Depends on {@code core.model}, {@code core.settings} and Jackson (the only JSON library of core and client).
 */
package dev.ratelimiter.core.wire;
