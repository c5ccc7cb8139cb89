/**
 * Time as a value the code asks for, never reads by itself: {@link dev.ratelimiter.core.time.Clock}
 * with the system clock for production and a manual clock that tests advance instead of sleeping.
 * Depends on the JDK only.
 */
package dev.ratelimiter.core.time;
