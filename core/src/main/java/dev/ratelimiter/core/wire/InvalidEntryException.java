package dev.ratelimiter.core.wire;

import java.util.Objects;

/**
 * One entry of a list document (the registry file, a limits file) cannot be decoded. It carries
 * the entry's index, its key when the key could be read, and the detail relative to the entry
 * (such as {@code definition.capacity: must be an integer, got the string "5"}), so that the
 * reader of the file can name the file, the entry and the rule in one message.
 */
public final class InvalidEntryException extends RuntimeException {
    private final int index;
    private final String key;
    private final String detail;

    /**
     * @param index the entry's position in its list, from 0
     * @param key the entry's key as written, or "" when it could not be read
     * @param detail the field within the entry and the rule it breaks
     */
    public InvalidEntryException(int index, String key, String detail) {
        super(describe(index, key) + ": " + detail, null, false, false);
        this.index = index;
        this.key = Objects.requireNonNull(key, "key");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** {@code entry 2 (key "global:llm:x:y:tpm")}, or {@code entry 2 (no readable key)}. */
    public static String describe(int index, String key) {
        return "entry " + index + (key.isEmpty() ? " (no readable key)" : " (key \"" + key + "\")");
    }

    public int index() {
        return index;
    }

    /** The entry's key as written, or "" when it could not be read. */
    public String key() {
        return key;
    }

    /** The field within the entry and the rule it breaks. */
    public String detail() {
        return detail;
    }
}
