package dev.ratelimiter.server.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** Responses whose body is JSON already encoded by the codec. Stateless. */
final class JsonResponses {
    private JsonResponses() {}

    static MutableHttpResponse<byte[]> ok(byte[] json) {
        return of(HttpStatus.OK, json);
    }

    static MutableHttpResponse<byte[]> of(HttpStatus status, byte[] json) {
        return HttpResponse.<byte[]>status(status).body(json).contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
