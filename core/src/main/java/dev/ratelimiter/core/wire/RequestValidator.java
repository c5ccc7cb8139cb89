package dev.ratelimiter.core.wire;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.RepeatedKeys;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import java.util.List;

/**
 * The validation rules of SPEC 3, in one place for the server, the local limiter and the registry.
 * Every failure is an {@link InvalidRequestException} whose detail starts with the field's path.
 * Stateless and thread-safe.
 */
public final class RequestValidator {
    /** The largest window or timeout, in seconds (an unsigned 32-bit value, as TigerBeetle's timeout). */
    public static final long MAX_HOLD_SECONDS = 4_294_967_295L;

    public static final int MAX_LEASE_ID_LENGTH = 64;
    public static final int MAX_JOB_ID_LENGTH = 128;
    public static final int MAX_KEY_LENGTH = 256;
    public static final int MAX_UNIT_LENGTH = 64;
    public static final int MAX_DESCRIPTION_LENGTH = 1024;

    private final RequestLimits limits;

    public RequestValidator(RequestLimits limits) {
        this.limits = limits;
    }

    public RequestLimits limits() {
        return limits;
    }

    public void validate(ReserveRequest request) {
        checkLeaseId(request.leaseId());
        checkJobId(request.jobId());
        List<Requirement> requirements = request.requirements();
        if (requirements.isEmpty() || requirements.size() > limits.maxRequirements()) {
            throw invalid(
                    "requirements",
                    "must hold 1 to " + limits.maxRequirements() + " items, got " + requirements.size());
        }
        // Field paths are built only for an error: this runs on every reserve.
        for (int i = 0; i < requirements.size(); i++) {
            Requirement requirement = requirements.get(i);
            String keyProblem = keyProblem(requirement.key());
            if (keyProblem != null) {
                throw invalid("requirements[" + i + "].key", keyProblem);
            }
            if (requirement.amount() < 1) {
                throw invalid(
                        "requirements[" + i + "].amount",
                        "must be from 1 to " + Long.MAX_VALUE + ", got " + requirement.amount());
            }
        }
        int repeat = RepeatedKeys.firstRepeat(requirements, Requirement::key);
        if (repeat >= 0) {
            throw invalid(
                    "requirements[" + repeat + "].key",
                    "names '" + requirements.get(repeat).key() + "' twice in one request");
        }
    }

    public void validate(CompleteRequest request) {
        checkLeaseId(request.leaseId());
        checkJobId(request.jobId());
        List<Actual> actuals = request.actuals();
        if (actuals.size() > limits.maxRequirements()) {
            throw invalid("actuals", "must hold at most " + limits.maxRequirements() + " items, got " + actuals.size());
        }
        for (int i = 0; i < actuals.size(); i++) {
            Actual actual = actuals.get(i);
            String keyProblem = keyProblem(actual.key());
            if (keyProblem != null) {
                throw invalid("actuals[" + i + "].key", keyProblem);
            }
            if (actual.actualAmount() < 0) {
                throw invalid(
                        "actuals[" + i + "].actual_amount",
                        "must be from 0 to " + Long.MAX_VALUE + ", got " + actual.actualAmount());
            }
        }
        int repeat = RepeatedKeys.firstRepeat(actuals, Actual::key);
        if (repeat >= 0) {
            throw invalid(
                    "actuals[" + repeat + "].key",
                    "names '" + actuals.get(repeat).key() + "' twice in one request");
        }
    }

