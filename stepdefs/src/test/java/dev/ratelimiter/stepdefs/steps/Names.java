package dev.ratelimiter.stepdefs.steps;

import dev.ratelimiter.core.model.ErrorCodes;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the names a scenario uses ("tokens", lease "L1") into names unique to this scenario and
 * run, and back. Keys become {@code <namespace>:<name>} and lease ids {@code <namespace>-<name>};
 * the namespace is "bdd" and ten random base-36 characters, which fits the rules of both (a lease
 * id must not contain a colon). Immutable.
 */
public final class Names {
    private static final int RANDOM_CHARACTERS = 10;
    /** The error codes that end in a key; {@code lease_expired:} ends in a lease id instead. */
    private static final List<String> KEY_ERRORS = List.of(
            ErrorCodes.UNKNOWN_LIMIT_KEY_PREFIX,
            ErrorCodes.LIMIT_DECREASING_PREFIX,
            ErrorCodes.EXCEEDS_CAPACITY_PREFIX);

    private final String namespace;

    private Names(String namespace) {
        this.namespace = namespace;
    }

    static Names random() {
        StringBuilder namespace = new StringBuilder("bdd");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_CHARACTERS; i++) {
            namespace.append(Character.forDigit(random.nextInt(36), 36));
        }
        return new Names(namespace.toString());
    }

    public String namespace() {
        return namespace;
    }

    public String key(String name) {
        return namespace + ":" + name;
    }

    public String lease(String name) {
        return namespace + "-" + name;
    }

    /** The prefix every key of this scenario starts with. */
    public String keyPrefix() {
        return namespace + ":";
    }

    /** The scenario's name for a key, or the key itself when it is not one of this scenario's. */
    public String keyName(String key) {
        return key.startsWith(keyPrefix()) ? key.substring(keyPrefix().length()) : key;
    }

    /**
     * The error code a server must send when the scenario expects {@code expected}: the key or
     * lease id after the colon is translated into this scenario's namespace.
     */
    public String error(String expected) {
        for (String prefix : KEY_ERRORS) {
            if (expected.startsWith(prefix)) {
                return prefix + key(expected.substring(prefix.length()));
            }
        }
        if (expected.startsWith(ErrorCodes.LEASE_EXPIRED_PREFIX)) {
            return ErrorCodes.LEASE_EXPIRED_PREFIX
                    + lease(expected.substring(ErrorCodes.LEASE_EXPIRED_PREFIX.length()));
        }
        return expected;
    }
}
