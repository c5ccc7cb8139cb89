package dev.ratelimiter.core.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Encodes and decodes every payload of SPEC 3 (requests and responses, so the server and the
 * client share one definition of the wire), the registry file of SPEC 4 and the limits file that
 * seeds it.
 *
 * <p>Decoding is strict: malformed JSON, trailing data, repeated or unknown fields, wrong JSON
 * types, fractions and integers beyond 64 bits are {@link InvalidRequestException}s whose detail
 * names the field. Well-formed reserve and complete bodies are read straight from their bytes when
 * they are plainly written ({@code PlainRequestReader}), else from Jackson's token stream
 * ({@code FastRequestReader}); any other body is read through a tree, where every rule and error
 * message lives. Decoding checks types only; the contract's rules are checked by
 * {@link RequestValidator}. Thread-safe and immutable; one instance can serve a whole process.
 */
public final class WireCodec {
    private static final Set<String> RESERVE_FIELDS = Set.of("lease_id", "job_id", "requirements");
    private static final Set<String> REQUIREMENT_FIELDS = Set.of("key", "amount");
    private static final Set<String> COMPLETE_FIELDS = Set.of("lease_id", "job_id", "actuals");
    private static final Set<String> ACTUAL_FIELDS = Set.of("key", "actual_amount");
    private static final Set<String> BATCH_FIELDS = Set.of("requests");
    private static final Set<String> DEFINITION_FIELDS =
            Set.of("key", "kind", "capacity", "window_seconds", "timeout_seconds", "unit", "description", "overage");
    private static final Set<String> STATE_FIELDS = Set.of("definition", "status", "pending_decrease_to", "revision");
    private static final Set<String> RESERVE_RESPONSE_FIELDS =
            Set.of("allowed", "retry_after_ms", "reserved_at_unix_ms", "error");
    private static final Set<String> COMPLETE_RESPONSE_FIELDS = Set.of("ok", "error");
    private static final Set<String> RESULTS_FIELDS = Set.of("results");
    private static final Set<String> INFO_FIELDS = Set.of("definition", "status", "pending_decrease_to", "usage");
    private static final Set<String> USAGE_FIELDS = Set.of("reserved", "available", "debt");
    private static final Set<String> LIMIT_FIELDS = Set.of("limit");
    private static final Set<String> LIMITS_FIELDS = Set.of("limits");
    private static final Set<String> PUT_RESPONSE_FIELDS = Set.of("ok", "status");
    private static final Set<String> ERROR_FIELDS = Set.of("error", "detail");
    /** How the errors of a request name the whole document; file errors leave the naming to the caller. */
    private static final String BODY = "body";

    private static final String FILE = "";

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    /** The hot path for well-formed reserve and complete bodies; anything else is read by the tree model. */
    private final FastRequestReader fast;

    public WireCodec() {
        this.mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
        this.factory = mapper.getFactory();
        this.fast = new FastRequestReader(factory);
    }

    // ---- requests -------------------------------------------------------------------------

    public ReserveRequest readReserveRequest(byte[] body) {
        ReserveRequest request = PlainRequestReader.reserve(body);
        if (request != null) {
            return request;
        }
        request = fast.reserve(body);
        return request != null ? request : reserveRequest(parse(body), "");
    }

    public CompleteRequest readCompleteRequest(byte[] body) {
        CompleteRequest request = PlainRequestReader.complete(body);
        if (request != null) {
            return request;
        }
        request = fast.complete(body);
        return request != null ? request : completeRequest(parse(body), "");
    }

    /**
     * Decodes a batch of reserves. The envelope must be valid with 1 to {@code maxItems} requests
     * (else the whole batch is invalid); a malformed item only marks its own slot.
     */
    public List<BatchItem<ReserveRequest>> readReserveBatch(byte[] body, int maxItems) {
        List<ReserveRequest> requests = PlainRequestReader.reserveBatch(body, maxItems);
        if (requests == null) {
            requests = fast.reserveBatch(body, maxItems);
        }
        return requests != null ? valid(requests) : batch(body, maxItems, this::reserveRequest);
    }

