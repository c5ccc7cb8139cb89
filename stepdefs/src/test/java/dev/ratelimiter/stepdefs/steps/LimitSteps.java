package dev.ratelimiter.stepdefs.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.stepdefs.api.Answer;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Steps about limits: an admin defines and changes them, and anyone reads them back with their
 * usage. Every observation goes through the admin API ({@code usage.available}, {@code usage.debt},
 * status and definition), never through the harness's own bookkeeping.
 */
public final class LimitSteps {
    /** The window of limits whose scenario does not name one: longer than any scenario runs. */
    private static final long DEFAULT_WINDOW_SECONDS = 60;

    private final World world;

    public LimitSteps(World world) {
        this.world = world;
    }

    // ---- defining ------------------------------------------------------------------------

    @Given("a rolling limit {string} with capacity {long} and window {long} second(s)")
    public void aRollingLimit(String key, long capacity, long windowSeconds) {
        defineOrFail(LimitDefinition.rolling(key, capacity, windowSeconds));
    }

    @Given("a rolling limit {string} with capacity {long} and overage {string}")
    public void aRollingLimitWithOverage(String key, long capacity, String overage) {
        defineOrFail(
                LimitDefinition.rolling(key, capacity, DEFAULT_WINDOW_SECONDS).withOverage(overage(overage)));
    }

    @Given("a concurrency limit {string} with capacity {long} and timeout {long} second(s)")
    public void aConcurrencyLimit(String key, long capacity, long timeoutSeconds) {
        defineOrFail(LimitDefinition.concurrency(key, capacity, timeoutSeconds));
    }

    @Given("limits {string} capacity {long} and {string} capacity {long} in the same request")
    public void twoLimitsForOneRequest(String first, long firstCapacity, String second, long secondCapacity) {
        defineOrFail(LimitDefinition.rolling(first, firstCapacity, DEFAULT_WINDOW_SECONDS));
        defineOrFail(LimitDefinition.rolling(second, secondCapacity, DEFAULT_WINDOW_SECONDS));
    }

    @Given("{int} rolling limits {string} to {string} with capacity {long} and window {long} seconds")
    public void numberedRollingLimits(int count, String first, String last, long capacity, long windowSeconds) {
        List<String> keys = Numbered.range(first, last);
        assertEquals(count, keys.size(), () -> "the range \"" + first + "\" to \"" + last + "\" should name " + count);
        for (String key : keys) {
            defineOrFail(LimitDefinition.rolling(key, capacity, windowSeconds));
        }
    }

    @When("the admin defines a rolling limit {string} with capacity {long} and window {long} second(s)")
    public void theAdminDefinesARollingLimit(String key, long capacity, long windowSeconds) {
        world.define(LimitDefinition.rolling(key, capacity, windowSeconds));
    }

    /**
     * A definition written field by field, values as the admin sends them (quoted text, bare
     * numbers), so that spaces and capitals reach the server unchanged.
     */
    @When("the admin defines a limit with these fields:")
    public void theAdminDefinesALimitWithTheseFields(DataTable fields) {
        RawJson.Obj definition = RawJson.object();
        for (Map.Entry<String, String> field : fields.asMap().entrySet()) {
            String name = field.getKey().strip().replace(' ', '_');
            String value = field.getValue();
            if (name.equals("key")) {
                value = RawJson.quote(namespacedKeepingSpaces(RawJson.unquote(value)));
            }
            definition.put(name, value);
        }
        world.defineRaw(definition.bytes());
    }

    // ---- changing ------------------------------------------------------------------------

    @When("the admin decreases capacity for {string} to {long}")
    public void theAdminDecreasesCapacity(String key, long capacity) {
        changeCapacity(key, capacity);
    }

    @When("the admin increases the capacity of {string} to {long}")
    public void theAdminIncreasesCapacity(String key, long capacity) {
        changeCapacity(key, capacity);
    }

    @When("the admin sets the capacity of {string} to {long}")
    public void theAdminSetsCapacity(String key, long capacity) {
        changeCapacity(key, capacity);
    }

    @When("the admin changes the window of {string} to {long} second(s)")
    public void theAdminChangesTheWindow(String key, long windowSeconds) {
        LimitDefinition current = world.definition(key);
        defineOrFail(new LimitDefinition(
                key,
                current.kind(),
                current.capacity(),
                windowSeconds,
                current.timeoutSeconds(),
                current.unit(),
                current.description(),
                current.overage()));
    }

