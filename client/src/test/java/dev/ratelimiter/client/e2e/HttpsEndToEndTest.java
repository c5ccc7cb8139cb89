package dev.ratelimiter.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.client.Limiter;
import dev.ratelimiter.client.LimiterException;
import dev.ratelimiter.client.http.HttpLimiter;
import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.client.http.TrustStores;
import dev.ratelimiter.client.testing.TestCertificates;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.wire.WireCodec;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end workload over https, with both tokens set: ratelimiterd on Micronaut's own SSL
 * settings (those the README shows) with a certificate made at test time by {@code keytool}; the
 * HTTP limiter trusts it through a trust store and sends the api token; the admin sends the admin
 * token. A client that does not trust the certificate is refused in the handshake, and a client
 * without the api token gets a definitive 401 (no retries).
 */
class HttpsEndToEndTest extends EndToEndContract {
    private static final String ADMIN_TOKEN = "https-admin-token-31c7";
    private static final String API_TOKEN = "https-api-token-a9e4";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static TestCertificates certificates;
    private static EmbeddedServer server;

    @BeforeAll
    static void startServerOnHttps() throws Exception {
        certificates = TestCertificates.create(dir);
        server = ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                        "micronaut.server.ssl.enabled",
                        true,
                        "micronaut.server.ssl.port",
                        -1,
                        "micronaut.server.ssl.key-store.path",
                        "file:" + certificates.keyStore(),
                        "micronaut.server.ssl.key-store.password",
                        certificates.password(),
                        "micronaut.server.ssl.key-store.type",
                        "PKCS12",
                        "ratelimiter.admin.token",
                        ADMIN_TOKEN,
                        "ratelimiter.api.token",
                        API_TOKEN,
                        "ratelimiter.registry-path",
                        dir.resolve("registry.json").toString(),
                        "ratelimiter.seed-limits-path",
                        ""));
        HttpClient admin = HttpClient.newBuilder()
                .sslContext(trusting())
                .connectTimeout(TIMEOUT)
                .build();
        WireCodec codec = new WireCodec();
        for (LimitDefinition limit : limits()) {
            HttpResponse<String> response = admin.send(
                    HttpRequest.newBuilder(baseUri().resolve("/v1/admin/limits"))
                            .timeout(TIMEOUT)
                            .header("Authorization", "Bearer " + ADMIN_TOKEN)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(codec.write(limit)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), "PUT " + limit.key() + ": " + response.body());
        }
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** {@code localhost}, the name the test certificate was made for. */
    private static URI baseUri() {
        return URI.create("https://localhost:" + server.getPort());
    }

    private static SSLContext trusting() {
        return TrustStores.sslContext(
                certificates.trustStore(), certificates.password().toCharArray());
    }

    @Override
    Limiter newLimiter() {
        return new HttpLimiter(
                HttpLimiterConfig.of(baseUri()).withSslContext(trusting()).withApiToken(API_TOKEN));
    }

    @Override
    String target() {
        return "https";
    }

    @Test
    void theServerSpeaksHttps() {
        assertEquals("https", server.getScheme());
    }

    @Test
    void aLimiterWithoutTheApiTokenIsRefusedAtOnce() {
        try (HttpLimiter limiter =
                new HttpLimiter(HttpLimiterConfig.of(baseUri()).withSslContext(trusting()))) {
            ReserveRequest request = new ReserveRequest(
                    "https-no-token",
                    "",
                    List.of(new Requirement(limits().get(0).key(), 1)));

            CompletionException e = assertThrows(
                    CompletionException.class,
                    () -> limiter.reserveAsync(request, System.currentTimeMillis() + 10_000)
                            .join());

            assertTrue(
                    e.getCause() instanceof LimiterException
                            && e.getCause().getMessage().contains("HTTP 401"),
                    String.valueOf(e.getCause()));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedInTheHandshake() {
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

        assertThrows(
                SSLHandshakeException.class,
                () -> untrusting.send(
                        HttpRequest.newBuilder(baseUri().resolve("/healthz"))
                                .timeout(TIMEOUT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
    }
}
