package dev.ratelimiter.core.settings;

import java.util.Objects;

/**
 * A setting is outside its bounds. {@link #field} names it as its record component does
 * ({@code requestTimeout}, {@code addresses[1]}), {@link #rule} says what was wrong with the value; the
 * message is both, so that a caller that has no property name of its own can show it as is.
 */
public final class SettingOutOfBoundsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String rule;

    public SettingOutOfBoundsException(String field, String rule) {
        super(Objects.requireNonNull(field, "field") + " " + Objects.requireNonNull(rule, "rule"));
        this.field = field;
        this.rule = rule;
    }

    /** The field as its record component is named, with an {@code [index]} for an item of a list. */
    public String field() {
        return field;
    }

    /** The field without its index: the record component's name. */
    public String component() {
        int bracket = field.indexOf('[');
        return bracket < 0 ? field : field.substring(0, bracket);
    }

    /** The index part of {@link #field} ({@code "[1]"}), or "" for a field that is not a list item. */
    public String index() {
        int bracket = field.indexOf('[');
        return bracket < 0 ? "" : field.substring(bracket);
    }

    /** What was wrong, with the value ({@code must be from 1 to 8189, got 0}). */
    public String rule() {
        return rule;
    }
}
