/**
 * The backend SPI: what a store of holds must do to enforce limits (SPEC 5). Both the memory
 * backend and the TigerBeetle backend implement {@link dev.ratelimiter.core.backend.Backend} and pass
 * one contract suite (core's test-jar, {@code BackendContractTest}).
 *
 * <p>Depends on {@code core.model} only.
 */
package dev.ratelimiter.core.backend;
