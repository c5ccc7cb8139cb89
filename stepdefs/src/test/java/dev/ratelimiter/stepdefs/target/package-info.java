/**
 * The servers the scenarios judge: where each one runs, how it is started, how the harness waits
 * until it answers, and how it is stopped. One {@link dev.ratelimiter.stepdefs.target.Target} is
 * running at a time, held by {@link dev.ratelimiter.stepdefs.target.Targets} for the length of one
 * suite (Cucumber's BeforeAll and AfterAll hooks of the target's glue package start and stop it).
 *
 * <p>Depends on the api package, the testkit's launchers (the process and tigerbeetle targets start
 * the server jar and TigerBeetle through them), and (for the embedded target only) the ratelimiterd
 * server module; the server's test jar for the OpenAPI contract's count of checked answers. Never on
 * Cucumber's step classes.
 */
package dev.ratelimiter.stepdefs.target;
