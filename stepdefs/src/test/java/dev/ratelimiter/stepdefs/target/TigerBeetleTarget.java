package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import dev.ratelimiter.testkit.process.TigerBeetleCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The packaged server jar on the TigerBeetle backend, against a single-replica cluster the harness
 * starts with the testkit's launcher: the server process and the replica live and stop together.
 * Thread-safe: the fields are final.
 */
public final class TigerBeetleTarget implements Target {
    /** Formatting and start-up of the replica until it can commit; about a second when idle. */
    private static final Duration REPLICA_READY_TIMEOUT = Duration.ofSeconds(60);

    private final TigerBeetleCluster cluster;
    private final ProcessTarget server;

    private TigerBeetleTarget(TigerBeetleCluster cluster, ProcessTarget server) {
        this.cluster = cluster;
        this.server = server;
    }

    /**
     * Starts a replica, waits until it can commit, then starts the server on it.
     *
     * @throws IllegalStateException when either does not come up in time
     */
    public static TigerBeetleTarget start(Path binary, Path jar, Path workDir) {
        TigerBeetleCluster cluster = startCluster(binary, workDir.resolve("tigerbeetle"));
        try {
            Map<String, String> settings = Map.of(
                    "ratelimiter.backend", "tigerbeetle",
                    "ratelimiter.tigerbeetle.cluster-id", "0",
                    "ratelimiter.tigerbeetle.addresses", cluster.addresses(),
                    "ratelimiter.registry-path",
                            workDir.resolve("registry.json").toString(),
                    "ratelimiter.seed-limits-path", "",
                    "ratelimiter.shutdown-grace-period-ms", "2000");
            ProcessTarget server = ProcessTarget.start(
                    jar,
                    workDir,
                    settings,
                    "the packaged server jar (tigerbeetle target, replica at " + cluster.addresses() + ")");
            return new TigerBeetleTarget(cluster, server);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static TigerBeetleCluster startCluster(Path binary, Path directory) {
        try {
            return TigerBeetleCluster.start(binary, directory, 1, REPLICA_READY_TIMEOUT.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start TigerBeetle " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting TigerBeetle", e);
        }
    }

    @Override
    public String describe() {
        return server.describe();
    }

    @Override
    public LimiterHttp http() {
        return server.http();
    }

    @Override
    public String recentOutput() {
        return server.recentOutput();
    }

    /** Stops the server first, so that it never runs against a replica that is gone. */
    @Override
    public void close() {
        server.close();
        cluster.close();
    }
}
