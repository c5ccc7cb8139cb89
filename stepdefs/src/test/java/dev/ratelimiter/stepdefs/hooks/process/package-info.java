/**
 * The hooks of the process target: glue that the {@code ProcessTargetTest} runner adds to the
 * shared steps. Depends on the target package only.
 */
package dev.ratelimiter.stepdefs.hooks.process;
