package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A TigerBeetle cluster of one or more replicas on loopback ports from {@link Ports#free()}, each a
 * {@link TigerBeetleReplica} that suites stop and restart by index. With three replicas the cluster
 * commits while any two run (a quorum), and answers nothing while two are down.
 *
 * <p>Thread-safety: each replica serialises its own start and kill; the list of replicas never
 * changes after construction.
 */
public final class TigerBeetleCluster implements AutoCloseable {
    private final List<TigerBeetleReplica> replicas;

    private TigerBeetleCluster(List<TigerBeetleReplica> replicas) {
        this.replicas = List.copyOf(replicas);
    }

    /**
     * Formats and starts {@code replicaCount} replicas of development cluster 0 under
     * {@code directory}, and waits until every one is ready (at most {@code timeoutMillis} each).
     */
    public static TigerBeetleCluster start(Path binary, Path directory, int replicaCount, long timeoutMillis)
            throws IOException, InterruptedException {
        Objects.requireNonNull(binary, "binary");
        if (replicaCount < 1 || replicaCount > 6) {
            throw new IllegalArgumentException(
                    "replicaCount must be from 1 to 6 (TigerBeetle's limit), got " + replicaCount);
        }
        List<Integer> ports = new ArrayList<>(replicaCount);
        while (ports.size() < replicaCount) {
            int port = Ports.free();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        List<TigerBeetleReplica> replicas = new ArrayList<>(replicaCount);
        for (int i = 0; i < replicaCount; i++) {
            replicas.add(new TigerBeetleReplica(binary, directory, i, ports));
        }
        TigerBeetleCluster cluster = new TigerBeetleCluster(replicas);
        try {
            for (TigerBeetleReplica replica : replicas) {
                replica.format();
            }
            for (TigerBeetleReplica replica : replicas) {
                replica.start();
            }
            cluster.awaitReady(timeoutMillis);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Every replica's address in replica order, comma-separated: the server's addresses setting. */
    public String addresses() {
        return replicas.get(0).clusterAddresses();
    }

    public int size() {
        return replicas.size();
    }

    public TigerBeetleReplica replica(int index) {
        return replicas.get(index);
    }

    /** Kills replica {@code index} with SIGKILL and waits for its exit. */
    public void kill(int index) throws InterruptedException {
        replicas.get(index).kill();
    }

    /** Starts replica {@code index} again on its data file and waits until it is ready. */
    public void restart(int index, long timeoutMillis) throws IOException {
        replicas.get(index).start();
        replicas.get(index).awaitReady(timeoutMillis);
    }

    /** Waits until every replica is in normal status. */
    public void awaitReady(long timeoutMillis) {
        for (TigerBeetleReplica replica : replicas) {
            replica.awaitReady(timeoutMillis);
        }
    }

    /**
     * The latest transition to normal status that any replica's current log records (highest view,
     * then latest): its view's primary is the cluster's primary as far as the logs tell, which is
     * {@code view mod size()}. Empty before any replica entered normal status.
     */
    public Optional<TigerBeetleReplica.NormalStatus> latestNormal() {
        return transitions().stream()
                .max(Comparator.comparingLong(TigerBeetleReplica.NormalStatus::view)
                        .thenComparing(TigerBeetleReplica.NormalStatus::at));
    }

    /** The replica that is primary in {@code view}. */
    public int primaryOf(long view) {
        return (int) Math.floorMod(view, (long) replicas.size());
    }

    /**
     * The first transition to normal status in a view above {@code view}, at or after {@code since}
     * (say, the end of the view change that followed the primary's loss), or empty if none yet.
     */
    public Optional<TigerBeetleReplica.NormalStatus> firstNormalAbove(long view, Instant since) {
        return transitions().stream()
                .filter(status -> status.view() > view && !status.at().isBefore(since))
                .min(Comparator.comparing(TigerBeetleReplica.NormalStatus::at));
    }

    private List<TigerBeetleReplica.NormalStatus> transitions() {
        List<TigerBeetleReplica.NormalStatus> all = new ArrayList<>();
        for (TigerBeetleReplica replica : replicas) {
            all.addAll(replica.normalTransitions());
        }
        return all;
    }

    /** The end of every replica's output, for messages. */
    public String outputTails() {
        StringBuilder tails = new StringBuilder();
        for (int i = 0; i < replicas.size(); i++) {
            tails.append("--- replica ")
                    .append(i)
                    .append('\n')
                    .append(replicas.get(i).outputTail())
                    .append('\n');
        }
        return tails.toString();
    }

    @Override
    public void close() {
        replicas.forEach(TigerBeetleReplica::close);
    }
}
