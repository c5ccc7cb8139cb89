package dev.ratelimiter.chaos.process;

import dev.ratelimiter.chaos.process.ServerApi.Reply;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Overage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An admin that keeps changing limits while the server is being killed, and the judge of what the
 * registry must hold afterwards (SPEC 4: a change is acknowledged only once it is durable).
 *
 * <p>One thread sends {@code PUT /v1/admin/limits} one after another, each for one of a few admin
 * keys, each raising the key's capacity (so it applies at once) and changing its unit and
 * description to name the change: every field of a stored definition thus says which change wrote
 * it. A 200 acknowledges the change. Any other outcome (a kill mid-request, a timeout, a status
 * other than 200) leaves the change <i>in flight</i>: it may be there or not, but only whole. After
 * such an outcome the writer sends nothing more until {@link #restarted} resolves it, so at most one
 * change is ever in doubt and no later change can overtake it.
 *
 * <p>{@link #check} compares what a registry holds with what was acknowledged: for every key,
 * exactly its last acknowledged change, or exactly the change in flight when that one was for the
 * key; nothing else, and no mixture of two changes.
 *
 * <p>Thread-safety: the writer thread and the test thread share the acknowledged and in-flight
 * changes and the counters under the writer's monitor; the HTTP exchange happens outside it.
 */
public final class AdminChangeWriter implements AutoCloseable {
    /** Prefix of the admin keys, so that they never collide with a workload's keys. */
    public static final String KEY_PREFIX = "admin:chaos:";
    /** Longest pause between two changes, so that the writer does not monopolise a core. */
    private static final long PAUSE_MILLIS_MAX = 10;
    /** How long the writer parks while it waits for a restart to resolve a change in flight. */
    private static final long WAIT_MILLIS = 20;

    private static final long WINDOW_SECONDS = 60;

    private final ServerApi api;
    private final int keys;
    private final SplittableRandom random;
    private final Thread thread;
    private volatile boolean stopped;
    private final Map<String, LimitDefinition> acknowledged = new TreeMap<>();
    private LimitDefinition inFlight;
    /** Set by {@link #holdUntilRestarted}: no new change until {@link #restarted}. */
    private boolean held;

    private long sequence;
    private long acknowledgedCount;
    private long inFlightAtKill;
    private long inFlightLanded;
    private long unexpectedStatuses;
    private String lastUnexpectedStatus = "";

    /**
     * @param api the server's API, with the timeouts a client would use
     * @param keys how many admin keys to spread the changes over
     * @param seed the root of the writer's random choices
     */
    public AdminChangeWriter(ServerApi api, int keys, long seed) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, got " + keys);
        }
        this.api = Objects.requireNonNull(api, "api");
        this.keys = keys;
        this.random = new SplittableRandom(seed);
        this.thread = new Thread(this::writeUntilStopped, "chaos-admin-writer");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Stops the writer and waits for its current exchange, at most {@code timeoutMillis}. */
    public void stop(long timeoutMillis) throws InterruptedException {
        stopped = true;
        thread.join(timeoutMillis);
        if (thread.isAlive()) {
            throw new AssertionError("the admin writer did not stop within " + timeoutMillis + " ms");
        }
    }

    @Override
    public void close() {
        stopped = true;
    }

    /**
     * What is wrong with {@code durable} (the definitions a registry holds, by key) given what was
     * acknowledged; empty when nothing is.
     */
    public synchronized List<String> check(Map<String, LimitDefinition> durable) {
        List<String> problems = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            String key = KEY_PREFIX + k;
            LimitDefinition last = acknowledged.get(key);
            LimitDefinition doubtful = inFlight != null && inFlight.key().equals(key) ? inFlight : null;
            LimitDefinition actual = durable.get(key);
            boolean matches = Objects.equals(actual, last) || (doubtful != null && Objects.equals(actual, doubtful));
            if (!matches) {
                problems.add(key + ": holds " + actual + ", but the last acknowledged change is " + last
                        + (doubtful == null ? "" : " and the change in flight " + doubtful));
            }
        }
        return problems;
    }

    /**
     * The server was just killed: no new change is started until {@link #restarted}, so that what
     * the restarted server holds comes from its registry file alone (a change already started may
     * still be sent; it then stays in flight).
     */
    public synchronized void holdUntilRestarted() {
        held = true;
    }

    /** The key of the change in flight, if there is one. */
    public synchronized String inFlightKey() {
        return inFlight == null ? "" : inFlight.key();
    }

    /**
     * The server restarted and holds {@code durable}: checks it like {@link #check}, then settles the
     * change in flight (it landed or it did not) and lets the writer go on. Returns the problems.
     */
    public synchronized List<String> restarted(Map<String, LimitDefinition> durable) {
        held = false;
        List<String> problems = check(durable);
        if (inFlight != null) {
            inFlightAtKill++;
            if (inFlight.equals(durable.get(inFlight.key()))) {
                inFlightLanded++;
                acknowledged.put(inFlight.key(), inFlight);
            }
            inFlight = null;
        }
        return problems;
    }

    /** Changes acknowledged so far. */
    public synchronized long acknowledgedCount() {
        return acknowledgedCount;
    }

    /** Restarts that found a change in flight, and how many of those changes had landed. */
    public synchronized String inFlightSummary() {
        return inFlightAtKill + " change(s) in flight at a kill, " + inFlightLanded + " of them landed whole, "
                + (inFlightAtKill - inFlightLanded) + " absent whole";
    }

    /** Answers other than 200 to a PUT (a kill gives transport errors, never these). */
    public synchronized long unexpectedStatuses() {
        return unexpectedStatuses;
    }

    public synchronized String lastUnexpectedStatus() {
        return lastUnexpectedStatus;
    }

    private void writeUntilStopped() {
        while (!stopped) {
            LimitDefinition change = nextChange();
            if (change == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
                continue;
            }
            boolean acknowledgedNow = false;
            try {
                Reply reply = api.putLimit(change);
                if (reply.status() == 200) {
                    acknowledgedNow = true;
                } else {
                    synchronized (this) {
                        unexpectedStatuses++;
                        lastUnexpectedStatus = reply.status() + ": " + reply.text();
                    }
                }
            } catch (IOException e) {
                // The server died or did not answer in time: the change stays in flight until a
                // restart shows whether it landed.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                if (acknowledgedNow) {
                    acknowledged.put(change.key(), change);
                    acknowledgedCount++;
                    inFlight = null;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextLong(PAUSE_MILLIS_MAX + 1)));
        }
    }

    /** The next change, marked in flight; null while an earlier change is in doubt or the writer is held. */
    private synchronized LimitDefinition nextChange() {
        if (inFlight != null || held) {
            return null;
        }
        String key = KEY_PREFIX + random.nextInt(keys);
        LimitDefinition last = acknowledged.get(key);
        long capacity = (last == null ? 0 : last.capacity()) + 1 + random.nextLong(10);
        long number = ++sequence;
        inFlight = new LimitDefinition(
                key,
                LimitKind.ROLLING,
                capacity,
                WINDOW_SECONDS,
                0,
                "change-" + number,
                "admin change " + number + " of the chaos suite",
                Overage.DEBT);
        return inFlight;
    }
}
