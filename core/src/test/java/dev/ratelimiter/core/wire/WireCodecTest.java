package dev.ratelimiter.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private final WireCodec codec = new WireCodec();

    private static final ReserveRequest RESERVE = new ReserveRequest(
            "01HZX3Y9M4V8K2J6Q7R5T1W0AB",
            "job-7 ünï",
            List.of(
                    new Requirement("global:llm:openai:gpt-4o:rpm", 1),
                    new Requirement("global:llm:openai:gpt-4o:tpm", Long.MAX_VALUE)));
    private static final CompleteRequest COMPLETE = new CompleteRequest(
            "lease-1", "", List.of(new Actual("global:llm:openai:gpt-4o:tpm", 0), new Actual("t", Long.MAX_VALUE)));
    private static final LimitDefinition DEFINITION = new LimitDefinition(
            "global:llm:x:y:concurrency",
            LimitKind.CONCURRENCY,
            4,
            0,
            4_294_967_295L,
            "calls",
            "a \"quoted\"\nline",
            Overage.DENY);

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertDetail(String expected, Runnable decode) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, decode::run);
        assertEquals(expected, e.detail());
    }

    private static void assertDetailStartsWith(String expectedStart, Runnable decode) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, decode::run);
        assertTrue(e.detail().startsWith(expectedStart), e.detail());
    }

    @Nested
    class RoundTrips {
        @Test
        void reserveRequest() {
            assertEquals(RESERVE, codec.readReserveRequest(codec.write(RESERVE)));
            ReserveRequest withoutJob = new ReserveRequest("a", "", List.of(new Requirement("k", 3)));
            assertEquals(withoutJob, codec.readReserveRequest(codec.write(withoutJob)));
        }

        @Test
        void completeRequest() {
            assertEquals(COMPLETE, codec.readCompleteRequest(codec.write(COMPLETE)));
            CompleteRequest unknownUsage = new CompleteRequest("a", "j", List.of());
            assertEquals(unknownUsage, codec.readCompleteRequest(codec.write(unknownUsage)));
        }

        @Test
        void batches() {
            List<ReserveRequest> reserves =
                    List.of(RESERVE, new ReserveRequest("b", "", List.of(new Requirement("k", 1))));
            assertEquals(
                    reserves.stream().map(BatchItem::of).toList(),
                    codec.readReserveBatch(codec.writeReserveBatch(reserves), 2));
            List<CompleteRequest> completes = List.of(COMPLETE, new CompleteRequest("b", "", List.of()));
            assertEquals(
                    completes.stream().map(BatchItem::of).toList(),
                    codec.readCompleteBatch(codec.writeCompleteBatch(completes), 256));
        }

        @Test
        void limitDefinition() {
            assertEquals(DEFINITION, codec.readLimitDefinition(codec.write(DEFINITION)));
            LimitDefinition rolling = LimitDefinition.rolling("r", Long.MAX_VALUE, 1);
            assertEquals(rolling, codec.readLimitDefinition(codec.write(rolling)));
        }

        @Test
        void registryAndLimitsFile() {
            List<LimitState> states = List.of(
                    LimitState.created(DEFINITION),
                    new LimitState(LimitDefinition.rolling("r", 10, 60), LimitStatus.DECREASING, 4, 9));
            assertEquals(states, codec.readLimitStates(codec.writeLimitStates(states)));
            assertEquals(List.of(), codec.readLimitStates(codec.writeLimitStates(List.of())));
            List<LimitDefinition> definitions = List.of(DEFINITION, LimitDefinition.rolling("r", 10, 60));
            assertEquals(definitions, codec.readLimitDefinitions(codec.writeLimitDefinitions(definitions)));
        }

        @Test
        void responses() {
            for (ReserveResponse response : List.of(
                    ReserveResponse.allowed(1_700_000_000_000L),
                    ReserveResponse.denied(250),
                    ReserveResponse.refused(new Refusal.ExceedsCapacity("k"), 0))) {
                assertEquals(response, codec.readReserveResponse(codec.write(response)));
            }
            for (CompleteResponse response :
                    List.of(CompleteResponse.succeeded(), CompleteResponse.failed(ErrorCodes.BACKEND_ERROR))) {
                assertEquals(response, codec.readCompleteResponse(codec.write(response)));
            }
            List<ReserveResponse> reserveResults = List.of(ReserveResponse.allowed(5), ReserveResponse.denied(9));
            assertEquals(reserveResults, codec.readReserveResults(codec.writeReserveResults(reserveResults)));
            List<CompleteResponse> completeResults =
                    List.of(CompleteResponse.succeeded(), CompleteResponse.failed(ErrorCodes.INVALID_REQUEST));
            assertEquals(completeResults, codec.readCompleteResults(codec.writeCompleteResults(completeResults)));
        }

        @Test
        void adminResponses() {
            PutLimitResponse put = new PutLimitResponse(true, LimitStatus.DECREASING);
            assertEquals(put, codec.readPutLimitResponse(codec.write(put)));
            LimitInfo info = new LimitInfo(DEFINITION, LimitStatus.ACTIVE, 0, new Usage(3, 1, 0));
            LimitInfo other =
                    new LimitInfo(LimitDefinition.rolling("r", 10, 60), LimitStatus.DECREASING, 2, Usage.of(10, 12, 7));
            assertEquals(info, codec.readLimit(codec.writeLimit(info)));
            assertEquals(List.of(info, other), codec.readLimits(codec.writeLimits(List.of(info, other))));
            ErrorBody error = new ErrorBody(ErrorCodes.NOT_FOUND, "limit 'k' does not exist");
            assertEquals(error, codec.readError(codec.write(error)));
        }

        @Test
        void writesEveryReserveResponseFieldAndSnakeCase() {
            String text = new String(codec.write(ReserveResponse.denied(7)), StandardCharsets.UTF_8);
            assertEquals("{\"allowed\":false,\"retry_after_ms\":7,\"reserved_at_unix_ms\":0,\"error\":\"\"}", text);
        }
    }

    @Nested
    class MalformedDocuments {
        @Test
        void rejectsMalformedJson() {
            assertDetailStartsWith(
                    "body: malformed JSON: ", () -> codec.readReserveRequest(json("{\"lease_id\": \"a\",")));
            assertDetailStartsWith("body: malformed JSON: ", () -> codec.readReserveRequest(json("{'lease_id': 'a'}")));
            assertDetailStartsWith("body: malformed JSON: ", () -> codec.readReserveRequest(json("{\"a\": [1,}")));
        }

        @Test
        void rejectsAnEmptyBody() {
            assertDetail(
                    "body: must be a JSON document, got an empty body", () -> codec.readReserveRequest(new byte[0]));
            assertDetail("body: must be a JSON document, got an empty body", () -> codec.readCompleteRequest(null));
            assertDetail(
                    "body: must be a JSON document, got only whitespace",
                    () -> codec.readReserveRequest(json(" \n\t ")));
        }

        @Test
        void rejectsTrailingData() {
            String valid = "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]}";
            assertDetail(
                    "body: unexpected data after the JSON document (line 1, column 58)",
                    () -> codec.readReserveRequest(json(valid + " {}")));
            assertDetailStartsWith(
                    "body: malformed JSON: Unrecognized token 'x'", () -> codec.readReserveRequest(json(valid + " x")));
            assertEquals("a", codec.readReserveRequest(json(valid + " \n")).leaseId());
        }

        @Test
        void rejectsARootThatIsNotAnObject() {
            assertDetail("body: must be a JSON object, got an array", () -> codec.readReserveRequest(json("[]")));
            assertDetail("body: must be a JSON object, got null", () -> codec.readCompleteRequest(json("null")));
            assertDetail(
                    "body: must be a JSON object, got the string \"x\"",
                    () -> codec.readLimitDefinition(json("\"x\"")));
        }

        @Test
        void namesARepeatedFieldByItsPath() {
            assertDetail(
                    "lease_id: repeated field, each field may appear once (line 1, column 27)",
                    () -> codec.readReserveRequest(
                            json("{\"lease_id\":\"a\",\"lease_id\":\"b\",\"requirements\":[]}")));
            assertDetailStartsWith(
                    "requirements[1].amount: repeated field",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\","
                            + "\"amount\":1},{\"key\":\"j\",\"amount\":1,\"amount\":2}]}")));
        }

        @Test
        void aRepeatedFieldInABatchItemRejectsTheWholeBatch() {
            // Duplicate detection happens while the text is parsed, before items are told apart.
            assertDetailStartsWith(
                    "requests[0].lease_id: repeated field",
                    () -> codec.readReserveBatch(json("{\"requests\":[{\"lease_id\":\"a\",\"lease_id\":\"b\"}]}"), 5));
        }
    }

    @Nested
    class ReserveRequests {
        private ReserveRequest decodeWithAmount(String amount) {
            return codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1},"
                    + "{\"key\":\"j\",\"amount\":" + amount + "}]}"));
        }

        @Test
        void acceptsTheLargestAmount() {
            assertEquals(
                    Long.MAX_VALUE,
                    decodeWithAmount("9223372036854775807")
                            .requirements()
                            .get(1)
                            .amount());
        }

        @Test
        void rejectsAmountsOfTheWrongType() {
            assertDetail(
                    "requirements[1].amount: must be an integer, got the string \"5\"",
                    () -> decodeWithAmount("\"5\""));
            assertDetail(
                    "requirements[1].amount: must be an integer, got the fraction 1.5", () -> decodeWithAmount("1.5"));
            assertDetail(
                    "requirements[1].amount: must be an integer, got the fraction 1.0", () -> decodeWithAmount("1.0"));
            assertDetailStartsWith(
                    "requirements[1].amount: must be an integer, got the fraction", () -> decodeWithAmount("1e2"));
            assertDetail("requirements[1].amount: must be an integer, got null", () -> decodeWithAmount("null"));
            assertDetail(
                    "requirements[1].amount: must be an integer, got the boolean true", () -> decodeWithAmount("true"));
            assertDetail("requirements[1].amount: must be an integer, got an array", () -> decodeWithAmount("[1]"));
            assertDetail("requirements[1].amount: must be an integer, got an object", () -> decodeWithAmount("{}"));
        }

        @Test
        void rejectsIntegersBeyond64Bits() {
            assertDetail(
                    "requirements[1].amount: must be an integer from -9223372036854775808 to 9223372036854775807,"
                            + " got 9223372036854775808",
                    () -> decodeWithAmount("9223372036854775808"));
            assertDetailStartsWith(
                    "requirements[1].amount: must be an integer from", () -> decodeWithAmount("-9223372036854775809"));
            assertDetailStartsWith(
                    "requirements[1].amount: must be an integer from",
                    () -> decodeWithAmount("123456789012345678901234567890"));
        }

        @Test
        void decodesANegativeAmountForTheValidatorToRefuse() {
            // Types are the codec's business, ranges the validator's (see RequestValidatorTest).
            assertEquals(-1, decodeWithAmount("-1").requirements().get(1).amount());
        }

        @Test
        void rejectsMissingFields() {
            assertDetail("lease_id: is required", () -> codec.readReserveRequest(json("{\"requirements\":[]}")));
            assertDetail("requirements: is required", () -> codec.readReserveRequest(json("{\"lease_id\":\"a\"}")));
            assertDetail(
                    "requirements: is required",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":null}")));
            assertDetail(
                    "requirements[0].key: is required",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":[{\"amount\":1}]}")));
            assertDetail(
                    "requirements[0].amount: is required",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\"}]}")));
        }

        @Test
        void rejectsUnknownFieldsAtEveryLevel() {
            assertDetail(
                    "priority: unknown field",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"priority\":1,\"requirements\":[]}")));
            assertDetail(
                    "requirements[0].weight: unknown field",
                    () -> codec.readReserveRequest(
                            json("{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1,\"weight\":2}]}")));
        }

        @Test
        void rejectsStructuresOfTheWrongType() {
            assertDetail(
                    "lease_id: must be a string, got the number 5",
                    () -> codec.readReserveRequest(json("{\"lease_id\":5,\"requirements\":[]}")));
            assertDetail(
                    "lease_id: must be a string, got null",
                    () -> codec.readReserveRequest(json("{\"lease_id\":null,\"requirements\":[]}")));
            assertDetail(
                    "job_id: must be a string, got the boolean false",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"job_id\":false,\"requirements\":[]}")));
            assertDetail(
                    "requirements: must be an array, got an object",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":{}}")));
            assertDetail(
                    "requirements[0]: must be a JSON object, got the string \"k\"",
                    () -> codec.readReserveRequest(json("{\"lease_id\":\"a\",\"requirements\":[\"k\"]}")));
            assertDetail(
                    "requirements[0].key: must be a string, got the number 1",
                    () -> codec.readReserveRequest(
                            json("{\"lease_id\":\"a\",\"requirements\":[{\"key\":1,\"amount\":1}]}")));
        }

        @Test
        void readsAnAbsentOrNullJobIdAsEmpty() {
            assertEquals(
                    "",
                    codec.readReserveRequest(json("{\"lease_id\":\"a\",\"job_id\":null,\"requirements\":[]}"))
                            .jobId());
        }
    }

    @Nested
    class CompleteRequests {
        @Test
        void readsAbsentOrNullActualsAsUnknownUsage() {
            assertEquals(
                    List.of(),
                    codec.readCompleteRequest(json("{\"lease_id\":\"a\"}")).actuals());
            assertEquals(
                    List.of(),
                    codec.readCompleteRequest(json("{\"lease_id\":\"a\",\"actuals\":null}"))
                            .actuals());
        }

        @Test
        void namesTheActualAmountsPath() {
            assertDetail(
                    "actuals[1].actual_amount: must be an integer, got the fraction 2.5",
                    () -> codec.readCompleteRequest(json("{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\","
                            + "\"actual_amount\":0},{\"key\":\"j\",\"actual_amount\":2.5}]}")));
            assertDetail(
                    "actuals[0].actual_amount: is required",
                    () -> codec.readCompleteRequest(json("{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\"}]}")));
            assertDetail(
                    "actuals[0].amount: unknown field",
                    () -> codec.readCompleteRequest(
                            json("{\"lease_id\":\"a\",\"actuals\":[{\"key\":\"k\",\"amount\":1}]}")));
            assertDetail(
                    "requirements: unknown field",
                    () -> codec.readCompleteRequest(json("{\"lease_id\":\"a\",\"requirements\":[]}")));
        }
    }

    @Nested
    class Batches {
        private final String valid = "{\"lease_id\":\"a\",\"requirements\":[{\"key\":\"k\",\"amount\":1}]}";

        @Test
        void rejectsAMissingOrEmptyRequestList() {
            assertDetail("requests: is required", () -> codec.readReserveBatch(json("{}"), 256));
            assertDetail(
                    "requests: must hold 1 to 256 items, got 0",
                    () -> codec.readReserveBatch(json("{\"requests\":[]}"), 256));
            assertDetail(
                    "requests: must be an array, got the string \"x\"",
                    () -> codec.readCompleteBatch(json("{\"requests\":\"x\"}"), 256));
            assertDetail("body: must be a JSON object, got an array", () -> codec.readReserveBatch(json("[]"), 256));
            assertDetail(
                    "extra: unknown field",
                    () -> codec.readReserveBatch(json("{\"requests\":[" + valid + "],\"extra\":1}"), 256));
        }

        @Test
        void rejectsMoreItemsThanAllowed() {
            String three = "{\"requests\":[" + valid + "," + valid + "," + valid + "]}";
            assertEquals(3, codec.readReserveBatch(json(three), 3).size());
            assertDetail("requests: must hold 1 to 2 items, got 3", () -> codec.readReserveBatch(json(three), 2));
        }

        @Test
        void aMalformedItemOnlyMarksItsSlot() {
            List<BatchItem<ReserveRequest>> items = codec.readReserveBatch(
                    json("{\"requests\":[" + valid + ","
                            + "{\"lease_id\":\"b\",\"requirements\":[{\"key\":\"k\",\"amount\":\"1\"}]}," + "7,"
                            + "{\"lease_id\":\"c\",\"requirements\":[],\"x\":1}," + valid + "]}"),
                    256);
            assertEquals(5, items.size());
            assertTrue(items.get(0).isValid());
            assertEquals(
                    "requests[1].requirements[0].amount: must be an integer, got the string \"1\"",
                    items.get(1).invalidDetail());
            assertEquals(
                    "requests[2]: must be a JSON object, got the number 7",
                    items.get(2).invalidDetail());
            assertEquals("requests[3].x: unknown field", items.get(3).invalidDetail());
            assertTrue(items.get(4).isValid());
            assertEquals("a", items.get(4).value().leaseId());
        }

        @Test
        void aMalformedCompleteItemOnlyMarksItsSlot() {
            List<BatchItem<CompleteRequest>> items = codec.readCompleteBatch(
                    json(
                            "{\"requests\":["
                                    + "{\"lease_id\":\"a\"},{\"lease_id\":\"b\",\"actuals\":[{\"key\":\"k\",\"actual_amount\":null}]}]}"),
                    256);
            assertTrue(items.get(0).isValid());
            assertFalse(items.get(1).isValid());
            assertEquals(
                    "requests[1].actuals[0].actual_amount: must be an integer, got null",
                    items.get(1).invalidDetail());
        }
    }

    @Nested
    class Definitions {
        private LimitDefinition decode(String fields) {
            return codec.readLimitDefinition(json("{\"key\":\"k\"," + fields + "}"));
        }

        @Test
        void matchesKindAndOverageCaseInsensitively() {
            assertEquals(
                    LimitKind.ROLLING,
                    decode("\"kind\":\"ROLLING\",\"capacity\":1,\"window_seconds\":1")
                            .kind());
            assertEquals(
                    LimitKind.CONCURRENCY,
                    decode("\"kind\":\" Concurrency \",\"capacity\":1").kind());
            assertEquals(
                    Overage.DENY,
                    decode("\"kind\":\"rolling\",\"capacity\":1,\"overage\":\"DeNy\"")
                            .overage());
            assertEquals(
                    Overage.DEBT,
                    decode("\"kind\":\"rolling\",\"capacity\":1,\"overage\":\"DEBT\"")
                            .overage());
        }

        @Test
        void defaultsOverageToDebtAndTimingToZero() {
            LimitDefinition definition = decode("\"kind\":\"rolling\",\"capacity\":1");
            assertEquals(Overage.DEBT, definition.overage());
            assertEquals(0, definition.windowSeconds());
            assertEquals(0, definition.timeoutSeconds());
            assertEquals("", definition.unit());
            assertEquals(
                    Overage.DEBT,
                    decode("\"kind\":\"rolling\",\"capacity\":1,\"overage\":null")
                            .overage());
        }

        @Test
        void rejectsUnknownKindsAndOverages() {
            assertDetail(
                    "kind: must be \"rolling\" or \"concurrency\", got \"leaky\"",
                    () -> decode("\"kind\":\"leaky\",\"capacity\":1"));
            assertDetail(
                    "overage: must be \"deny\" or \"debt\", got \"drop\"",
                    () -> decode("\"kind\":\"rolling\",\"capacity\":1,\"overage\":\"drop\""));
            assertDetail("kind: is required", () -> decode("\"capacity\":1"));
            assertDetail("capacity: is required", () -> decode("\"kind\":\"rolling\""));
        }

        @Test
        void rejectsWrongTypesAndUnknownFields() {
            assertDetail(
                    "window_seconds: must be an integer, got null",
                    () -> decode("\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":null"));
            assertDetail(
                    "capacity: must be an integer, got the fraction 1.0",
                    () -> decode("\"kind\":\"rolling\",\"capacity\":1.0"));
            assertDetail(
                    "unit: must be a string, got the number 3",
                    () -> decode("\"kind\":\"rolling\",\"capacity\":1,\"unit\":3"));
            assertDetail(
                    "status: unknown field", () -> decode("\"kind\":\"rolling\",\"capacity\":1,\"status\":\"active\""));
        }
    }

    @Nested
    class Responses {
        @Test
        void rejectsMissingAndUnknownFields() {
            assertDetail(
                    "error: is required",
                    () -> codec.readReserveResponse(
                            json("{\"allowed\":true,\"retry_after_ms\":0,\"reserved_at_unix_ms\":1}")));
            assertDetail(
                    "extra: unknown field",
                    () -> codec.readCompleteResponse(json("{\"ok\":true,\"error\":\"\",\"extra\":1}")));
            assertDetail(
                    "ok: must be true or false, got the string \"yes\"",
                    () -> codec.readCompleteResponse(json("{\"ok\":\"yes\",\"error\":\"\"}")));
            assertDetail(
                    "results[1].ok: must be true or false, got nothing",
                    () -> codec.readCompleteResults(
                            json("{\"results\":[{\"ok\":true,\"error\":\"\"},{\"error\":\"\"}]}")));
            assertDetail(
                    "limit.usage.debt: is required",
                    () -> codec.readLimit(json("{\"limit\":{\"definition\":"
                            + "{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":1,\"window_seconds\":1},\"status\":\"active\","
                            + "\"pending_decrease_to\":0,\"usage\":{\"reserved\":0,\"available\":1}}}")));
            assertDetail(
                    "limits[0].definition.colour: unknown field",
                    () -> codec.readLimits(json("{\"limits\":[{\"definition\":"
                            + "{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":1,\"colour\":1}}]}")));
        }
    }

    @Nested
    class AuditRecords {
        @Test
        void aChangeShowsTheOldAndTheNewStateOnOneLine() {
            LimitDefinition before = LimitDefinition.rolling("k\"1", 10, 60);
            LimitChange change = new LimitChange(
                    Optional.of(LimitState.created(before)), new LimitState(before, LimitStatus.DECREASING, 4, 2));

            String line = new String(
                    codec.writeLimitChange("2026-12-04T18:00:00Z", "127.0.0.1:4242", change), StandardCharsets.UTF_8);

            String state = "{\"definition\":{\"key\":\"k\\\"1\",\"kind\":\"rolling\",\"capacity\":10,"
                    + "\"window_seconds\":60,\"timeout_seconds\":0,\"unit\":\"\",\"description\":\"\","
                    + "\"overage\":\"debt\"},\"status\":";
            assertEquals(
                    "{\"event\":\"limit_changed\",\"time\":\"2026-12-04T18:00:00Z\",\"peer\":\"127.0.0.1:4242\","
                            + "\"key\":\"k\\\"1\",\"old\":" + state
                            + "\"active\",\"pending_decrease_to\":0,\"revision\":1},"
                            + "\"new\":" + state + "\"decreasing\",\"pending_decrease_to\":4,\"revision\":2}}",
                    line);
        }

        @Test
        void aNewKeyHasNoOldState() {
            LimitChange change =
                    new LimitChange(Optional.empty(), LimitState.created(LimitDefinition.rolling("k", 1, 1)));

            String line = new String(codec.writeLimitChange("t", "p", change), StandardCharsets.UTF_8);

            assertTrue(line.contains("\"old\":null,\"new\":{"), line);
        }
    }

    @Nested
    class ListDocuments {
        @Test
        void namesTheEntryAndItsKey() {
            InvalidEntryException e = assertThrows(
                    InvalidEntryException.class,
                    () -> codec.readLimitStates(
                            json(
                                    "[{\"definition\":{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":\"x\"},\"status\":\"active\"}]")));
            assertEquals(0, e.index());
            assertEquals("k", e.key());
            assertEquals("definition.capacity: must be an integer, got the string \"x\"", e.detail());
            assertEquals(
                    "entry 0 (key \"k\"): definition.capacity: must be an integer, got the string \"x\"",
                    e.getMessage());
        }

        @Test
        void readsAMissingRevisionAsOne() {
            List<LimitState> states = codec.readLimitStates(json("[{\"definition\":{\"key\":\"k\",\"kind\":\"rolling\","
                    + "\"capacity\":2,\"window_seconds\":1},\"status\":\"active\"}]"));
            assertEquals(1, states.get(0).revision());
        }

        @Test
        void rejectsARevisionBelowOne() {
            InvalidEntryException e = assertThrows(
                    InvalidEntryException.class,
                    () -> codec.readLimitStates(json(
                            "[{\"definition\":{\"key\":\"k\",\"kind\":\"rolling\",\"capacity\":2,\"window_seconds\":1},"
                                    + "\"status\":\"active\",\"revision\":0}]")));
            assertEquals("revision: must be at least 1, got 0", e.detail());
        }

        @Test
        void reportsDocumentErrorsWithoutALabel() {
            Function<String, String> detail =
                    text -> assertThrows(InvalidRequestException.class, () -> codec.readLimitStates(json(text)))
                            .detail();
            assertEquals("must be a JSON array of limit states, got an object", detail.apply("{}"));
            assertEquals("must be a JSON document, got an empty file", detail.apply(""));
            assertTrue(detail.apply("[").startsWith("malformed JSON: "), detail.apply("["));
        }
    }
}