    @When("the admin changes the overage of {string} to {string}")
    public void theAdminChangesTheOverage(String key, String overage) {
        defineOrFail(world.definition(key).withOverage(overage(overage)));
    }

    @When("the admin redefines {string} as a concurrency limit with capacity {long} and timeout {long} second(s)")
    public void theAdminRedefinesAsConcurrency(String key, long capacity, long timeoutSeconds) {
        world.define(LimitDefinition.concurrency(key, capacity, timeoutSeconds));
    }

    // ---- observing -----------------------------------------------------------------------

    @Then("the admin is told the limit is {status}")
    public void theAdminIsToldTheLimitIs(String status) {
        Answer answer = world.lastAdminChange();
        assertEquals(200, answer.status(), () -> "the admin change should be accepted: " + answer.describe());
        PutLimitResponse response = world.decode(answer, world.codec()::readPutLimitResponse);
        assertTrue(response.ok(), () -> "the admin change should answer ok: " + answer.describe());
        assertEquals(status, response.status().wireName(), () -> "status in " + answer.describe());
    }

    @Then("the {string} limit remains at {long}")
    public void theLimitRemainsAt(String key, long available) {
        LimitInfo info = world.limit(key);
        assertEquals(available, info.usage().available(), () -> "available capacity of \"" + key + "\": " + info);
    }

    @Then("the debt for {string} is {long}")
    public void theDebtIs(String key, long debt) {
        LimitInfo info = world.limit(key);
        assertEquals(debt, info.usage().debt(), () -> "debt of \"" + key + "\": " + info);
    }

    @Then("the limit {string} has no debt")
    public void theLimitHasNoDebt(String key) {
        theDebtIs(key, 0);
    }

    @Then("the limit {string} has {long} reserved and {long} available")
    public void theLimitHasReservedAndAvailable(String key, long reserved, long available) {
        LimitInfo info = world.limit(key);
        assertEquals(reserved, info.usage().reserved(), () -> "reserved amount of \"" + key + "\": " + info);
        assertEquals(available, info.usage().available(), () -> "available capacity of \"" + key + "\": " + info);
    }

    @Then("the limit {string} is active with capacity {long}")
    public void theLimitIsActiveWithCapacity(String key, long capacity) {
        LimitInfo info = world.limit(key);
        assertTrue(
                isActiveWithCapacity(info, capacity),
                () -> "expected \"" + key + "\" active with capacity " + capacity + " and no pending decrease, got "
                        + info);
    }

    @Then("the limit {string} is decreasing to {long} and still has capacity {long}")
    public void theLimitIsDecreasing(String key, long pendingDecreaseTo, long capacity) {
        LimitInfo info = world.limit(key);
        assertEquals(LimitStatus.DECREASING, info.status(), () -> "status of \"" + key + "\": " + info);
        assertEquals(pendingDecreaseTo, info.pendingDecreaseTo(), () -> "pending decrease of \"" + key + "\": " + info);
        assertEquals(capacity, info.definition().capacity(), () -> "capacity of \"" + key + "\": " + info);
    }

    /** The decrease is applied by the server's own loop: the harness only watches for it. */
    @Then("within {long} second(s) the limit {string} is active with capacity {long}")
    public void withinSecondsTheLimitIsActiveWithCapacity(long seconds, String key, long capacity) {
        Poll.until(
                Duration.ofSeconds(seconds),
                "\"" + key + "\" active with capacity " + capacity,
                () -> world.limit(key),
                info -> isActiveWithCapacity(info, capacity),
                LimitInfo::toString);
    }

    @Then("within {long} second(s) the limit {string} has exactly {long} reserved")
    public void withinSecondsTheLimitHasExactlyReserved(long seconds, String key, long reserved) {
        Poll.until(
                Duration.ofSeconds(seconds),
                "\"" + key + "\" with exactly " + reserved + " reserved",
                () -> world.limit(key),
                info -> info.usage().reserved() == reserved,
                LimitInfo::toString);
    }

