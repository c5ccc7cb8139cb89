package dev.ratelimiter.core.registry;

/**
 * The registry holds an entry that breaks a rule of the admin API. The message names the entry
 * (its index and key) and the rule; the server refuses to start with it.
 */
public final class InvalidRegistryException extends RuntimeException {
    public InvalidRegistryException(String message) {
        super(message);
    }
}
