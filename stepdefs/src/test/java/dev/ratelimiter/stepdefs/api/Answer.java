package dev.ratelimiter.stepdefs.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One answer of the limiter, as it arrived, with the moment the request was sent and how long
 * the whole exchange took (request written, answer read), measured on the harness's side.
 *
 * @param method the HTTP method that was used
 * @param path the path that was asked, for messages
 * @param status the HTTP status code
 * @param headers the response headers, names in lower case
 * @param body the raw response body
 * @param startedNanos {@link System#nanoTime()} just before the request was sent
 * @param sentAtUnixMs wall-clock time just before the request was sent
 * @param receivedAtUnixMs wall-clock time just after the answer was read
 * @param elapsed the real duration of the exchange, from a monotonic clock
 */
public record Answer(
        String method,
        String path,
        int status,
        Map<String, List<String>> headers,
        byte[] body,
        long startedNanos,
        long sentAtUnixMs,
        long receivedAtUnixMs,
        Duration elapsed) {

    public Answer {
        headers = Map.copyOf(headers);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
    }

    /** A short description for failure messages: what was asked, what came back, and how fast. */
    public String describe() {
        String text = bodyText();
        if (text.length() > 400) {
            text = text.substring(0, 400) + "... (" + body.length + " bytes)";
        }
        return method + " " + path + " -> " + status + " in " + elapsed.toMillis() + " ms: " + text;
    }
}
