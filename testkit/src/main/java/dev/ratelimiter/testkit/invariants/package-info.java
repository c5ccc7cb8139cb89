/**
 * Checkers of the limiter's safety properties (SPEC 1 and 10), reusable by every suite that drives
 * a limiter, in process or over HTTP:
 * <ul>
 *   <li>{@link dev.ratelimiter.testkit.invariants.SlidingWindowVerifier}: offline, one key, the
 *       recorded holds never sum above the capacity at any instant (every sliding window of a
 *       rolling key; every moment of a concurrency key);</li>
 *   <li>{@link dev.ratelimiter.testkit.invariants.AdmissionLog}: records the admissions of a run from
 *       many threads, as lower bounds of what the limiter held, and verifies every key with one
 *       verifier per process lifetime;</li>
 *   <li>{@link dev.ratelimiter.testkit.invariants.ConcurrencyChecker}: live, the holds in flight on a
 *       concurrency key never sum above its capacity;</li>
 *   <li>{@link dev.ratelimiter.testkit.invariants.UsageSampler}: reads the limiter's own usage at an
 *       interval during a run and checks each reading.</li>
 * </ul>
 * They observe a limiter from outside and never change it. They are test tooling, so they live in
 * the testkit, not in core: every suite that drives a limiter shares one tested implementation, and
 * no production jar carries them.
 *
 * <p>Depends on {@code core.model} and {@code core.time} only.
 */
package dev.ratelimiter.testkit.invariants;
