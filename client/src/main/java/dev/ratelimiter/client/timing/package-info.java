/**
 * Time and delays for the client: {@link dev.ratelimiter.client.timing.TaskTimer} runs a task after a
 * delay measured on a {@link dev.ratelimiter.core.time.Clock}. Production code uses
 * {@link dev.ratelimiter.client.timing.SystemTaskTimer} (one daemon thread); tests use
 * {@link dev.ratelimiter.client.timing.ManualTaskTimer}, whose time moves only when the test advances
 * it, so flush intervals, deadlines and retry delays are driven without sleeping.
 * {@link dev.ratelimiter.client.timing.Backoff} is the bounded exponential backoff of retries.
 *
 * <p>Depends on {@code core.time} and the JDK only.
 */
package dev.ratelimiter.client.timing;
