/**
 * The hooks of the url target: glue that the {@code UrlTargetTest} runner adds to the shared steps.
 * Depends on the target package only.
 */
package dev.ratelimiter.stepdefs.hooks.url;
