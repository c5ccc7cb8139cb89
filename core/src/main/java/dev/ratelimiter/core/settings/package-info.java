/**
 * Bounds of settings, checked once where each setting is defined: {@link
 * dev.ratelimiter.core.settings.Bounds} throws {@link
 * dev.ratelimiter.core.settings.SettingOutOfBoundsException}, which names the field as data so that a
 * server or a client can report it under its own property name without parsing a message.
 *
 * <p>Depends on nothing but the JDK.
 */
package dev.ratelimiter.core.settings;
