package dev.ratelimiter.server.config;

import java.util.Locale;

/**
 * A setting is outside its bounds. The message names the property, the environment variable that
 * overrides it, the rule and the value, so the server can report it as one line and stop.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    public InvalidSettingException(String property, String rule) {
        super(property + " (" + environmentVariable(property) + ") " + rule);
    }

    /** The environment variable Micronaut maps onto {@code property}: upper case, dots and dashes as underscores. */
    public static String environmentVariable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
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
