package dev.ratelimiter.stepdefs.steps;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes request bodies whose values are given as JSON text, so that a scenario can put any token
 * in any field: a fraction, a number as text, null, a number beyond 64 bits, or nothing at all.
 * The well-formed requests of the other steps are written by core's codec instead.
 */
final class RawJson {
    /** The scenario's word for a field that is left out of the request. */
    static final String ABSENT = "absent";

    private RawJson() {}

    /** A JSON string with the characters JSON requires escaped. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** The text inside a quoted cell such as {@code "  tokens "}; a cell without quotes is taken as is. */
    static String unquote(String cell) {
        String text = cell.strip();
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            return text.substring(1, text.length() - 1);
        }
        return text;
    }

    /**
     * The JSON text of a value written in a scenario: {@code N characters} is a string of N
     * letters (valid in every field, so only its length is wrong), anything else is JSON as written.
     */
    static String value(String written, char filler) {
        String text = written.strip();
        if (text.endsWith(" characters")) {
            int length = Integer.parseInt(
                    text.substring(0, text.length() - " characters".length()).strip());
            return quote(String.valueOf(filler).repeat(length));
        }
        return text;
    }

    static String array(List<String> items) {
        return "[" + String.join(",", items) + "]";
    }

    static Obj object() {
        return new Obj();
    }

    /** A JSON object whose fields keep their order; values are JSON text. Not thread-safe. */
    static final class Obj {
        private final Map<String, String> fields = new LinkedHashMap<>();

        Obj put(String name, String json) {
            fields.put(name, json);
            return this;
        }

        /** Sets a field to a value written in a scenario, or removes it when the value is "absent". */
        Obj set(String name, String written, char filler) {
            if (written.strip().equals(ABSENT)) {
                fields.remove(name);
            } else {
                fields.put(name, value(written, filler));
            }
            return this;
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("{");
            for (Map.Entry<String, String> field : fields.entrySet()) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(quote(field.getKey())).append(':').append(field.getValue());
            }
            return out.append('}').toString();
        }

        byte[] bytes() {
            return toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
