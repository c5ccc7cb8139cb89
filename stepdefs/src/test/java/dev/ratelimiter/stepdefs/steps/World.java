package dev.ratelimiter.stepdefs.steps;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.WireCodec;
import dev.ratelimiter.stepdefs.api.Answer;
import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.stepdefs.api.Routes;
import dev.ratelimiter.stepdefs.target.Targets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The state of one scenario, shared by its step classes through PicoContainer: the scenario's
 * names, the limits it defined, every reservation and completion it sent with the answers, and
 * the last answer of each kind that Then steps judge.
 *
 * <p>Acting methods (define, reserve, complete, send) record what they sent; observing methods
 * (read a limit, list limits) record nothing, so that "the response is returned within 200
 * milliseconds" and "the request is refused" always speak of the last action. Answers are decoded
 * with core's strict codec, so a response with a missing or unknown field fails the scenario.
 *
 * <p>Not thread-safe: Cucumber runs one scenario's steps on one thread, and a new World per scenario.
 */
public final class World {
    private static final WireCodec CODEC = new WireCodec();

    private final Names names = Names.random();
    private final Map<String, LimitDefinition> definitions = new LinkedHashMap<>();
    private final List<ReserveAttempt> reserves = new ArrayList<>();
    private final Map<String, Set<String>> keysByLease = new HashMap<>();
    private final Map<String, Answer> lastCompleteByLease = new HashMap<>();
    private LimiterHttp http;
    private String currentLimit;
    private Answer lastOperation;
    private Answer lastAction;
    private Answer lastAdminChange;
    private List<LimitInfo> lastList;
    private Answer lastBatch;
    private int probes;

    public Names names() {
        return names;
    }

    public WireCodec codec() {
        return CODEC;
    }

    LimiterHttp http() {
        if (http == null) {
            http = Targets.current().http();
        }
        return http;
    }

    // ---- limits --------------------------------------------------------------------------

    /** Sends an admin definition with the scenario's key name; remembers it as the current limit. */
    Answer define(LimitDefinition definition) {
        String name = definition.key();
        LimitDefinition sent = new LimitDefinition(
                names.key(name),
                definition.kind(),
                definition.capacity(),
                definition.windowSeconds(),
                definition.timeoutSeconds(),
                definition.unit(),
                definition.description(),
                definition.overage());
        Answer answer = act(http().put(Routes.LIMITS, CODEC.write(sent)));
        lastAdminChange = answer;
        if (answer.status() == 200) {
            definitions.put(name, definition);
            currentLimit = name;
        }
        return answer;
    }

    /** Sends a raw admin definition (for bodies the codec cannot write); its key must be namespaced. */
    Answer defineRaw(byte[] body) {
        Answer answer = act(http().put(Routes.LIMITS, body));
        lastAdminChange = answer;
        return answer;
    }

    /** The last definition this scenario gave the limit, as the scenario named it. */
    LimitDefinition definition(String name) {
        LimitDefinition definition = definitions.get(name);
        if (definition == null) {
            throw new IllegalStateException("the scenario never defined the limit \"" + name + "\"; define it first");
        }
        return definition;
    }

    /** The scenario's names of the limits it defined, in the order it first defined them. */
    List<String> definedLimits() {
        return List.copyOf(definitions.keySet());
    }

    /** The limit the scenario defined last: the one "I reserve amount N for lease X" takes from. */
    String currentLimit() {
        if (currentLimit == null) {
            throw new IllegalStateException("the scenario has not defined a limit yet");
        }
        return currentLimit;
    }

    Answer lastAdminChange() {
        if (lastAdminChange == null) {
            throw new IllegalStateException("the admin has not changed any limit in this scenario");
        }
        return lastAdminChange;
    }

    /** Reads a limit with its usage; fails the scenario when the server does not know it. */
    LimitInfo limit(String name) {
        Answer answer = http().get(Routes.limit(names.key(name)));
        if (answer.status() != 200) {
            throw new AssertionError("reading the limit \"" + name + "\" should succeed, got " + answer.describe());
        }
        LimitInfo info = decode(answer, CODEC::readLimit);
        if (!info.definition().key().equals(names.key(name))) {
            throw new AssertionError("asked for the limit \"" + name + "\" and got "
                    + info.definition().key());
        }
        return info;
    }

    /** Reads a limit that may not exist: the raw answer. */
    Answer readLimit(String name) {
        return http().get(Routes.limit(names.key(name)));
    }

    List<LimitInfo> listLimits() {
        Answer answer = http().get(Routes.LIMITS);
        if (answer.status() != 200) {
            throw new AssertionError("listing the limits should succeed, got " + answer.describe());
        }
        lastList = decode(answer, CODEC::readLimits);
        return lastList;
    }

    /** The list read by the last {@link #listLimits()}. */
    List<LimitInfo> lastList() {
        if (lastList == null) {
            throw new IllegalStateException("the scenario has not listed the limits yet");
        }
        return lastList;
    }

    // ---- leases --------------------------------------------------------------------------