    /**
     * Checks an admin definition and returns it normalised: strings trimmed (kind and overage are
     * already enums, matched case-insensitively by the codec).
     */
    public static LimitDefinition normalise(LimitDefinition definition) {
        LimitDefinition trimmed = new LimitDefinition(
                definition.key().strip(),
                definition.kind(),
                definition.capacity(),
                definition.windowSeconds(),
                definition.timeoutSeconds(),
                definition.unit().strip(),
                definition.description().strip(),
                definition.overage());
        checkKey("key", trimmed.key());
        if (trimmed.capacity() < 1) {
            throw invalid("capacity", "must be from 1 to " + Long.MAX_VALUE + ", got " + trimmed.capacity());
        }
        if (trimmed.kind() == LimitKind.ROLLING) {
            checkHoldSeconds("window_seconds", trimmed.windowSeconds(), "a rolling limit");
            if (trimmed.timeoutSeconds() != 0) {
                throw invalid("timeout_seconds", "must be 0 for a rolling limit, got " + trimmed.timeoutSeconds());
            }
        } else {
            checkHoldSeconds("timeout_seconds", trimmed.timeoutSeconds(), "a concurrency limit");
            if (trimmed.windowSeconds() != 0) {
                throw invalid("window_seconds", "must be 0 for a concurrency limit, got " + trimmed.windowSeconds());
            }
        }
        if (characters(trimmed.unit()) > MAX_UNIT_LENGTH) {
            throw invalid(
                    "unit", "must be at most " + MAX_UNIT_LENGTH + " characters, got " + characters(trimmed.unit()));
        }
        if (characters(trimmed.description()) > MAX_DESCRIPTION_LENGTH) {
            throw invalid(
                    "description",
                    "must be at most " + MAX_DESCRIPTION_LENGTH + " characters, got "
                            + characters(trimmed.description()));
        }
        return trimmed;
    }

    /** Checks a registry entry: its definition, and a status consistent with its pending decrease. */
    public static LimitState normalise(LimitState state) {
        LimitDefinition definition = normalise(state.definition());
        if (state.status() == LimitStatus.DECREASING
                && (state.pendingDecreaseTo() < 1 || state.pendingDecreaseTo() >= definition.capacity())) {
            throw invalid(
                    "pending_decrease_to",
                    "must lie between 1 and capacity - 1 while decreasing, got " + state.pendingDecreaseTo());
        }
        return new LimitState(definition, state.status(), state.pendingDecreaseTo(), state.revision());
    }

    private static void checkHoldSeconds(String field, long seconds, String what) {
        if (seconds < 1 || seconds > MAX_HOLD_SECONDS) {
            throw invalid(field, "must be from 1 to " + MAX_HOLD_SECONDS + " for " + what + ", got " + seconds);
        }
    }

    static void checkLeaseId(String leaseId) {
        if (leaseId.isEmpty() || leaseId.length() > MAX_LEASE_ID_LENGTH) {
            throw invalid("lease_id", "must be 1 to " + MAX_LEASE_ID_LENGTH + " characters, got " + leaseId.length());
        }
        for (int i = 0; i < leaseId.length(); i++) {
            char c = leaseId.charAt(i);
            boolean allowed =
                    (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
            if (!allowed) {
                throw invalid("lease_id", "may hold only [0-9A-Za-z_-], found " + describe(c) + " at position " + i);
            }
        }
    }

    static void checkJobId(String jobId) {
        if (characters(jobId) > MAX_JOB_ID_LENGTH) {
            throw invalid("job_id", "must be at most " + MAX_JOB_ID_LENGTH + " characters, got " + characters(jobId));
        }
        for (int i = 0; i < jobId.length(); i++) {
            if (Character.isISOControl(jobId.charAt(i))) {
                throw invalid("job_id", "must be printable, found " + describe(jobId.charAt(i)) + " at position " + i);
            }
        }
    }

    /** A key is 1 to 256 printable ASCII characters without whitespace (0x21 to 0x7e). */
    public static void checkKey(String field, String key) {
        String problem = keyProblem(key);
        if (problem != null) {
            throw invalid(field, problem);
        }
    }

    /** What is wrong with {@code key} as a limit key, or null when nothing is. */
    private static String keyProblem(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            return "must be 1 to " + MAX_KEY_LENGTH + " characters, got " + key.length();
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "must be printable ASCII without whitespace, found " + describe(c) + " at position " + i;
            }
        }
        return null;
    }

    /**
     * The length of free text as a person counts it: in Unicode code points, so that a character
     * outside the Basic Multilingual Plane (an emoji) counts once, not as its two UTF-16 units.
     */
    private static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    private static String describe(char c) {
        return c >= 0x21 && c <= 0x7e ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    static InvalidRequestException invalid(String field, String rule) {
        return new InvalidRequestException(field + ": " + rule);
    }
}
