package dev.ratelimiter.core.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads reserve and complete bodies (single and batch) straight from Jackson's token stream, without
 * building a tree: the hot path of {@link WireCodec} for requests that are entirely well formed.
 *
 * <p>It only ever accepts: every method answers the decoded request, or {@code null} when the body
 * is anything but a well-formed request of exactly the expected shape (a syntax error, a repeated,
 * unknown, missing or mistyped field, a number that is not a 64-bit integer, trailing data, a batch
 * of the wrong size, a malformed item). On {@code null} the codec decodes the same body with its
 * tree model, which finds the error and words it; so the rules and every error message live in one
 * place, and this class must only never accept what the tree model would reject. What it accepts,
 * it decodes to the values the tree model would: strings as Jackson reads them, integers that
 * Jackson reads as {@code int} or {@code long} (larger ones fall back), {@code job_id} null as empty,
 * {@code actuals} absent or null as empty.
 *
 * <p>Allocation: the parser, the decoded records and their strings; nothing per field or per item
 * beyond what the decoded values hold. Thread-safe: stateless apart from the shared factory.
 */
final class FastRequestReader {
    private final JsonFactory factory;

    FastRequestReader(JsonFactory factory) {
        this.factory = factory;
    }

    ReserveRequest reserve(byte[] body) {
        return whole(body, parser -> reserveObject(parser, new KeyStrings()));
    }

    CompleteRequest complete(byte[] body) {
        return whole(body, parser -> completeObject(parser, new KeyStrings()));
    }

    /** The batch's requests, all well formed, 1 to {@code maxItems} of them; else null. */
    List<ReserveRequest> reserveBatch(byte[] body, int maxItems) {
        KeyStrings keys = new KeyStrings();
        return whole(body, parser -> batch(parser, maxItems, item -> reserveObject(item, keys)));
    }

    List<CompleteRequest> completeBatch(byte[] body, int maxItems) {
        KeyStrings keys = new KeyStrings();
        return whole(body, parser -> batch(parser, maxItems, item -> completeObject(item, keys)));
    }

    private interface Body<T> {
        /** Reads one value starting at the parser's current token; null when it is not well formed. */
        T read(JsonParser parser) throws IOException;
    }

    /** One document, nothing after it. */
    private <T> T whole(byte[] body, Body<T> reader) {
        if (body == null || body.length == 0) {
            return null;
        }
        try (JsonParser parser = factory.createParser(body)) {
            if (parser.nextToken() == null) {
                return null;
            }
            T value = reader.read(parser);
            if (value == null || parser.nextToken() != null) {
                return null;
            }
            return value;
        } catch (JsonProcessingException e) {
            // A syntax error or a repeated field: the tree model words it.
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> List<T> batch(JsonParser parser, int maxItems, Body<T> item) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        List<T> items = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            if (!"requests".equals(parser.currentName()) || parser.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            items = new ArrayList<>(Math.min(maxItems, 256));
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (items.size() == maxItems) {
                    return null;
                }
                T value = item.read(parser);
                if (value == null) {
                    return null;
                }
                items.add(value);
            }
        }
        return token == JsonToken.END_OBJECT && items != null && !items.isEmpty() ? items : null;
    }

    private ReserveRequest reserveObject(JsonParser parser, KeyStrings keys) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String leaseId = null;
        String jobId = "";
        List<Requirement> requirements = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("lease_id".equals(name) && value == JsonToken.VALUE_STRING) {
                leaseId = parser.getText();
            } else if ("job_id".equals(name) && (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL)) {
                jobId = value == JsonToken.VALUE_NULL ? "" : parser.getText();
            } else if ("requirements".equals(name) && value == JsonToken.START_ARRAY) {
                requirements = new ArrayList<>(4);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    Requirement requirement = keyAmount(parser, keys, "amount", Requirement::new);
                    if (requirement == null) {
                        return null;
                    }
                    requirements.add(requirement);
                }
            } else {
                return null;
            }
        }
        if (token != JsonToken.END_OBJECT || leaseId == null || requirements == null) {
            return null;
        }
        return new ReserveRequest(leaseId, jobId, requirements);
    }

    private CompleteRequest completeObject(JsonParser parser, KeyStrings keys) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String leaseId = null;
        String jobId = "";
        List<Actual> actuals = List.of();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("lease_id".equals(name) && value == JsonToken.VALUE_STRING) {
                leaseId = parser.getText();
            } else if ("job_id".equals(name) && (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NULL)) {
                jobId = value == JsonToken.VALUE_NULL ? "" : parser.getText();
            } else if ("actuals".equals(name) && value == JsonToken.VALUE_NULL) {
                actuals = List.of();
            } else if ("actuals".equals(name) && value == JsonToken.START_ARRAY) {
                List<Actual> read = new ArrayList<>(4);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    Actual actual = keyAmount(parser, keys, "actual_amount", Actual::new);
                    if (actual == null) {
                        return null;
                    }
                    read.add(actual);
                }
                actuals = read;
            } else {
                return null;
            }
        }
        if (token != JsonToken.END_OBJECT || leaseId == null) {
            return null;
        }
        return new CompleteRequest(leaseId, jobId, actuals);
    }

    private interface KeyAmount<T> {
        T of(String key, long amount);
    }

    /** {@code {"key": <string>, <amountName>: <64-bit integer>}}, both required, nothing else. */
    private static <T> T keyAmount(JsonParser parser, KeyStrings keys, String amountName, KeyAmount<T> make)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        String key = null;
        long amount = 0;
        boolean hasAmount = false;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("key".equals(name) && value == JsonToken.VALUE_STRING) {
                key = keys.read(parser);
            } else if (amountName.equals(name)
                    && value == JsonToken.VALUE_NUMBER_INT
                    && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                amount = parser.getLongValue();
                hasAmount = true;
            } else {
                return null;
            }
        }
        return token == JsonToken.END_OBJECT && key != null && hasAmount ? make.of(key, amount) : null;
    }

    /**
     * The limit keys read so far in one body, so that the items of a batch, which name the same few
     * keys over and over, share one string per key: no string per requirement, and each key's hash is
     * computed once for the backend's lookups. Bounded: at most {@link #MAX_KEYS} are remembered;
     * further keys are read as new strings. Not thread-safe: one body, one reader.
     */
    private static final class KeyStrings {
        static final int MAX_KEYS = 16;
        private final String[] known = new String[MAX_KEYS];
        private int count;

        String read(JsonParser parser) throws IOException {
            char[] text = parser.getTextCharacters();
            int offset = parser.getTextOffset();
            int length = parser.getTextLength();
            for (int i = 0; i < count; i++) {
                if (sameText(known[i], text, offset, length)) {
                    return known[i];
                }
            }
            String key = new String(text, offset, length);
            if (count < MAX_KEYS) {
                known[count++] = key;
            }
            return key;
        }

        private static boolean sameText(String key, char[] text, int offset, int length) {
            if (key.length() != length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (key.charAt(i) != text[offset + i]) {
                    return false;
                }
            }
            return true;
        }
    }
}