    /** Reserves for a lease; requirements use the scenario's names of limits. */
    ReserveAttempt reserve(String lease, List<Requirement> requirements) {
        List<Requirement> sent = new ArrayList<>(requirements.size());
        for (Requirement requirement : requirements) {
            sent.add(new Requirement(names.key(requirement.key()), requirement.amount()));
            keysByLease.computeIfAbsent(lease, ignored -> new LinkedHashSet<>()).add(requirement.key());
        }
        Answer answer = act(http().post(Routes.RESERVE, CODEC.write(new ReserveRequest(names.lease(lease), "", sent))));
        lastOperation = answer;
        ReserveAttempt attempt = new ReserveAttempt(lease, requirements, answer);
        reserves.add(attempt);
        return attempt;
    }

    /** Completes a lease; actuals use the scenario's names of limits. */
    Answer complete(String lease, List<Actual> actuals) {
        List<Actual> sent = new ArrayList<>(actuals.size());
        for (Actual actual : actuals) {
            sent.add(new Actual(names.key(actual.key()), actual.actualAmount()));
        }
        Answer answer =
                act(http().post(Routes.COMPLETE, CODEC.write(new CompleteRequest(names.lease(lease), "", sent))));
        lastOperation = answer;
        lastCompleteByLease.put(lease, answer);
        return answer;
    }

    /** The one limit a lease reserved in this scenario, or the current limit if it reserved none. */
    String onlyLimitOf(String lease) {
        Set<String> keys = keysByLease.getOrDefault(lease, Set.of());
        if (keys.size() > 1) {
            throw new IllegalStateException(
                    "lease \"" + lease + "\" holds several limits " + keys + "; name the actual amount of each");
        }
        return keys.isEmpty() ? currentLimit() : keys.iterator().next();
    }

    List<ReserveAttempt> reserves() {
        return List.copyOf(reserves);
    }

    List<ReserveAttempt> reservesOf(String lease) {
        return reserves.stream()
                .filter(attempt -> attempt.lease().equals(lease))
                .toList();
    }

    ReserveAttempt lastReserveOf(String lease) {
        List<ReserveAttempt> attempts = reservesOf(lease);
        if (attempts.isEmpty()) {
            throw new IllegalStateException("the scenario never reserved for lease \"" + lease + "\"");
        }
        return attempts.get(attempts.size() - 1);
    }

    Answer lastCompleteOf(String lease) {
        Answer answer = lastCompleteByLease.get(lease);
        if (answer == null) {
            throw new IllegalStateException("the scenario never completed lease \"" + lease + "\"");
        }
        return answer;
    }

    /** A lease name no step of this scenario has used, for probes such as "new reservations are denied". */
    String freshLease() {
        probes++;
        return "probe-" + probes;
    }

    // ---- raw requests and the last answers -----------------------------------------------

    /** Sends a raw request as an action: it becomes the last answer and the last operation. */
    Answer send(String method, String path, byte[] body) {
        Answer answer = act(http().send(method, path, body));
        lastOperation = answer;
        return answer;
    }

    /** Sends a batch as an action; it becomes the last batch too. */
    Answer sendBatch(String path, byte[] body) {
        lastBatch = send("POST", path, body);
        return lastBatch;
    }

    Answer lastBatch() {
        if (lastBatch == null) {
            throw new IllegalStateException("the scenario has not sent a batch yet");
        }
        return lastBatch;
    }

    /** The answer to the last action of any kind (refusals are judged on it). */
    Answer lastAction() {
        if (lastAction == null) {
            throw new IllegalStateException("the scenario has not sent anything yet");
        }
        return lastAction;
    }

    /** The answer to the last reservation, completion or batch: its timing is what scenarios expect. */
    Answer lastOperation() {
        if (lastOperation == null) {
            throw new IllegalStateException("the scenario has not reserved, completed or batched anything yet");
        }
        return lastOperation;
    }

    /**
     * Sends a request as someone other than the scenario's admin and clients (an outsider without a
     * token, or another machine); it becomes the last action, and the last admin change when it was one.
     */
    Answer sendAs(Function<LimiterHttp, Answer> outsider, boolean adminChange) {
        Answer answer = act(outsider.apply(http()));
        if (adminChange) {
            lastAdminChange = answer;
        }
        return answer;
    }

    private Answer act(Answer answer) {
        lastAction = answer;
        return answer;
    }

    // ---- decoding ------------------------------------------------------------------------

    /** The decision in a reservation's answer; fails when the answer is not a 200 decision. */
    ReserveResponse decision(Answer answer) {
        if (answer.status() != 200) {
            throw new AssertionError("a reservation should be answered with a decision, got " + answer.describe());
        }
        return decode(answer, CODEC::readReserveResponse);
    }

    CompleteResponse completion(Answer answer) {
        if (answer.status() != 200) {
            throw new AssertionError("a completion should be answered, got " + answer.describe());
        }
        return decode(answer, CODEC::readCompleteResponse);
    }

    /** The error body of a refusal, when the answer has one in the contract's shape. */
    Optional<ErrorBody> errorBody(Answer answer) {
        try {
            return Optional.of(CODEC.readError(answer.body()));
        } catch (InvalidRequestException notAnErrorBody) {
            return Optional.empty();
        }
    }

    /** Decodes a body strictly; a body that breaks the contract's shape fails the scenario. */
    <T> T decode(Answer answer, Function<byte[], T> reader) {
        try {
            return reader.apply(answer.body());
        } catch (InvalidRequestException e) {
            throw new AssertionError(
                    "the answer breaks the contract's shape (" + e.detail() + "): " + answer.describe(), e);
        }
    }
}
