/**
 * File-system durability helpers shared by the registry and the journal: what both need to make a
 * rename or a new file survive a power loss. Depends on the JDK only.
 */
package dev.ratelimiter.core.io;
