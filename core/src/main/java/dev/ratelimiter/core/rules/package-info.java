/**
 * The admission rules of SPEC 2, written once for every backend: the order of checks for a repeated
 * lease id, the checks a reserve passes before its fit is measured, the retry hint of a capacity
 * denial, how a complete settles each hold, and where overage goes. Pure decisions over the state a
 * backend supplies (a key's view, what it remembers of a lease); no state, no locks, no I/O.
 *
 * <p>Depends on {@code core.model} and {@code core.retry} only. Backends ({@code core.memory}, the
 * TigerBeetle module) call it; it knows neither.
 */
package dev.ratelimiter.core.rules;
