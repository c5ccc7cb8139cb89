package dev.ratelimiter.server.http;

import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.wire.ErrorBody;
import dev.ratelimiter.core.wire.WireCodec;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * What operators open in a browser or hand to a client generator, served from resources in the jar:
 * the OpenAPI document at {@code /openapi.yml}, the dashboard page at {@code /} and its two assets
 * under {@code /dashboard/}. None of them holds data (the page reads the admin API from the browser,
 * under the admin rules), so they are open like {@code /healthz}.
 *
 * <p>Only the files named here are served; any other name is 404 {@code not_found}, so no path can
 * reach another resource of the jar. The files are read once, at construction, and a missing one
 * fails the start. Immutable and thread-safe.
 */
@Controller
public final class OperatorPagesController {
    static final MediaType YAML = MediaType.of("application/yaml");
    static final MediaType JAVASCRIPT = MediaType.of("text/javascript");

    private final byte[] openApi;
    private final byte[] page;
    private final Map<String, Asset> assets;
    private final WireCodec codec;

    /** A served file and its media type. */
    private record Asset(byte[] bytes, MediaType type) {}

    public OperatorPagesController(WireCodec codec) {
        this.codec = codec;
        this.openApi = resource("openapi.yml");
        this.page = resource("dashboard/index.html");
        this.assets = Map.of(
                "dashboard.js", new Asset(resource("dashboard/dashboard.js"), JAVASCRIPT),
                "dashboard.css", new Asset(resource("dashboard/dashboard.css"), MediaType.of("text/css")));
    }

    @Get("/openapi.yml")
    public HttpResponse<byte[]> openApi() {
        return HttpResponse.ok(openApi).contentType(YAML);
    }

    @Get
    public HttpResponse<byte[]> dashboard() {
        return HttpResponse.ok(page).contentType(MediaType.TEXT_HTML_TYPE);
    }

    @Get("/dashboard/{file}")
    public HttpResponse<byte[]> asset(@PathVariable("file") String file) {
        Asset asset = assets.get(file);
        if (asset == null) {
            return JsonResponses.of(
                    HttpStatus.NOT_FOUND,
                    codec.write(new ErrorBody(
                            ErrorCodes.NOT_FOUND,
                            "file: the dashboard has no file named \"" + file + "\"; it has " + assets.keySet())));
        }
        return HttpResponse.ok(asset.bytes()).contentType(asset.type());
    }

    private static byte[] resource(String name) {
        try (InputStream in = OperatorPagesController.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + name + " is missing from the server jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the resource " + name, e);
        }
    }
}
