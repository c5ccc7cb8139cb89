package dev.ratelimiter.bench.loadtest;

import dev.ratelimiter.client.http.HttpLimiter;
import dev.ratelimiter.client.http.HttpLimiterConfig;
import dev.ratelimiter.client.local.LocalLimiter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code loadtest} command: drives a limiter for a while and reports what it saw.
 *
 * <p>Modes: {@code local} drives the client's local limiter in this process (the memory backend
 * without HTTP); {@code http} drives a server, either at {@code --url} or started from {@code
 * --server-jar} as a separate process for the run, through the client's HTTP limiter ({@code
 * --client library}, what applications use) or through a minimal keep-alive client ({@code
 * --client raw}, {@link RawHttpTarget}) that leaves the cores to the server. The library client speaks
 * https ({@code --trust-store}) and sends the tokens of a server with access control
 * ({@code --admin-token}, {@code --api-token}, or the same environment variables as the server).
 *
 * <p>Exit status: 0 after a run; 1 when {@code --fail-on-errors} is set and the run had errors or
 * admitted nothing; 2 for bad options (picocli's usage error).
 */
@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Drives the rate limiter with a closed loop of workers and reports reserves/s, completes/s, "
                + "latency percentiles, outcome counts and batch sizes, as text, JSON and HTML.")
public final class LoadTest implements Callable<Integer> {
    /** How long a server started from --server-jar may take to stop after SIGTERM before it is killed. */

    /** Where the load goes. */
    enum Mode {
        local,
        http
    }

    /** Which HTTP client the workers use in http mode. */
    enum Client {
        library,
        raw
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--mode", description = "local or http (default: ${DEFAULT-VALUE})")
    Mode mode = Mode.local;

    @Option(names = "--url", description = "http mode: the server's base URL (default: ${DEFAULT-VALUE})")
    URI url = URI.create("http://127.0.0.1:8080");

    @Option(
            names = "--client",
            description =
                    "http mode: library (the client's HTTP limiter, as applications use it) "
                            + "or raw (one blocking keep-alive connection per worker, to push the server itself; default: ${DEFAULT-VALUE})")
    Client client = Client.library;

    @Option(
            names = "--server-jar",
            description = "http mode: start this ratelimiterd jar as a process for the run " + "instead of using --url")
    Path serverJar;

    @Option(
            names = "--server-start-timeout",
            converter = DurationConverter.class,
            description = "how long the started server may take to become healthy (default: ${DEFAULT-VALUE})")
    Duration serverStartTimeout = Duration.ofSeconds(60);

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "measured time, e.g. 30s, 500ms, 2m (default: ${DEFAULT-VALUE})")
    Duration duration = Duration.ofSeconds(30);

    @Option(
            names = "--warmup",
            converter = DurationConverter.class,
            description = "time before measuring starts (default: ${DEFAULT-VALUE})")
    Duration warmup = Duration.ofSeconds(2);

    @Option(
            names = "--concurrency",
            description = "worker threads, one call in flight each (default: ${DEFAULT-VALUE})")
    int concurrency = 16;

    @Option(names = "--providers", description = "provider:model key groups (default: ${DEFAULT-VALUE})")
    int providers = 4;

    @Option(names = "--tenants", description = "tenants, one daily-token key each (default: ${DEFAULT-VALUE})")
    int tenants = 1;

    @Option(names = "--batch-size", description = "leases per call; 1 sends single calls (default: ${DEFAULT-VALUE})")
    int batchSize = 1;

    @Option(names = "--coalesce", description = "send single calls through the client's batcher")
    boolean coalesce;

    @Option(
            names = "--work-ms",
            description = "pause between an admission and its complete (default: ${DEFAULT-VALUE})")
    long workMs;

    @Option(names = "--honor-retry-after", description = "wait a denial's retry_after_ms before the next call")
    boolean honorRetryAfter;

    @Option(names = "--no-seed", description = "use the limits the target has; do not install any")
    boolean noSeed;

    @Option(names = "--rpm", description = "seeded capacity of each rpm key (default: ${DEFAULT-VALUE})")
    long rpm = 1_000_000_000L;

    @Option(names = "--tpm", description = "seeded capacity of each tpm key (default: ${DEFAULT-VALUE})")
    long tpm = 1_000_000_000_000L;

    @Option(
            names = "--concurrency-limit",
            description = "seeded capacity of each concurrency key (default: ${DEFAULT-VALUE})")
    long concurrencyLimit = 1_000_000L;

    @Option(
            names = "--daily-tokens",
            description = "seeded capacity of each daily-token key (default: ${DEFAULT-VALUE})")
    long dailyTokens = 1_000_000_000_000_000L;

    @Option(names = "--window-seconds", description = "window of every seeded rolling key (default: ${DEFAULT-VALUE})")
    long windowSeconds = 1;

    @Option(
            names = "--concurrency-timeout-seconds",
            description = "timeout of every seeded concurrency key (default: ${DEFAULT-VALUE})")
    long concurrencyTimeoutSeconds = 30;

    @Option(names = "--prompt-bytes", description = "prompt size of each call (default: ${DEFAULT-VALUE})")
    int promptBytes = 1_000;

    @Option(names = "--max-output-tokens", description = "max output tokens of each call (default: ${DEFAULT-VALUE})")
    long maxOutputTokens = 500;

    @Option(names = "--actual-tokens", description = "tokens each complete reports (default: ${DEFAULT-VALUE})")
    long actualTokens = 900;

