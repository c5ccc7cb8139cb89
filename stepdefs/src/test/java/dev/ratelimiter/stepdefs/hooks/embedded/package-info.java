/**
 * The hooks of the embedded target: glue that the {@code EmbeddedTargetTest} runner adds to the
 * shared steps. Depends on the target package only.
 */
package dev.ratelimiter.stepdefs.hooks.embedded;
