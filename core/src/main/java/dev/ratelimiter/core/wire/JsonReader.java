package dev.ratelimiter.core.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Iterator;
import java.util.Set;

/**
 * Strict typed access to one JSON object, with the object's path for error details.
 * Package-private: only {@link WireCodec} reads JSON.
 */
final class JsonReader {
    private final JsonNode node;
    private final String path;

    private JsonReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}; rejects anything else and any field outside {@code allowed}. */
    static JsonReader object(JsonNode node, String path, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException(label(path) + ": must be a JSON object, got " + typeOf(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidRequestException(field(path, name) + ": unknown field");
            }
        }
        return new JsonReader(node, path);
    }

    String path(String name) {
        return field(path, name);
    }

    JsonNode raw(String name) {
        return node.get(name);
    }

    boolean isAbsent(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull();
    }

    String requiredString(String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new InvalidRequestException(path(name) + ": is required");
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException(path(name) + ": must be a string, got " + typeOf(value));
        }
        return value.textValue();
    }

    /** An optional string: absent or null reads as {@code fallback}. */
    String optionalString(String name, String fallback) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new InvalidRequestException(path(name) + ": must be a string, got " + typeOf(value));
        }
        return value.textValue();
    }

    long requiredLong(String name) {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new InvalidRequestException(path(name) + ": is required");
        }
        return toLong(value, path(name));
    }

    /** An optional integer: absent reads as {@code fallback}; null is rejected, not coerced. */
    long optionalLong(String name, long fallback) {
        JsonNode value = node.get(name);
        return value == null ? fallback : toLong(value, path(name));
    }

    boolean requiredBoolean(String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isBoolean()) {
            throw new InvalidRequestException(path(name) + ": must be true or false, got " + typeOf(value));
        }
        return value.booleanValue();
    }

    /** The array at {@code name}; {@code required=false} reads absent or null as null. */
    JsonNode array(String name, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidRequestException(path(name) + ": is required");
            }
            return null;
        }
        if (!value.isArray()) {
            throw new InvalidRequestException(path(name) + ": must be an array, got " + typeOf(value));
        }
        return value;
    }

    static long toLong(JsonNode value, String path) {
        if (value.isIntegralNumber()) {
            if (value.canConvertToLong()) {
                return value.longValue();
            }
            throw new InvalidRequestException(path + ": must be an integer from " + Long.MIN_VALUE + " to "
                    + Long.MAX_VALUE + ", got " + value.asText());
        }
        if (value.isNumber()) {
            throw new InvalidRequestException(path + ": must be an integer, got the fraction " + value.asText());
        }
        throw new InvalidRequestException(path + ": must be an integer, got " + typeOf(value));
    }

    static String typeOf(JsonNode value) {
        if (value == null) {
            return "nothing";
        }
        JsonNodeType type = value.getNodeType();
        switch (type) {
            case STRING:
                return "the string \"" + abbreviate(value.textValue()) + "\"";
            case NUMBER:
                return "the number " + value.asText();
            case BOOLEAN:
                return "the boolean " + value.asText();
            case NULL:
                return "null";
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            default:
                return type.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static String label(String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static String field(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
