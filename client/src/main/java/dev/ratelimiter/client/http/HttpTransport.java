package dev.ratelimiter.client.http;

import java.io.IOException;

/**
 * How an {@link HttpLimiter} exchanges one request with its server: a blocking {@code POST} on the
 * caller's thread, over a connection the transport keeps alive for the next call.
 *
 * <p>The limiter ships one implementation (its own HTTP/1.1 client on pooled keep-alive sockets,
 * chosen by measurement: docs/DECISIONS.md); the interface exists so that the benchmarks can put
 * other HTTP clients under the same limiter and compare them in one run.
 *
 * <p>Implementations are thread-safe: many calls exchange at once, each on its own connection.
 */
public interface HttpTransport extends AutoCloseable {

    /** A complete answer: its status and its whole body (empty when it had none). */
    record Response(int status, byte[] body) {}

    /**
     * Sends {@code body} as {@code application/json} to {@code path} (resolved against the config's
     * base URI) with the config's {@code Authorization}, and reads the whole answer.
     *
     * @param timeoutMs bound on the whole exchange, connecting included; at least 1
     * @throws IOException when no answer was read within {@code timeoutMs}, or the connection
     *     failed: the outcome is unknown, and the request may be repeated
     */
    Response post(String path, byte[] body, long timeoutMs) throws IOException;

    /**
     * Closes every connection, also those in use: exchanges in progress fail with an
     * {@link IOException}, later ones too.
     */
    @Override
    void close();
}
