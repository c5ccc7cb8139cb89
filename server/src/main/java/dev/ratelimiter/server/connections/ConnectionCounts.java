package dev.ratelimiter.server.connections;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections are open, in all and per peer address, against the two bounds. The per-peer
 * map holds only peers with an open connection (an entry leaves with its last connection), so it
 * never holds more than {@code max} entries. Thread-safe: connections of different event loops open
 * and close concurrently; the total is an atomic and each peer's count changes inside
 * {@link ConcurrentHashMap#compute}, so neither bound is ever passed.
 */
final class ConnectionCounts {
    private final int max;
    private final int maxPerPeer;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perPeer = new ConcurrentHashMap<>();

    ConnectionCounts(int max, int maxPerPeer) {
        this.max = max;
        this.maxPerPeer = maxPerPeer;
    }

    /** Counts a new connection of {@code peer}, or answers false (and counts nothing) when a bound is reached. */
    boolean tryOpen(InetAddress peer) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            return false;
        }
        boolean[] admitted = new boolean[1];
        perPeer.compute(peer, (address, count) -> {
            int current = count == null ? 0 : count;
            admitted[0] = current < maxPerPeer;
            return admitted[0] ? current + 1 : (count == null ? null : count);
        });
        if (!admitted[0]) {
            open.decrementAndGet();
        }
        return admitted[0];
    }

    /** Forgets a connection that {@link #tryOpen} counted. */
    void close(InetAddress peer) {
        perPeer.computeIfPresent(peer, (address, count) -> count == 1 ? null : count - 1);
        int after = open.decrementAndGet();
        assert after >= 0 : "more connections closed than opened";
    }

    int open() {
        return open.get();
    }

    int peers() {
        return perPeer.size();
    }
}
