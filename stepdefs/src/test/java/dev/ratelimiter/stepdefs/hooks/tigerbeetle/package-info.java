/**
 * The hooks of the tigerbeetle target: glue that the {@code TigerBeetleTargetTest} runner adds to
 * the shared steps. Depends on the target package only.
 */
package dev.ratelimiter.stepdefs.hooks.tigerbeetle;
