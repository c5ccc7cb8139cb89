package dev.ratelimiter.core.registry;

/**
 * The registry, or a limits file that seeds it, holds an entry that breaks a rule of the admin
 * API, or is not the JSON document it should be. The message names the file, the entry (its index
 * and key) and the rule; the server refuses to start with it.
 */
public final class InvalidRegistryException extends RuntimeException {
    public InvalidRegistryException(String message) {
        super(message);
    }
}
