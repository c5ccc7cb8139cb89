package dev.ratelimiter.server.access;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.server.config.AccessSettings;
import dev.ratelimiter.server.config.BearerToken;
import dev.ratelimiter.server.config.InvalidSettingException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The access rules of SPEC 3, in one place and free of HTTP plumbing so that every branch can be
 * tested with any peer address:
 *
 * <ul>
 *   <li>admin calls: with {@code ratelimiter.admin.token} set, the request must carry
 *       {@code Authorization: Bearer <token>} (401 {@code unauthorized} otherwise), from any peer;
 *       without it, only loopback peers are served (403 {@code forbidden} otherwise);</li>
 *   <li>reserve and complete: with {@code ratelimiter.api.token} set, the same bearer check; without
 *       it, open;</li>
 *   <li>everything else ({@code /healthz}, {@code /prometheus}): open.</li>
 * </ul>
 *
 * The peer is the TCP peer of the connection; forwarding headers are never trusted, because any
 * client can write them. No detail ever repeats a presented or configured token. Immutable and
 * thread-safe.
 */
@Singleton
public final class AccessRule {
    private static final String BEARER = "bearer ";

    private final Optional<BearerToken> adminToken;
    private final Optional<BearerToken> apiToken;

    public AccessRule(AccessSettings settings) {
        this.adminToken = settings.adminToken();
        this.apiToken = settings.apiToken();
    }

    /** Which rule a call falls under. */
    public enum Area {
        /** {@code /v1/admin/*}: changes and reads of limits. */
        ADMIN,
        /** Reserve and complete, single and batched. */
        API,
        /** Health and metrics. */
        OPEN
    }

    /** The outcome of a check: allowed, or refused with the answer to send. */
    public sealed interface Verdict permits Allowed, Refused {}

    /** The call may proceed. */
    public record Allowed() implements Verdict {}

    /**
     * The call is refused.
     *
     * @param status 401 or 403
     * @param error {@code unauthorized} or {@code forbidden}
     * @param detail what is missing and which setting governs it; never a token
     */
    public record Refused(HttpStatus status, String error, String detail) implements Verdict {}

    private static final Allowed ALLOWED = new Allowed();

    /**
     * Decides one call.
     *
     * @param peer the address of the connection's other end
     * @param authorization the {@code Authorization} header, null when absent
     */
    public Verdict check(Area area, InetAddress peer, @Nullable String authorization) {
        return switch (area) {
            case OPEN -> ALLOWED;
            case API ->
                apiToken.<Verdict>map(token ->
                                bearer(token, authorization, "reserve and complete calls", AccessSettings.API_TOKEN))
                        .orElse(ALLOWED);
            case ADMIN ->
                adminToken
                        .map(token -> bearer(token, authorization, "admin calls", AccessSettings.ADMIN_TOKEN))
                        .orElseGet(() -> loopbackOnly(peer));
        };
    }

    private static Verdict bearer(BearerToken token, @Nullable String authorization, String calls, String setting) {
        Optional<String> presented = bearerToken(authorization);
        if (presented.isEmpty()) {
            return new Refused(
                    HttpStatus.UNAUTHORIZED,
                    ErrorCodes.UNAUTHORIZED,
                    "authorization: " + calls
                            + " need the header \"Authorization: Bearer <token>\" with the token set in " + setting);
        }
        if (!token.matches(presented.get())) {
            return new Refused(
                    HttpStatus.UNAUTHORIZED,
                    ErrorCodes.UNAUTHORIZED,
                    "authorization: the bearer token" + " is not the one set in " + setting);
        }
        return ALLOWED;
    }

    private static Verdict loopbackOnly(InetAddress peer) {
        if (peer.isLoopbackAddress()) {
            return ALLOWED;
        }
        return new Refused(
                HttpStatus.FORBIDDEN,
                ErrorCodes.FORBIDDEN,
                "peer: admin calls are served to this"
                        + " machine (loopback) only, because " + AccessSettings.ADMIN_TOKEN + " ("
                        + InvalidSettingException.environmentVariable(AccessSettings.ADMIN_TOKEN)
                        + ") is not set; set it"
                        + " to serve admin calls that carry that token from anywhere");
    }

    /** The token of a {@code Bearer} header (scheme in any case, RFC 7235), or empty. */
    static Optional<String> bearerToken(@Nullable String authorization) {
        if (authorization == null
                || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String token = authorization.substring(BEARER.length()).strip();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** For log lines about the rules in force; shows whether tokens are set, never the tokens. */
    public String describe() {
        return "admin calls " + (adminToken.isPresent() ? "need the admin token" : "from loopback peers only")
                + ", reserve and complete " + (apiToken.isPresent() ? "need the api token" : "open to every peer")
                + ", /healthz and /prometheus open";
    }
}
