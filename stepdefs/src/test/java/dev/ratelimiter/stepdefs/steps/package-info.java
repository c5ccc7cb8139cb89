/**
 * The Cucumber glue shared by every target: one step class per domain noun (limits, leases,
 * batches, refusals, the service), the per-scenario state they share through PicoContainer
 * ({@link dev.ratelimiter.stepdefs.steps.World}), and the naming that keeps scenarios apart.
 *
 * <p>Given and When steps act on the limiter; Then steps only observe it through its public API
 * and assert. Each scenario gets its own random namespace for limit keys and lease ids, so that
 * scenarios and runs never interfere, even on a shared server. Depends on the api and target
 * packages, core's wire and model packages, Cucumber and JUnit's assertions.
 */
package dev.ratelimiter.stepdefs.steps;
