package dev.ratelimiter.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The defaults of SPEC 6 and the validation of a configured retry policy. */
class RetryPolicyTest {
    private static final RetryPolicy D = RetryPolicy.DEFAULT;

    @Test
    void defaultsAreTheOnesOfTheSpec() {
        assertEquals(50, D.concurrencyBaseMs());
        assertEquals(2.0, D.concurrencyFactor());
        assertEquals(2000, D.concurrencyMaxMs());
        assertEquals(25, D.concurrencyJitterMs());
        assertEquals(100, D.rollingMinBaseMs());
        assertEquals(10, D.rollingBaseWindowPercent());
        assertEquals(1.5, D.rollingFactor());
        assertEquals(5000, D.rollingCapMs());
        assertEquals(50, D.rollingJitterMs());
        assertEquals(10_000, D.decreasingMs());
        assertEquals(10_000, D.streakDecayMs());
    }

    @Test
    void boundaryValuesAreAccepted() {
        new RetryPolicy(1, 1.0, 1, 0, 1, 0, 1.0, 1, 0, 1, 1);
        new RetryPolicy(
                3_600_000,
                10.0,
                3_600_000,
                3_600_000,
                3_600_000,
                100,
                10.0,
                3_600_000,
                3_600_000,
                3_600_000,
                86_400_000);
    }

    /** One field out of range each; the message must name that field and its rule. */
    static Stream<Arguments> badPolicies() {
        return Stream.of(
                bad("concurrencyBaseMs", "from 1 to 3600000", p -> with(p, 0, 0)),
                bad("concurrencyBaseMs", "from 1 to 3600000", p -> with(p, 0, 3_600_001)),
                bad("concurrencyFactor", "from 1.0 to 10.0", p -> with(p, 1, 0.5)),
                bad("concurrencyFactor", "from 1.0 to 10.0", p -> with(p, 1, 10.5)),
                bad("concurrencyFactor", "from 1.0 to 10.0", p -> with(p, 1, Double.NaN)),
                bad("concurrencyFactor", "from 1.0 to 10.0", p -> with(p, 1, Double.POSITIVE_INFINITY)),
                bad("concurrencyMaxMs", "from 1 to 3600000", p -> with(p, 2, 0)),
                bad("concurrencyJitterMs", "from 0 to 3600000", p -> with(p, 3, -1)),
                bad("rollingMinBaseMs", "from 1 to 3600000", p -> with(p, 4, 0)),
                bad("rollingBaseWindowPercent", "from 0 to 100", p -> with(p, 5, -1)),
                bad("rollingBaseWindowPercent", "from 0 to 100", p -> with(p, 5, 101)),
                bad("rollingFactor", "from 1.0 to 10.0", p -> with(p, 6, 0.99)),
                bad("rollingFactor", "from 1.0 to 10.0", p -> with(p, 6, Double.NaN)),
                bad("rollingCapMs", "from 1 to 3600000", p -> with(p, 7, 0)),
                bad("rollingJitterMs", "from 0 to 3600000", p -> with(p, 8, -1)),
                bad("decreasingMs", "from 1 to 3600000", p -> with(p, 9, 0)),
                bad("decreasingMs", "from 1 to 3600000", p -> with(p, 9, Long.MAX_VALUE)),
                bad("streakDecayMs", "from 1 to 86400000", p -> with(p, 10, 0)),
                bad("streakDecayMs", "from 1 to 86400000", p -> with(p, 10, 86_400_001)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badPolicies")
    void outOfRangeValueIsRejectedNamingTheFieldAndTheRule(
            String field, String rule, Function<RetryPolicy, RetryPolicy> change) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> change.apply(D));

        assertTrue(error.getMessage().startsWith(field + " must be " + rule), error.getMessage());
    }

    private static Arguments bad(String field, String rule, Function<RetryPolicy, RetryPolicy> change) {
        return Arguments.of(field, rule, change);
    }

    /**
     * {@code policy} with its component number {@code index} (declaration order) set to {@code value}.
     * Doubles carry every value used here exactly (Long.MAX_VALUE converts back to itself).
     */
    private static RetryPolicy with(RetryPolicy policy, int index, double value) {
        double[] values = {
            policy.concurrencyBaseMs(),
            policy.concurrencyFactor(),
            policy.concurrencyMaxMs(),
            policy.concurrencyJitterMs(),
            policy.rollingMinBaseMs(),
            policy.rollingBaseWindowPercent(),
            policy.rollingFactor(),
            policy.rollingCapMs(),
            policy.rollingJitterMs(),
            policy.decreasingMs(),
            policy.streakDecayMs()
        };
        values[index] = value;
        return new RetryPolicy(
                (long) values[0],
                values[1],
                (long) values[2],
                (long) values[3],
                (long) values[4],
                (long) values[5],
                values[6],
                (long) values[7],
                (long) values[8],
                (long) values[9],
                (long) values[10]);
    }
}
