package dev.ratelimiter.server.openapi;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.WireCodec;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks HTTP exchanges against the server's {@code openapi.yml}, so that the document cannot drift
 * from what the server really answers.
 *
 * <p>An exchange whose method and path name a documented operation has its response (status,
 * content type, required headers, body schema) validated by Atlassian's validator. Every other
 * exchange (an unknown path, a wrong method: the cases OpenAPI cannot attach to an operation) must be
 * answered with one of the statuses the document's description promises for them (400, 401, 403,
 * 404, 405 with {@code Allow}, 413) and the usual error body, checked by core's strict codec.
 *
 * <p>A key with a slash in {@code /v1/admin/limits/{key}}: the server takes the rest of the path as
 * the key, which an OpenAPI path template cannot express, so such a path is checked as the
 * percent-encoded form the document tells clients to send (the server answers both alike).
 *
 * <p>Thread-safe: the validator is, and the coverage sets are concurrent. {@link #shared()} is one
 * instance per JVM, because parsing the document takes about a second.
 */
public final class OpenApiContract {
    private static final String RESOURCE = "openapi.yml";
    private static final String LIMIT_PREFIX = "/v1/admin/limits/";
    private static final Set<Integer> STATUSES_WITHOUT_OPERATION = Set.of(400, 401, 403, 404, 405, 413);
    private static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS");
    private static volatile OpenApiContract shared;

    private final OpenApiInteractionValidator validator;
    private final Map<Pattern, Route> routes = new LinkedHashMap<>();
    private final WireCodec codec = new WireCodec();
    private final Set<String> covered = new ConcurrentSkipListSet<>();
    private final Set<String> documented = new TreeSet<>();
    private final AtomicLong checked = new AtomicLong();

    /** One documented path: its template and the methods it has operations for. */
    private record Route(String template, Set<String> methods) {}

    /** One exchange as the contract needs it; header names in any case. */
    public record Exchange(String method, String rawPath, int status, Map<String, List<String>> headers, byte[] body) {}

    private OpenApiContract(String document) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(document, null, options);
        if (result.getOpenAPI() == null
                || (result.getMessages() != null && !result.getMessages().isEmpty())) {
            throw new AssertionError(RESOURCE + " does not parse cleanly: " + result.getMessages());
        }
        OpenAPI api = result.getOpenAPI();
        api.getPaths().forEach((template, item) -> {
            Set<String> methods = item.readOperationsMap().keySet().stream()
                    .map(PathItem.HttpMethod::name)
                    .collect(Collectors.toCollection(TreeSet::new));
            routes.put(templatePattern(template), new Route(template, methods));
            item.readOperationsMap()
                    .forEach((method, operation) -> operation
                            .getResponses()
                            .keySet()
                            .forEach(status -> documented.add(method.name() + " " + template + " " + status)));
        });
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(document)
                .build();
    }

    /** The contract of the {@code openapi.yml} on the class path, parsed once per JVM. */
    public static OpenApiContract shared() {
        OpenApiContract contract = shared;
        if (contract == null) {
            synchronized (OpenApiContract.class) {
                contract = shared;
                if (contract == null) {
                    contract = new OpenApiContract(document());
                    shared = contract;
                }
            }
        }
        return contract;
    }

    /** The document as the server ships it. */
    public static String document() {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks one exchange.
     *
     * @throws AssertionError naming the exchange and every way its response breaks the document
     */
    public void check(Exchange exchange) {
        checked.incrementAndGet();
        String method = exchange.method().toUpperCase(Locale.ROOT);
        String path = normalise(exchange.rawPath());
        Optional<Route> route = route(path).filter(r -> r.methods().contains(method));
        if (route.isEmpty() || !METHODS.contains(method)) {
            checkWithoutOperation(exchange, method);
            return;
        }
        SimpleResponse.Builder response =
                SimpleResponse.Builder.status(exchange.status()).withBody(exchange.body());
        exchange.headers().forEach((name, values) -> {
            if (name.equalsIgnoreCase("content-type")) {
                response.withContentType(values.get(0));
            } else {
                response.withHeader(name, values);
            }
        });
        ValidationReport report = validator.validateResponse(path, Request.Method.valueOf(method), response.build());
        if (report.hasErrors()) {
            throw new AssertionError("the answer to " + method + " " + exchange.rawPath() + " breaks openapi.yml: "
                    + describe(report) + "; status " + exchange.status() + ", body: " + text(exchange.body()));
        }
        covered.add(method + " " + route.get().template() + " " + exchange.status());
    }

    /** Every {@code METHOD template status} the document lists. */
    public Set<String> documented() {
        return Set.copyOf(documented);
    }

    /** Every {@code METHOD template status} checked so far in this JVM. */
    public Set<String> covered() {
        return Set.copyOf(covered);
    }

    /** How many exchanges were checked in this JVM. */
    public long checked() {
        return checked.get();
    }

    private void checkWithoutOperation(Exchange exchange, String method) {
        String where = method + " " + exchange.rawPath();
        if (!STATUSES_WITHOUT_OPERATION.contains(exchange.status())) {
            throw new AssertionError(where + " has no operation in openapi.yml, yet it was answered "
                    + exchange.status() + " (only " + STATUSES_WITHOUT_OPERATION + " are described for such requests): "
                    + text(exchange.body()));
        }
        if (exchange.status() == 405 && header(exchange, "allow").isEmpty()) {
            throw new AssertionError(where + " was answered 405 without the Allow header that openapi.yml promises");
        }
        if (method.equals("HEAD")) {
            return; // A HEAD answer has no body to check.
        }
        try {
            ErrorBody error = codec.readError(exchange.body());
            if (!Set.of("invalid_request", "backend_error", "not_found", "unauthorized", "forbidden")
                    .contains(error.error())) {
                throw new AssertionError(where + " was answered with the error code \"" + error.error()
                        + "\", which openapi.yml does not list");
            }
        } catch (InvalidRequestException e) {
            throw new AssertionError(
                    where + " was answered " + exchange.status() + " with a body that is not the"
                            + " error body of openapi.yml (" + e.detail() + "): " + text(exchange.body()),
                    e);
        }
        covered.add("(no operation) " + exchange.status());
    }

    private static Optional<String> header(Exchange exchange, String name) {
        return exchange.headers().entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase(name)
                        && !entry.getValue().isEmpty())
                .map(entry -> entry.getValue().get(0))
                .findFirst();
    }

    private Optional<Route> route(String path) {
        return routes.entrySet().stream()
                .filter(entry -> entry.getKey().matcher(path).matches())
                .map(Map.Entry::getValue)
                .findFirst();
    }

    /** See the class comment: a raw slash inside a limit key is checked as {@code %2F}. */
    static String normalise(String rawPath) {
        if (rawPath.startsWith(LIMIT_PREFIX) && rawPath.length() > LIMIT_PREFIX.length()) {
            return LIMIT_PREFIX + rawPath.substring(LIMIT_PREFIX.length()).replace("/", "%2F");
        }
        return rawPath;
    }

    private static Pattern templatePattern(String template) {
        StringBuilder regex = new StringBuilder();
        for (String part : template.split("(?=\\{)|(?<=\\})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

    private static String describe(ValidationReport report) {
        List<String> lines = new ArrayList<>();
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                lines.add(message.getKey() + ": " + message.getMessage());
            }
        }
        return String.join("; ", lines);
    }

    private static String text(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() > 600 ? text.substring(0, 600) + "..." : text;
    }
}
