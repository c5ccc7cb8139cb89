package dev.ratelimiter.server.config;

import dev.ratelimiter.core.settings.SettingOutOfBoundsException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A setting is outside its bounds. The message names the property, the environment variable that
 * overrides it, the rule and the value, so the server can report it as one line and stop.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String property, String rule) {
        this(property, "", rule);
    }

    /** For an item of a list setting: {@code index} is its {@code [i]}, which the environment variable does not carry. */
    public InvalidSettingException(String property, String index, String rule) {
        super(property + index + " (" + environmentVariable(property) + ") " + rule);
    }

    /** The environment variable Micronaut maps onto {@code property}: upper case, dots and dashes as underscores. */
    public static String environmentVariable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Builds a core settings record from server properties under {@code prefix}; when the record
     * refuses a value, reports it under the property it came from: its field in kebab case
     * ({@code maxBatchItems} is {@code max-batch-items}), or the name {@code renamed} gives where the
     * server's property carries a unit the record's field does not.
     */
    static <T> T fromCore(String prefix, Map<String, String> renamed, Supplier<T> build) {
        try {
            return build.get();
        } catch (SettingOutOfBoundsException e) {
            String name = renamed.getOrDefault(e.component(), kebabCase(e.component()));
            throw new InvalidSettingException(prefix + "." + name, e.index(), e.rule());
        }
    }

    /** {@code inFlightRequestsMax} as {@code in-flight-requests-max}. */
    static String kebabCase(String field) {
        StringBuilder out = new StringBuilder(field.length() + 8);
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static long requireRange(String property, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidSettingException(property, "must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    static double requireRange(String property, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new InvalidSettingException(property, "must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    static String requireText(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidSettingException(property, "must not be empty");
        }
        return value.strip();
    }
}
