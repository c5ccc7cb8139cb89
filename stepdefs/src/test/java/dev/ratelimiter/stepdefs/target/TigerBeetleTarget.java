package dev.ratelimiter.stepdefs.target;

import dev.ratelimiter.stepdefs.api.LimiterHttp;
import java.nio.file.Path;
import java.util.Map;

/**
 * The packaged server jar on the TigerBeetle backend, against a replica the harness starts: the
 * server process and the replica live and stop together. Thread-safe: the fields are final.
 */
public final class TigerBeetleTarget implements Target {
    private final TigerBeetleReplica replica;
    private final ServerProcess server;

    private TigerBeetleTarget(TigerBeetleReplica replica, ServerProcess server) {
        this.replica = replica;
        this.server = server;
    }

    /**
     * Starts a replica, then the server on it.
     *
     * @throws IllegalStateException when either does not come up in time
     */
    public static TigerBeetleTarget start(Path binary, Path jar, Path workDir) {
        TigerBeetleReplica replica = TigerBeetleReplica.start(binary, workDir);
        try {
            Map<String, String> settings = Map.of(
                    "ratelimiter.backend", "tigerbeetle",
                    "ratelimiter.tigerbeetle.cluster-id", "0",
                    "ratelimiter.tigerbeetle.addresses", replica.address(),
                    "ratelimiter.registry-path", workDir.resolve("registry.json").toString(),
                    "ratelimiter.seed-limits-path", "",
                    "ratelimiter.shutdown-grace-period-ms", "2000");
            ServerProcess server = ServerProcess.start(jar, workDir, settings,
                    "the packaged server jar (tigerbeetle target, replica on port " + replica.address() + ")");
            return new TigerBeetleTarget(replica, server);
        } catch (RuntimeException e) {
            replica.close();
            throw e;
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
        replica.close();
    }
}
