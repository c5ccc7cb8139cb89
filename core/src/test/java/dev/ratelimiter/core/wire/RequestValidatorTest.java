package dev.ratelimiter.core.wire;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RequestValidatorTest {
    private static final long MAX_HOLD_SECONDS = 4_294_967_295L;
    private final RequestValidator validator = new RequestValidator(RequestLimits.DEFAULT);

    private static void assertDetail(String expected, Executable check) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, check);
        assertEquals(expected, e.detail());
    }

    private static ReserveRequest reserve(String leaseId, String jobId, Requirement... requirements) {
        return new ReserveRequest(leaseId, jobId, List.of(requirements));
    }

    private static List<Requirement> requirements(int count) {
        List<Requirement> requirements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requirements.add(new Requirement("key-" + i, 1));
        }
        return requirements;
    }

    @Nested
    class LeaseAndJobIds {
        private final Requirement one = new Requirement("k", 1);

        @Test
        void acceptsLeaseIdsUpTo64AllowedCharacters() {
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", one)));
            assertDoesNotThrow(() -> validator.validate(reserve("x".repeat(64), "", one)));
            assertDoesNotThrow(() -> validator.validate(reserve("AZaz09_-", "", one)));
            assertDoesNotThrow(() -> validator.validate(reserve("123e4567-e89b-12d3-a456-426614174000", "", one)));
        }

        @Test
        void refusesEmptyAndLongLeaseIds() {
            assertDetail("lease_id: must be 1 to 64 characters, got 0", () -> validator.validate(reserve("", "", one)));
            assertDetail(
                    "lease_id: must be 1 to 64 characters, got 65",
                    () -> validator.validate(reserve("x".repeat(65), "", one)));
        }

        @Test
        void refusesAColonAndOtherCharactersInALeaseId() {
            assertDetail(
                    "lease_id: may hold only [0-9A-Za-z_-], found ':' at position 5",
                    () -> validator.validate(reserve("lease:k", "", one)));
            assertDetail(
                    "lease_id: may hold only [0-9A-Za-z_-], found U+0020 at position 0",
                    () -> validator.validate(reserve(" a", "", one)));
            assertDetail(
                    "lease_id: may hold only [0-9A-Za-z_-], found U+00E9 at position 1",
                    () -> validator.validate(reserve("aé", "", one)));
            assertDetail(
                    "lease_id: may hold only [0-9A-Za-z_-], found '.' at position 1",
                    () -> validator.validate(new CompleteRequest("a.b", "", List.of())));
        }

        @Test
        void acceptsJobIdsUpTo128PrintableCharacters() {
            assertDoesNotThrow(() -> validator.validate(reserve("a", "j".repeat(128), one)));
            assertDoesNotThrow(() -> validator.validate(reserve("a", "job 7: ünïcode ok", one)));
            // 128 emoji are 256 UTF-16 units but 128 characters.
            assertDoesNotThrow(() -> validator.validate(reserve("a", "😀".repeat(128), one)));
        }

        @Test
        void refusesLongOrUnprintableJobIds() {
            assertDetail(
                    "job_id: must be at most 128 characters, got 129",
                    () -> validator.validate(reserve("a", "j".repeat(129), one)));
            assertDetail(
                    "job_id: must be at most 128 characters, got 129",
                    () -> validator.validate(reserve("a", "😀".repeat(129), one)));
            assertDetail(
                    "job_id: must be printable, found U+000A at position 3",
                    () -> validator.validate(new CompleteRequest("a", "job\n", List.of())));
        }
    }

    @Nested
    class Keys {
        @Test
        void acceptsKeysOf1To256PrintableAsciiCharacters() {
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", new Requirement("k", 1))));
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", new Requirement("k".repeat(256), 1))));
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", new Requirement("!~:global/llm#x", 1))));
        }

        @Test
        void refusesEmptyLongAndWhitespaceKeys() {
            assertDetail(
                    "requirements[0].key: must be 1 to 256 characters, got 0",
                    () -> validator.validate(reserve("a", "", new Requirement("", 1))));
            assertDetail(
                    "requirements[0].key: must be 1 to 256 characters, got 257",
                    () -> validator.validate(reserve("a", "", new Requirement("k".repeat(257), 1))));
            assertDetail(
                    "requirements[1].key: must be printable ASCII without whitespace, found U+0020 at position 1",
                    () -> validator.validate(reserve("a", "", new Requirement("k", 1), new Requirement("a b", 1))));
            assertDetail(
                    "requirements[0].key: must be printable ASCII without whitespace, found U+0009 at position 0",
                    () -> validator.validate(reserve("a", "", new Requirement("\tk", 1))));
            assertDetail(
                    "requirements[0].key: must be printable ASCII without whitespace, found U+00FC at position 0",
                    () -> validator.validate(reserve("a", "", new Requirement("ü", 1))));
            assertDetail(
                    "actuals[0].key: must be printable ASCII without whitespace, found U+0020 at position 1",
                    () -> validator.validate(new CompleteRequest("a", "", List.of(new Actual("k ", 1)))));
        }
    }

    @Nested
    class Requirements {
        @Test
        void acceptsOneTo32Requirements() {
            assertDoesNotThrow(() -> validator.validate(new ReserveRequest("a", "", requirements(1))));
            assertDoesNotThrow(() -> validator.validate(new ReserveRequest("a", "", requirements(32))));
        }

        @Test
        void refusesNoneOrMoreThan32() {
            assertDetail(
                    "requirements: must hold 1 to 32 items, got 0",
                    () -> validator.validate(new ReserveRequest("a", "", requirements(0))));
            assertDetail(
                    "requirements: must hold 1 to 32 items, got 33",
                    () -> validator.validate(new ReserveRequest("a", "", requirements(33))));
        }

        @Test
        void followsAConfiguredLimit() {
            RequestValidator strict = new RequestValidator(new RequestLimits(2, 10));
            assertDoesNotThrow(() -> strict.validate(new ReserveRequest("a", "", requirements(2))));
            assertDetail(
                    "requirements: must hold 1 to 2 items, got 3",
                    () -> strict.validate(new ReserveRequest("a", "", requirements(3))));
            assertDetail(
                    "actuals: must hold at most 2 items, got 3",
                    () -> strict.validate(new CompleteRequest(
                            "a", "", List.of(new Actual("a", 1), new Actual("b", 1), new Actual("c", 1)))));
        }

        @Test
        void refusesAKeyTwice() {
            // Hazard of SPEC 11: a key named twice let the reference admit twice the capacity.
            assertDetail(
                    "requirements[2].key: names 'k' twice in one request",
                    () -> validator.validate(reserve(
                            "a", "", new Requirement("k", 1), new Requirement("j", 1), new Requirement("k", 1))));
            assertDetail(
                    "actuals[1].key: names 'k' twice in one request",
                    () -> validator.validate(
                            new CompleteRequest("a", "", List.of(new Actual("k", 1), new Actual("k", 2)))));
        }

        @Test
        void acceptsAmountsFromOne() {
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", new Requirement("k", 1))));
            assertDoesNotThrow(() -> validator.validate(reserve("a", "", new Requirement("k", Long.MAX_VALUE))));
            assertDetail(
                    "requirements[0].amount: must be from 1 to 9223372036854775807, got 0",
                    () -> validator.validate(reserve("a", "", new Requirement("k", 0))));
            assertDetail(
                    "requirements[1].amount: must be from 1 to 9223372036854775807, got -5",
                    () -> validator.validate(reserve("a", "", new Requirement("k", 1), new Requirement("j", -5))));
        }

        @Test
        void acceptsActualAmountsFromZero() {
            assertDoesNotThrow(() -> validator.validate(new CompleteRequest("a", "", List.of(new Actual("k", 0)))));
            assertDoesNotThrow(() -> validator.validate(new CompleteRequest("a", "", List.of())));
            assertDetail(
                    "actuals[0].actual_amount: must be from 0 to 9223372036854775807, got -1",
                    () -> validator.validate(new CompleteRequest("a", "", List.of(new Actual("k", -1)))));
        }
    }

    @Nested
    class AdminDefinitions {
        private LimitDefinition rolling(long capacity, long windowSeconds, long timeoutSeconds) {
            return new LimitDefinition(
                    "k", LimitKind.ROLLING, capacity, windowSeconds, timeoutSeconds, "", "", Overage.DEBT);
        }

        private LimitDefinition concurrency(long capacity, long windowSeconds, long timeoutSeconds) {
            return new LimitDefinition(
                    "k", LimitKind.CONCURRENCY, capacity, windowSeconds, timeoutSeconds, "", "", Overage.DEBT);
        }

        @Test
        void acceptsCapacityFromOne() {
            assertDoesNotThrow(() -> RequestValidator.normalise(rolling(1, 1, 0)));
            assertDoesNotThrow(() -> RequestValidator.normalise(rolling(Long.MAX_VALUE, 1, 0)));
            assertDetail(
                    "capacity: must be from 1 to 9223372036854775807, got 0",
                    () -> RequestValidator.normalise(rolling(0, 1, 0)));
            assertDetail(
                    "capacity: must be from 1 to 9223372036854775807, got -1",
                    () -> RequestValidator.normalise(concurrency(-1, 0, 1)));
        }

        @Test
        void rollingNeedsAWindowAndNoTimeout() {
            assertDoesNotThrow(() -> RequestValidator.normalise(rolling(1, MAX_HOLD_SECONDS, 0)));
            assertDetail(
                    "window_seconds: must be from 1 to 4294967295 for a rolling limit, got 0",
                    () -> RequestValidator.normalise(rolling(1, 0, 0)));
            assertDetail(
                    "window_seconds: must be from 1 to 4294967295 for a rolling limit, got 4294967296",
                    () -> RequestValidator.normalise(rolling(1, MAX_HOLD_SECONDS + 1, 0)));
            assertDetail(
                    "timeout_seconds: must be 0 for a rolling limit, got 1",
                    () -> RequestValidator.normalise(rolling(1, 60, 1)));
        }

        @Test
        void concurrencyNeedsATimeoutAndNoWindow() {
            assertDoesNotThrow(() -> RequestValidator.normalise(concurrency(1, 0, 1)));
            assertDoesNotThrow(() -> RequestValidator.normalise(concurrency(1, 0, MAX_HOLD_SECONDS)));
            assertDetail(
                    "timeout_seconds: must be from 1 to 4294967295 for a concurrency limit, got 0",
                    () -> RequestValidator.normalise(concurrency(1, 0, 0)));
            assertDetail(
                    "timeout_seconds: must be from 1 to 4294967295 for a concurrency limit, got 4294967296",
                    () -> RequestValidator.normalise(concurrency(1, 0, MAX_HOLD_SECONDS + 1)));
            assertDetail(
                    "window_seconds: must be 0 for a concurrency limit, got 60",
                    () -> RequestValidator.normalise(concurrency(1, 60, 30)));
        }

        @Test
        void trimsStringsBeforeCheckingThem() {
            LimitDefinition normalised = RequestValidator.normalise(new LimitDefinition(
                    "  global:llm:a:b:rpm\t",
                    LimitKind.ROLLING,
                    5,
                    60,
                    0,
                    " " + "u".repeat(64) + " ",
                    "\n described \n",
                    Overage.DENY));
            assertEquals(
                    new LimitDefinition(
                            "global:llm:a:b:rpm",
                            LimitKind.ROLLING,
                            5,
                            60,
                            0,
                            "u".repeat(64),
                            "described",
                            Overage.DENY),
                    normalised);
            assertDetail(
                    "key: must be 1 to 256 characters, got 0",
                    () -> RequestValidator.normalise(
                            new LimitDefinition("   ", LimitKind.ROLLING, 5, 60, 0, "", "", Overage.DEBT)));
            assertDetail(
                    "key: must be printable ASCII without whitespace, found U+0020 at position 1",
                    () -> RequestValidator.normalise(LimitDefinition.rolling(" a b ", 5, 60)));
            assertDetail(
                    "key: must be 1 to 256 characters, got 257",
                    () -> RequestValidator.normalise(LimitDefinition.rolling("k".repeat(257), 5, 60)));
        }

        @Test
        void boundsUnitAndDescription() {
            LimitDefinition base = rolling(1, 1, 0);
            assertDoesNotThrow(() -> RequestValidator.normalise(withText(base, "u".repeat(64), "d".repeat(1024))));
            assertDoesNotThrow(() -> RequestValidator.normalise(withText(base, "€".repeat(64), "😀".repeat(1024))));
            assertDetail(
                    "unit: must be at most 64 characters, got 65",
                    () -> RequestValidator.normalise(withText(base, "u".repeat(65), "")));
            assertDetail(
                    "description: must be at most 1024 characters, got 1025",
                    () -> RequestValidator.normalise(withText(base, "", "d".repeat(1025))));
        }

        @Test
        void checksAStatesPendingDecrease() {
            LimitDefinition definition = LimitDefinition.rolling(" k ", 10, 60);
            assertEquals(
                    new LimitState(LimitDefinition.rolling("k", 10, 60), LimitStatus.DECREASING, 9, 3),
                    RequestValidator.normalise(new LimitState(definition, LimitStatus.DECREASING, 9, 3)));
            assertDetail(
                    "capacity: must be from 1 to 9223372036854775807, got 0",
                    () -> RequestValidator.normalise(LimitState.created(LimitDefinition.rolling("k", 0, 60))));
        }

        private LimitDefinition withText(LimitDefinition base, String unit, String description) {
            return new LimitDefinition(
                    base.key(),
                    base.kind(),
                    base.capacity(),
                    base.windowSeconds(),
                    base.timeoutSeconds(),
                    unit,
                    description,
                    base.overage());
        }
    }
}
