/**
 * The runners of the conformance harness: one JUnit Platform suite per target, each running every
 * scenario of the features module with the shared steps and that target's hooks. Surefire picks up
 * the classes named {@code *TargetTest}; common Cucumber settings are in
 * {@code src/test/resources/junit-platform.properties}.
 */
package dev.ratelimiter.stepdefs;
