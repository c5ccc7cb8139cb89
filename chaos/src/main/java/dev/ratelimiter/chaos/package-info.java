/**
 * Stress and chaos harness (SPEC 10): {@link dev.ratelimiter.chaos.ChaosSettings} chooses between
 * the bounded version CI runs and the long version. The workload lives in
 * {@code dev.ratelimiter.chaos.workload}, the server and TigerBeetle processes in
 * {@code dev.ratelimiter.chaos.process}; the suites themselves are the module's tests.
 *
 * <p>Depends on core (its invariant checkers above all) and the JDK; nothing depends on this module.
 */
package dev.ratelimiter.chaos;