    /**
     * Capacity comes back by itself, and not early: the observation that first sees it back must
     * end at least the window (or timeout) after the reservation was sent. The server admitted the
     * lease after it was sent, so a correct server can never be seen back earlier; 25 ms allow
     * for a server that counts time in whole milliseconds.
     */
    @Then(
            "the limit {string} has {long} available again within {long} seconds, but not before {long} second(s) after lease {string} was reserved")
    public void capacityReturnsByItself(
            String key, long available, long withinSeconds, long notBeforeSeconds, String lease) {
        ReserveAttempt first = world.reservesOf(lease).get(0);
        assertTrue(
                world.decision(first.answer()).allowed(),
                () -> "lease \"" + lease + "\" should have been admitted: "
                        + first.answer().describe());
        Poll.Observed<LimitInfo> back = Poll.until(
                Duration.ofSeconds(withinSeconds),
                available + " available in \"" + key + "\"",
                () -> world.limit(key),
                info -> info.usage().available() == available,
                LimitInfo::toString);
        long elapsedMs = Duration.ofNanos(back.observedNanos() - first.answer().startedNanos())
                .toMillis();
        assertTrue(
                elapsedMs >= notBeforeSeconds * 1000 - 25,
                () -> "capacity of \"" + key + "\" was back after " + elapsedMs + " ms, before the " + notBeforeSeconds
                        + " s that lease \"" + lease + "\" holds it");
    }

    @Then("the limit {string} reads back as:")
    public void theLimitReadsBackAs(String key, DataTable expected) {
        LimitInfo info = world.limit(key);
        for (Map.Entry<String, String> field : expected.asMap().entrySet()) {
            String name = field.getKey().strip();
            assertEquals(field.getValue(), fieldOf(info, name), () -> name + " of \"" + key + "\": " + info);
        }
    }

    @When("anyone lists the limits")
    public void anyoneListsTheLimits() {
        world.listLimits();
    }

    @Then("the list shows {string}, {string} and {string} in that order")
    public void theListShowsInThatOrder(String first, String second, String third) {
        List<String> mine = world.lastList().stream()
                .map(info -> info.definition().key())
                .filter(key -> key.startsWith(world.names().keyPrefix()))
                .map(world.names()::keyName)
                .toList();
        assertEquals(List.of(first, second, third), mine, "this scenario's limits, in the order listed");
    }

    @Then("the admin finds no limit {string}")
    public void theAdminFindsNoLimit(String key) {
        Answer answer = world.readLimit(key);
        assertEquals(404, answer.status(), () -> "reading an undefined limit: " + answer.describe());
        ErrorBody error = world.errorBody(answer)
                .orElseThrow(() -> new AssertionError(
                        "a missing limit should be answered with an error body: " + answer.describe()));
        assertEquals("not_found", error.error(), () -> answer.describe());
    }

    // ---- helpers -------------------------------------------------------------------------

    private void defineOrFail(LimitDefinition definition) {
        Answer answer = world.define(definition);
        if (answer.status() != 200) {
            fail("defining the limit \"" + definition.key() + "\" should succeed, got " + answer.describe());
        }
    }

    private void changeCapacity(String key, long capacity) {
        defineOrFail(world.definition(key).withCapacity(capacity));
    }

    private static boolean isActiveWithCapacity(LimitInfo info, long capacity) {
        return info.status() == LimitStatus.ACTIVE
                && info.definition().capacity() == capacity
                && info.pendingDecreaseTo() == 0;
    }

    private static Overage overage(String text) {
        return Overage.fromWire(text)
                .orElseThrow(() -> new IllegalArgumentException(
                        "overage must be \"debt\" or \"deny\" in a scenario, got \"" + text + "\""));
    }

    /** Keeps the spaces around a key name, so that trimming is the server's job. */
    private String namespacedKeepingSpaces(String text) {
        String name = text.strip();
        int leading = text.indexOf(name);
        return text.substring(0, leading) + world.names().key(name) + text.substring(leading + name.length());
    }

    private static String fieldOf(LimitInfo info, String name) {
        LimitDefinition definition = info.definition();
        return switch (name) {
            case "kind" -> definition.kind().wireName();
            case "capacity" -> Long.toString(definition.capacity());
            case "window seconds" -> Long.toString(definition.windowSeconds());
            case "timeout seconds" -> Long.toString(definition.timeoutSeconds());
            case "unit" -> definition.unit();
            case "description" -> definition.description();
            case "overage" -> definition.overage().wireName();
            case "status" -> info.status().wireName();
            case "pending decrease to" -> Long.toString(info.pendingDecreaseTo());
            case "reserved" -> Long.toString(info.usage().reserved());
            case "available" -> Long.toString(info.usage().available());
            case "debt" -> Long.toString(info.usage().debt());
            default ->
                throw new IllegalArgumentException("a limit has no field \"" + name + "\"; use one of kind,"
                        + " capacity, window seconds, timeout seconds, unit, description, overage, status,"
                        + " pending decrease to, reserved, available, debt");
        };
    }
}