    @Option(names = "--json", description = "JSON report file (default: ${DEFAULT-VALUE})")
    Path json = Path.of("loadtest-report.json");

    @Option(names = "--html", description = "HTML report file (default: ${DEFAULT-VALUE})")
    Path html = Path.of("loadtest-report.html");

    @Option(
            names = "--admin-token",
            defaultValue = "${env:RATELIMITER_ADMIN_TOKEN}",
            description = "http mode: the server's ratelimiter.admin.token, sent when seeding limits (default: the"
                    + " RATELIMITER_ADMIN_TOKEN environment variable, else none)")
    String adminToken;

    @Option(
            names = "--api-token",
            defaultValue = "${env:RATELIMITER_API_TOKEN}",
            description = "http mode, library client: the server's ratelimiter.api.token, sent on reserve and"
                    + " complete (default: the RATELIMITER_API_TOKEN environment variable, else none)")
    String apiToken;

    @Option(
            names = "--trust-store",
            defaultValue = "${env:RATELIMITER_TRUST_STORE}",
            description = "http mode, library client, https --url: a PKCS12 or JKS trust store holding the server's"
                    + " certificate (default: the RATELIMITER_TRUST_STORE environment variable, else the JVM's trust)")
    Path trustStore;

    @Option(
            names = "--trust-store-password",
            defaultValue = "${env:RATELIMITER_TRUST_STORE_PASSWORD}",
            description = "the trust store's password (default: RATELIMITER_TRUST_STORE_PASSWORD, else empty)")
    String trustStorePassword;

    @Option(
            names = "--fail-on-errors",
            description = "exit 1 if any call failed, any answer carried an error code, " + "or nothing was admitted")
    boolean failOnErrors;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTest())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LoadConfig config;
        try {
            config = new LoadConfig(
                    warmup,
                    duration,
                    concurrency,
                    providers,
                    tenants,
                    batchSize,
                    coalesce,
                    workMs,
                    honorRetryAfter,
                    !noSeed,
                    rpm,
                    tpm,
                    concurrencyLimit,
                    dailyTokens,
                    windowSeconds,
                    concurrencyTimeoutSeconds,
                    promptBytes,
                    maxOutputTokens,
                    actualTokens);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (serverJar != null && mode != Mode.http) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server-jar: needs --mode http");
        }
        if (client == Client.raw && (mode != Mode.http || coalesce)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--client raw: needs --mode http and cannot --coalesce (the batcher is part of the client library)");
        }
        boolean https = serverJar == null && "https".equalsIgnoreCase(url.getScheme());
        if (client == Client.raw && (https || (apiToken != null && !apiToken.isBlank()))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--client raw: speaks plain http without an api token; use --client library for https or --api-token");
        }
        HttpAccess access = HttpAccess.of(adminToken, apiToken, trustStore, trustStorePassword);
        PrintWriter out = spec.commandLine().getOut();
        LoadResult result;
        if (mode == Mode.local) {
            result = runLocal(config);
        } else if (serverJar != null) {
            BenchServer server;
            try {
                server = BenchServer.start(serverJar, serverStartTimeout.toMillis(), List.of());
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (server) {
                out.println("started " + serverJar + " at " + server.process().baseUri());
                out.flush();
                result = runHttp(config, server.process().baseUri(), client, HttpAccess.NONE);
            }
        } else {
            result = runHttp(config, url, client, access);
        }
        out.print(TextReport.of(result));
        JsonReport.write(result, json);
        HtmlReport.write(result, html);
        out.println("wrote " + json + " and " + html);
        out.flush();
        if (failOnErrors && (result.hasErrors() || result.stats().allowed == 0)) {
            spec.commandLine().getErr().println("loadtest: the run had errors or admitted nothing (--fail-on-errors)");
            return 1;
        }
        return 0;
    }

    private static LoadResult runLocal(LoadConfig config) throws IOException, InterruptedException {
        LocalLimiter local = LocalLimiter.builder().limits(List.of()).build();
        try (LimiterTarget target =
                new LimiterTarget("local (in process)", local, local::putLimit, config.coalesce())) {
            return new LoadDriver(config, target).run();
        }
    }

    private static LoadResult runHttp(LoadConfig config, URI baseUri, Client client, HttpAccess access)
            throws InterruptedException {
        if (client == Client.raw) {
            try (RawHttpTarget target = new RawHttpTarget(baseUri, access)) {
                return new LoadDriver(config, target).run();
            }
        }
        AdminClient admin = new AdminClient(baseUri, access);
        HttpLimiterConfig limiterConfig = HttpLimiterConfig.of(baseUri)
                .withMaxCallsInFlight(Math.max(1_024, config.concurrency() * 2))
                .withApiToken(access.apiToken().orElse(null));
        if (access.sslContext().isPresent()) {
            limiterConfig = limiterConfig.withSslContext(access.sslContext().get());
        }
        HttpLimiter limiter = new HttpLimiter(limiterConfig);
        try (LimiterTarget target = new LimiterTarget("http " + baseUri, limiter, admin::put, config.coalesce())) {
            return new LoadDriver(config, target).run();
        }
    }

    /** Reads {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or an ISO-8601 duration such as {@code PT30S}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

        @Override
        public Duration convert(String text) {
            Matcher matcher = SIMPLE.matcher(text.trim().toLowerCase(Locale.ROOT));
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                return switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            try {
                return Duration.parse(text.trim());
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + text + "' is not a duration such as 500ms, 30s, 2m, 1h or PT30S");
            }
        }
    }
}