    /** Decodes a batch of completes, with the rules of {@link #readReserveBatch}. */
    public List<BatchItem<CompleteRequest>> readCompleteBatch(byte[] body, int maxItems) {
        List<CompleteRequest> requests = PlainRequestReader.completeBatch(body, maxItems);
        if (requests == null) {
            requests = fast.completeBatch(body, maxItems);
        }
        return requests != null ? valid(requests) : batch(body, maxItems, this::completeRequest);
    }

    /** The tree model alone, without the streaming hot path: what the hot path must agree with (tests). */
    List<BatchItem<ReserveRequest>> readReserveBatchByTree(byte[] body, int maxItems) {
        return batch(body, maxItems, this::reserveRequest);
    }

    List<BatchItem<CompleteRequest>> readCompleteBatchByTree(byte[] body, int maxItems) {
        return batch(body, maxItems, this::completeRequest);
    }

    private static <T> List<BatchItem<T>> valid(List<T> requests) {
        List<BatchItem<T>> items = new ArrayList<>(requests.size());
        for (T request : requests) {
            items.add(BatchItem.of(request));
        }
        return items;
    }

    /** Decodes an admin definition; kind and overage are matched case-insensitively. */
    public LimitDefinition readLimitDefinition(byte[] body) {
        return definition(parse(body), "");
    }

