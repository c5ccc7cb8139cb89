package dev.ratelimiter.server.http;

import dev.ratelimiter.server.access.AccessRule;
import dev.ratelimiter.server.access.AccessRule.Area;
import dev.ratelimiter.server.access.AccessRule.Refused;
import dev.ratelimiter.server.access.AccessRule.Verdict;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteAttributes;
import io.micronaut.web.router.RouteInfo;
import java.util.Optional;

/**
 * Applies the {@link AccessRule} to every request before its controller runs; a refused request is
 * answered here with 401 {@code unauthorized} (and a {@code WWW-Authenticate: Bearer} header) or 403
 * {@code forbidden}, in the usual {@code {"error","detail"}} body.
 *
 * <p>Which rule applies is read from the route Micronaut matched (the controller class), so no
 * spelling of a path can reach an admin controller ({@link AdminController}, {@link ActivityController})
 * under the rule of another area; a new admin controller must be added to {@link #area}. A request that
 * matched no route falls under the rule of its path prefix ({@code /v1/admin} admin, other
 * {@code /v1/} paths reserve and complete), so an unknown admin path answers 401 or 403, not 404,
 * to a caller who may not call admin paths at all.
 *
 * <p>Runs on the event loop that read the request: the check is a header read and one SHA-256 of the
 * presented token. Stateless and thread-safe.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class AccessFilter {
    private static final String ADMIN_PREFIX = "/v1/admin";
    private static final String API_PREFIX = "/v1/";

    private final AccessRule rule;
    private final ApiErrors errors;

    public AccessFilter(AccessRule rule, ApiErrors errors) {
        this.rule = rule;
        this.errors = errors;
    }

    /** Null lets the request through; a response answers it instead of the controller. */
    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        Verdict verdict = rule.check(
                area(request),
                request.getRemoteAddress().getAddress(),
                request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (!(verdict instanceof Refused refused)) {
            return null;
        }
        MutableHttpResponse<byte[]> response = errors.error(refused.status(), refused.error(), refused.detail());
        if (refused.status() == HttpStatus.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ratelimiterd\"");
        }
        return response;
    }

    static Area area(HttpRequest<?> request) {
        Optional<RouteInfo<?>> route = RouteAttributes.getRouteInfo(request);
        if (route.isPresent()) {
            Class<?> controller = route.get().getDeclaringType();
            if (controller == AdminController.class || controller == ActivityController.class) {
                return Area.ADMIN;
            }
            if (controller == AdmissionController.class) {
                return Area.API;
            }
            return Area.OPEN;
        }
        String path = request.getPath();
        if (path.startsWith(ADMIN_PREFIX)) {
            return Area.ADMIN;
        }
        return path.startsWith(API_PREFIX) ? Area.API : Area.OPEN;
    }
}