    /**
     * Decodes a registry file (SPEC 4): a JSON array of LimitState, in file order. Checks types and
     * the consistency of status and pending decrease; the definitions' rules are checked by
     * {@link RequestValidator#normalise(LimitState)}.
     *
     * @throws InvalidRequestException when the document is not a JSON array; the detail does not
     *     name the file, which the caller knows
     * @throws InvalidEntryException when an entry cannot be decoded
     */
    public List<LimitState> readLimitStates(byte[] document) {
        JsonNode root = parse(document, FILE);
        if (!root.isArray()) {
            throw new InvalidRequestException("must be a JSON array of limit states, got " + JsonReader.typeOf(root));
        }
        List<LimitState> states = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            states.add(entry(i, entry, entry.path("definition").path("key"), this::state));
        }
        return states;
    }

    /**
     * Decodes a limits file, the seed of a registry: {@code {"limits": [LimitDefinition...]}}, in
     * file order. Kind and overage are matched case-insensitively, as in the admin API; the
     * definitions' rules are checked by {@link RequestValidator#normalise(LimitDefinition)}.
     *
     * @throws InvalidRequestException when the document is not such an object
     * @throws InvalidEntryException when an entry cannot be decoded
     */
    public List<LimitDefinition> readLimitDefinitions(byte[] document) {
        JsonNode root = parse(document, FILE);
        if (!root.isObject()) {
            throw new InvalidRequestException(
                    "must be a JSON object {\"limits\": [...]}, got " + JsonReader.typeOf(root));
        }
        JsonNode array = JsonReader.object(root, FILE, LIMITS_FIELDS).array("limits", true);
        List<LimitDefinition> definitions = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode entry = array.get(i);
            definitions.add(entry(i, entry, entry.path("key"), this::definition));
        }
        return definitions;
    }

    public byte[] write(ReserveRequest request) {
        return generate(g -> writeReserveRequest(g, request));
    }

    public byte[] write(CompleteRequest request) {
        return generate(g -> writeCompleteRequest(g, request));
    }

    public byte[] writeReserveBatch(List<ReserveRequest> requests) {
        return generate(requests.size() * 256 + 32, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("requests");
            for (ReserveRequest request : requests) {
                writeReserveRequest(g, request);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public byte[] writeCompleteBatch(List<CompleteRequest> requests) {
        return generate(requests.size() * 192 + 32, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("requests");
            for (CompleteRequest request : requests) {
                writeCompleteRequest(g, request);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public byte[] write(LimitDefinition definition) {
        return generate(g -> writeDefinition(g, definition));
    }

    /** Encodes a limits file, {@code {"limits": [...]}} in the order given, one definition per line. */
    public byte[] writeLimitDefinitions(List<LimitDefinition> definitions) {
        return generate(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("limits");
            for (LimitDefinition definition : definitions) {
                g.writeRaw('\n');
                writeDefinition(g, definition);
            }
            g.writeRaw('\n');
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        });
    }

    /**
     * Encodes the audit record of an admin change as one line of JSON:
     * {@code {"event":"limit_changed","time","peer","key","old","new"}}, where {@code old} is the
     * state replaced ({@code null} for a new key) and {@code new} the state saved, each as
     * {@code {"definition","status","pending_decrease_to","revision"}}.
     *
     * @param time when the change was saved, as text (ISO-8601 is what the server writes)
     * @param peer who asked for it (the client's address and port)
     */
    public byte[] writeLimitChange(String time, String peer, LimitChange change) {
        return writeLimitChange(time, peer, null, change);
    }

    /**
     * As {@link #writeLimitChange(String, String, LimitChange)}, with {@code forwarded_for} after
     * {@code peer} when {@code forwardedFor} is not null: the address of the caller a following
     * server forwarded the change for ({@code peer} is then that server).
     */
    public byte[] writeLimitChange(String time, String peer, String forwardedFor, LimitChange change) {
        return generate(g -> {
            g.writeStartObject();
            g.writeStringField("event", "limit_changed");
            g.writeStringField("time", time);
            g.writeStringField("peer", peer);
            if (forwardedFor != null) {
                g.writeStringField("forwarded_for", forwardedFor);
            }
            g.writeStringField("key", change.key());
            g.writeFieldName("old");
            if (change.previous().isPresent()) {
                writeState(g, change.previous().get());
            } else {
                g.writeNull();
            }
            g.writeFieldName("new");
            writeState(g, change.current());
            g.writeEndObject();
        });
    }

    /** Encodes a registry file: an array sorted as given, one state per line for readable diffs. */
    public byte[] writeLimitStates(List<LimitState> states) {
        return generate(g -> {
            g.writeStartArray();
            for (LimitState state : states) {
                g.writeRaw('\n');
                writeState(g, state);
            }
            g.writeRaw('\n');
            g.writeEndArray();
            g.writeRaw('\n');
        });
    }

    // ---- responses ------------------------------------------------------------------------

    public byte[] write(ReserveResponse response) {
        byte[] json = ResponseWriter.reserve(response);
        return json != null ? json : generate(g -> writeReserveResponse(g, response));
    }

    public byte[] write(CompleteResponse response) {
        byte[] json = ResponseWriter.complete(response);
        return json != null ? json : generate(g -> writeCompleteResponse(g, response));
    }

    public byte[] writeReserveResults(List<ReserveResponse> results) {
        byte[] json = ResponseWriter.reserveResults(results);
        return json != null ? json : writeReserveResultsWithJackson(results);
    }

    public byte[] writeCompleteResults(List<CompleteResponse> results) {
        byte[] json = ResponseWriter.completeResults(results);
        return json != null ? json : writeCompleteResultsWithJackson(results);
    }

    /** The generator's encoding of reserve results, for answers whose error strings need escaping. */
    byte[] writeReserveResultsWithJackson(List<ReserveResponse> results) {
        return generate(results.size() * 96 + 32, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("results");
            for (ReserveResponse result : results) {
                writeReserveResponse(g, result);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** The generator's encoding of complete results, for answers whose error strings need escaping. */
    byte[] writeCompleteResultsWithJackson(List<CompleteResponse> results) {
        return generate(results.size() * 32 + 32, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("results");
            for (CompleteResponse result : results) {
                writeCompleteResponse(g, result);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** The generator's encoding of one reserve answer; the reference the direct writer is tested against. */
    byte[] writeWithJackson(ReserveResponse response) {
        return generate(g -> writeReserveResponse(g, response));
    }

    byte[] writeWithJackson(CompleteResponse response) {
        return generate(g -> writeCompleteResponse(g, response));
    }

    public byte[] write(PutLimitResponse response) {
        return generate(g -> {
            g.writeStartObject();
            g.writeBooleanField("ok", response.ok());
            g.writeStringField("status", response.status().wireName());
            g.writeEndObject();
        });
    }

    /** {@code {"limit": LimitInfo}} */
    public byte[] writeLimit(LimitInfo info) {
        return generate(g -> {
            g.writeStartObject();
            g.writeFieldName("limit");
            writeInfo(g, info);
            g.writeEndObject();
        });
    }

    /** {@code {"limits": [LimitInfo...]}} in the order given (the service sorts by key). */
    public byte[] writeLimits(List<LimitInfo> infos) {
        return generate(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("limits");
            for (LimitInfo info : infos) {
                writeInfo(g, info);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public byte[] write(ErrorBody error) {
        return generate(g -> {
            g.writeStartObject();
            g.writeStringField("error", error.error());
            g.writeStringField("detail", error.detail());
            g.writeEndObject();
        });
    }

    public ReserveResponse readReserveResponse(byte[] body) {
        return reserveResponse(parse(body), "");
    }

    public CompleteResponse readCompleteResponse(byte[] body) {
        return completeResponse(parse(body), "");
    }

    public List<ReserveResponse> readReserveResults(byte[] body) {
        return results(body, this::reserveResponse);
    }

    public List<CompleteResponse> readCompleteResults(byte[] body) {
        return results(body, this::completeResponse);
    }

    public PutLimitResponse readPutLimitResponse(byte[] body) {
        JsonReader reader = JsonReader.object(parse(body), "", PUT_RESPONSE_FIELDS);
        return new PutLimitResponse(reader.requiredBoolean("ok"), status(reader, "status"));
    }

    public LimitInfo readLimit(byte[] body) {
        JsonReader reader = JsonReader.object(parse(body), "", LIMIT_FIELDS);
        return info(reader.raw("limit"), reader.path("limit"));
    }

    public List<LimitInfo> readLimits(byte[] body) {
        JsonReader reader = JsonReader.object(parse(body), "", LIMITS_FIELDS);
        JsonNode array = reader.array("limits", true);
        List<LimitInfo> infos = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            infos.add(info(array.get(i), "limits[" + i + "]"));
        }
        return infos;
    }

    public ErrorBody readError(byte[] body) {
        JsonReader reader = JsonReader.object(parse(body), "", ERROR_FIELDS);
        return new ErrorBody(reader.requiredString("error"), reader.optionalString("detail", ""));
    }

    // ---- decoding helpers ------------------------------------------------------------------

    private JsonNode parse(byte[] body) {
        return parse(body, BODY);
    }

    /**
     * Reads exactly one JSON value. {@code label} names the whole document in errors ("body" for a
     * request); a file's errors carry no label, as the caller names the file.
     */
    private JsonNode parse(byte[] body, String label) {
        String prefix = label.isEmpty() ? "" : label + ": ";
        String emptyThing = label.isEmpty() ? "an empty file" : "an empty " + label;
        if (body == null || body.length == 0) {
            throw new InvalidRequestException(prefix + "must be a JSON document, got " + emptyThing);
        }
        try (JsonParser parser = factory.createParser(body)) {
            if (parser.nextToken() == null) {
                throw new InvalidRequestException(prefix + "must be a JSON document, got only whitespace");
            }
            JsonNode root = mapper.readTree(parser);
            // Trailing data is checked here rather than by Jackson so that the error reads plainly.
            if (parser.nextToken() != null) {
                throw new InvalidRequestException(
                        prefix + "unexpected data after the JSON document" + locationOf(parser.currentTokenLocation()));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(describeParseError(e, prefix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A repeated field is named by its path (its parser knows where it is); any other syntax error
     * by its position in the text.
     */
    private static String describeParseError(JsonProcessingException e, String prefix) {
        String message = firstLine(e.getOriginalMessage());
        if (e.getProcessor() instanceof JsonParser && message.startsWith("Duplicate field")) {
            String path = pathOf(((JsonParser) e.getProcessor()).getParsingContext());
            if (!path.isEmpty()) {
                return path + ": repeated field, each field may appear once" + locationOf(e.getLocation());
            }
        }
        return prefix + "malformed JSON: " + message + locationOf(e.getLocation());
    }

    /** The path of a parser's position in the codec's notation: {@code requirements[1].amount}. */
    private static String pathOf(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext at = context; at != null && !at.inRoot(); at = at.getParent()) {
            if (at.inArray()) {
                path.insert(0, "[" + at.getCurrentIndex() + "]");
            } else if (at.getCurrentName() != null) {
                path.insert(0, "." + at.getCurrentName());
            }
        }
        return path.length() > 0 && path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    private static String locationOf(JsonLocation location) {
        return location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    /** Decodes one entry of a list document, naming the entry (and its key, if readable) on failure. */
    private static <T> T entry(int index, JsonNode entry, JsonNode keyNode, Decoder<T> decoder) {
        String key = keyNode.isTextual() ? keyNode.textValue() : "";
        if (!entry.isObject()) {
            throw new InvalidEntryException(index, key, "must be a JSON object, got " + JsonReader.typeOf(entry));
        }
        try {
            return decoder.decode(entry, "");
        } catch (InvalidRequestException e) {
            throw new InvalidEntryException(index, key, e.detail());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private <T> List<BatchItem<T>> batch(byte[] body, int maxItems, Decoder<T> decoder) {
        JsonReader reader = JsonReader.object(parse(body), "", BATCH_FIELDS);
        JsonNode array = reader.array("requests", true);
        if (array.isEmpty() || array.size() > maxItems) {
            throw new InvalidRequestException("requests: must hold 1 to " + maxItems + " items, got " + array.size());
        }
        List<BatchItem<T>> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            try {
                items.add(BatchItem.of(decoder.decode(array.get(i), "requests[" + i + "]")));
            } catch (InvalidRequestException e) {
                items.add(BatchItem.invalid(e.detail()));
            }
        }
        return items;
    }

    private <T> List<T> results(byte[] body, Decoder<T> decoder) {
        JsonReader reader = JsonReader.object(parse(body), "", RESULTS_FIELDS);
        JsonNode array = reader.array("results", true);
        List<T> results = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            results.add(decoder.decode(array.get(i), "results[" + i + "]"));
        }
        return results;
    }

    private ReserveRequest reserveRequest(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, RESERVE_FIELDS);
        String leaseId = reader.requiredString("lease_id");
        String jobId = reader.optionalString("job_id", "");
        JsonNode array = reader.array("requirements", true);
        List<Requirement> requirements = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonReader item =
                    JsonReader.object(array.get(i), reader.path("requirements") + "[" + i + "]", REQUIREMENT_FIELDS);
            requirements.add(new Requirement(item.requiredString("key"), item.requiredLong("amount")));
        }
        return new ReserveRequest(leaseId, jobId, requirements);
    }

    private CompleteRequest completeRequest(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, COMPLETE_FIELDS);
        String leaseId = reader.requiredString("lease_id");
        String jobId = reader.optionalString("job_id", "");
        JsonNode array = reader.array("actuals", false);
        List<Actual> actuals = new ArrayList<>(array == null ? 0 : array.size());
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                JsonReader item =
                        JsonReader.object(array.get(i), reader.path("actuals") + "[" + i + "]", ACTUAL_FIELDS);
                actuals.add(new Actual(item.requiredString("key"), item.requiredLong("actual_amount")));
            }
        }
        return new CompleteRequest(leaseId, jobId, actuals);
    }

    private LimitDefinition definition(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, DEFINITION_FIELDS);
        String key = reader.requiredString("key");
        String kindText = reader.requiredString("kind");
        LimitKind kind = LimitKind.fromWire(kindText)
                .orElseThrow(() -> new InvalidRequestException(
                        reader.path("kind") + ": must be \"rolling\" or \"concurrency\", got \"" + kindText + "\""));
        long capacity = reader.requiredLong("capacity");
        long windowSeconds = reader.optionalLong("window_seconds", 0);
        long timeoutSeconds = reader.optionalLong("timeout_seconds", 0);
        String unit = reader.optionalString("unit", "");
        String description = reader.optionalString("description", "");
        String overageText = reader.optionalString("overage", "");
        Overage overage = overageText.isBlank()
                ? Overage.DEBT
                : Overage.fromWire(overageText)
                        .orElseThrow(() -> new InvalidRequestException(reader.path("overage")
                                + ": must be \"deny\" or \"debt\", got \"" + overageText + "\""));
        return new LimitDefinition(key, kind, capacity, windowSeconds, timeoutSeconds, unit, description, overage);
    }

    private LimitState state(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, STATE_FIELDS);
        LimitDefinition definition = definition(reader.raw("definition"), reader.path("definition"));
        LimitStatus status = status(reader, "status");
        long pending = reader.optionalLong("pending_decrease_to", 0);
        long revision = reader.optionalLong("revision", 1);
        if (revision < 1) {
            throw new InvalidRequestException(reader.path("revision") + ": must be at least 1, got " + revision);
        }
        if (status == LimitStatus.ACTIVE && pending != 0) {
            throw new InvalidRequestException(
                    reader.path("pending_decrease_to") + ": must be 0 while the status is active, got " + pending);
        }
        if (status == LimitStatus.DECREASING && (pending < 1 || pending >= definition.capacity())) {
            throw new InvalidRequestException(reader.path("pending_decrease_to")
                    + ": must lie between 1 and capacity - 1 while decreasing, got " + pending);
        }
        return new LimitState(definition, status, pending, revision);
    }

    private static LimitStatus status(JsonReader reader, String field) {
        String text = reader.requiredString(field);
        return LimitStatus.fromWire(text)
                .orElseThrow(() -> new InvalidRequestException(
                        reader.path(field) + ": must be \"active\" or \"decreasing\", got \"" + text + "\""));
    }

    private ReserveResponse reserveResponse(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, RESERVE_RESPONSE_FIELDS);
        return new ReserveResponse(
                reader.requiredBoolean("allowed"),
                reader.requiredLong("retry_after_ms"),
                reader.requiredLong("reserved_at_unix_ms"),
                ErrorCodes.refusal(reader.requiredString("error")));
    }

    private CompleteResponse completeResponse(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, COMPLETE_RESPONSE_FIELDS);
        return new CompleteResponse(reader.requiredBoolean("ok"), reader.requiredString("error"));
    }

    private LimitInfo info(JsonNode node, String path) {
        JsonReader reader = JsonReader.object(node, path, INFO_FIELDS);
        LimitDefinition definition = definition(reader.raw("definition"), reader.path("definition"));
        LimitStatus status = status(reader, "status");
        long pending = reader.requiredLong("pending_decrease_to");
        JsonReader usage = JsonReader.object(reader.raw("usage"), reader.path("usage"), USAGE_FIELDS);
        return new LimitInfo(
                definition,
                status,
                pending,
                new Usage(usage.requiredLong("reserved"), usage.requiredLong("available"), usage.requiredLong("debt")));
    }

    // ---- encoding helpers ------------------------------------------------------------------

    private static void writeState(JsonGenerator g, LimitState state) throws IOException {
        g.writeStartObject();
        g.writeFieldName("definition");
        writeDefinition(g, state.definition());
        g.writeStringField("status", state.status().wireName());
        g.writeNumberField("pending_decrease_to", state.pendingDecreaseTo());
        g.writeNumberField("revision", state.revision());
        g.writeEndObject();
    }

    private byte[] generate(Writer writer) {
        return generate(256, writer);
    }

    /**
     * @param sizeHint the expected size in bytes: a batch's buffer starts large enough, instead of
     *     doubling (and copying) its way up from 256 bytes, which was a quarter of a batch's allocation
     */
    private byte[] generate(int sizeHint, Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, sizeHint));
        try (JsonGenerator generator = factory.createGenerator(out)) {
            writer.write(generator);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void writeReserveRequest(JsonGenerator g, ReserveRequest request) throws IOException {
        g.writeStartObject();
        g.writeStringField("lease_id", request.leaseId());
        if (!request.jobId().isEmpty()) {
            g.writeStringField("job_id", request.jobId());
        }
        g.writeArrayFieldStart("requirements");
        for (Requirement requirement : request.requirements()) {
            g.writeStartObject();
            g.writeStringField("key", requirement.key());
            g.writeNumberField("amount", requirement.amount());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeCompleteRequest(JsonGenerator g, CompleteRequest request) throws IOException {
        g.writeStartObject();
        g.writeStringField("lease_id", request.leaseId());
        if (!request.jobId().isEmpty()) {
            g.writeStringField("job_id", request.jobId());
        }
        g.writeArrayFieldStart("actuals");
        for (Actual actual : request.actuals()) {
            g.writeStartObject();
            g.writeStringField("key", actual.key());
            g.writeNumberField("actual_amount", actual.actualAmount());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeReserveResponse(JsonGenerator g, ReserveResponse response) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("allowed", response.allowed());
        g.writeNumberField("retry_after_ms", response.retryAfterMs());
        g.writeNumberField("reserved_at_unix_ms", response.reservedAtUnixMs());
        g.writeStringField("error", response.error());
        g.writeEndObject();
    }

    private static void writeCompleteResponse(JsonGenerator g, CompleteResponse response) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("ok", response.ok());
        g.writeStringField("error", response.error());
        g.writeEndObject();
    }

    private static void writeDefinition(JsonGenerator g, LimitDefinition definition) throws IOException {
        g.writeStartObject();
        g.writeStringField("key", definition.key());
        g.writeStringField("kind", definition.kind().wireName());
        g.writeNumberField("capacity", definition.capacity());
        g.writeNumberField("window_seconds", definition.windowSeconds());
        g.writeNumberField("timeout_seconds", definition.timeoutSeconds());
        g.writeStringField("unit", definition.unit());
        g.writeStringField("description", definition.description());
        g.writeStringField("overage", definition.overage().wireName());
        g.writeEndObject();
    }

    private static void writeInfo(JsonGenerator g, LimitInfo info) throws IOException {
        g.writeStartObject();
        g.writeFieldName("definition");
        writeDefinition(g, info.definition());
        g.writeStringField("status", info.status().wireName());
        g.writeNumberField("pending_decrease_to", info.pendingDecreaseTo());
        g.writeObjectFieldStart("usage");
        g.writeNumberField("reserved", info.usage().reserved());
        g.writeNumberField("available", info.usage().available());
        g.writeNumberField("debt", info.usage().debt());
        g.writeEndObject();
        g.writeEndObject();
    }

    @FunctionalInterface
    private interface Writer {
        void write(JsonGenerator generator) throws IOException;
    }

    @FunctionalInterface
    private interface Decoder<T> {
        T decode(JsonNode node, String path);
    }
}
