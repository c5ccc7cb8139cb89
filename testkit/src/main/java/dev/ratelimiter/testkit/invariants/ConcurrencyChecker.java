package dev.ratelimiter.testkit.invariants;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live check, while a run goes on, that the holds in flight on a concurrency key never sum above
 * its capacity (SPEC 1 and 10).
 *
 * <p>A client calls {@link #acquired} right after a reserve answered {@code allowed} and
 * {@link #released} right before it sends the complete. The interval the checker counts a hold is
 * thus inside the interval the limiter held it; a hold also stops counting at
 * {@code reserved_at + timeout}, when the limiter lets it expire. At the instant of the latest
 * admission among the holds counted, the limiter held all of them, so a sum above the capacity is a
 * real over-admission. This needs the checker's clock to be the limiter's clock: the same
 * {@link dev.ratelimiter.core.time.ManualClock} in process, or the system clock of the same machine
 * for a server in another process.
 *
 * <p>{@link #newEpoch} forgets every hold, for a limiter that forgot them (a restarted memory
 * backend); holds stamped before the epoch's start are then ignored.
 *
 * <p>Bounds: a key tracks only the holds of leases its clients keep open, which the run bounds, and
 * drops expired ones at every acquire; at most {@link #MAX_VIOLATIONS_LISTED} violations are listed,
 * further ones only counted.
 *
 * <p>Thread-safe: each key's holds and peak are guarded by that key's {@code Ledger} monitor; the
 * epoch start is volatile, raised under the checker's own monitor and read under a ledger's; the
 * violation list is guarded by its own monitor. A lease of several keys is checked key by key.
 */
public final class ConcurrencyChecker {
    /** How many violations are listed at most; further ones are only counted. */
    public static final int MAX_VIOLATIONS_LISTED = 20;

    private final Clock clock;
    private final Map<String, Ledger> ledgers;
    private final AtomicLong acquisitions = new AtomicLong();
    private final AtomicLong violationCount = new AtomicLong();
    private final List<String> violations = new ArrayList<>();
    /** Holds stamped before this are ignored; only grows, under the checker's monitor. */
    private volatile long epochStartMillis = Long.MIN_VALUE;

    /** A hold as a client sees it: counted from acquire until released or expired. */
    public static final class InFlight {
        private final String leaseId;
        private final long reservedAtMillis;
        private final Map<String, Long> amounts;

        private InFlight(String leaseId, long reservedAtMillis, Map<String, Long> amounts) {
            this.leaseId = leaseId;
            this.reservedAtMillis = reservedAtMillis;
            this.amounts = amounts;
        }

        public String leaseId() {
            return leaseId;
        }
    }

    /** One key's holds in flight; guarded by its own monitor. */
    private static final class Ledger {
        final String key;
        final long capacity;
        final long timeoutMillis;
        /** Hold to its expiry, in acquisition order. */
        final Map<InFlight, Long> expiries = new LinkedHashMap<>();

        long held;
        long peak;

        Ledger(LimitDefinition definition) {
            this.key = definition.key();
            this.capacity = definition.capacity();
            this.timeoutMillis = definition.holdMillis();
        }

        void purgeExpired(long nowMillis) {
            Iterator<Map.Entry<InFlight, Long>> live = expiries.entrySet().iterator();
            while (live.hasNext()) {
                Map.Entry<InFlight, Long> entry = live.next();
                if (entry.getValue() <= nowMillis) {
                    held -= entry.getKey().amounts.get(key);
                    live.remove();
                }
            }
        }
    }

    /**
     * @param clock the limiter's clock
     * @param definitions the run's limits; only the concurrency ones are checked
     */
    public ConcurrencyChecker(Clock clock, Collection<LimitDefinition> definitions) {
        this.clock = Objects.requireNonNull(clock, "clock");
        Map<String, Ledger> byKey = new TreeMap<>();
        for (LimitDefinition definition : definitions) {
            if (definition.kind() == LimitKind.CONCURRENCY) {
                byKey.put(definition.key(), new Ledger(definition));
            }
        }
        this.ledgers = Map.copyOf(byKey);
    }

    /**
     * Counts the concurrency requirements of a lease just admitted at {@code reservedAtMillis};
     * returns the handle to pass to {@link #released}. Records a violation when a key's holds now
     * sum above its capacity.
     */
    public InFlight acquired(String leaseId, long reservedAtMillis, List<Requirement> requirements) {
        Map<String, Long> amounts = new HashMap<>();
        for (Requirement requirement : requirements) {
            if (ledgers.containsKey(requirement.key())) {
                amounts.put(requirement.key(), requirement.amount());
            }
        }
        InFlight hold = new InFlight(leaseId, reservedAtMillis, Map.copyOf(amounts));
        acquisitions.incrementAndGet();
        for (Map.Entry<String, Long> amount : hold.amounts.entrySet()) {
            Ledger ledger = ledgers.get(amount.getKey());
            String violation = null;
            synchronized (ledger) {
                // Read under the ledger's monitor: a concurrent newEpoch either is seen here, or
                // takes this monitor after us and removes the hold again.
                if (reservedAtMillis < epochStartMillis) {
                    continue;
                }
                long nowMillis = clock.nowMillis();
                ledger.purgeExpired(nowMillis);
                long expiresAtMillis = saturatingAdd(reservedAtMillis, ledger.timeoutMillis);
                if (expiresAtMillis <= nowMillis) {
                    continue;
                }
                ledger.expiries.put(hold, expiresAtMillis);
                ledger.held += amount.getValue();
                ledger.peak = Math.max(ledger.peak, ledger.held);
                if (ledger.held > ledger.capacity) {
                    violation = ledger.key + " at " + nowMillis + ": " + ledger.held + " in flight above capacity "
                            + ledger.capacity + ", leases " + describe(ledger);
                }
            }
            if (violation != null) {
                recordViolation(violation);
            }
        }
        return hold;
    }

    /** Stops counting a hold; call it before sending the complete. Releasing twice changes nothing. */
    public void released(InFlight hold) {
        for (Map.Entry<String, Long> amount : hold.amounts.entrySet()) {
            Ledger ledger = ledgers.get(amount.getKey());
            synchronized (ledger) {
                if (ledger.expiries.remove(hold) != null) {
                    ledger.held -= amount.getValue();
                }
            }
        }
    }

    /**
     * The limiter forgot every hold: from now on only holds stamped at or after
     * {@code fromMillis} count (see {@link AdmissionLog#newEpoch} for the instant to take).
     */
    public void newEpoch(long fromMillis) {
        synchronized (this) {
            epochStartMillis = Math.max(epochStartMillis, fromMillis);
        }
        // Every acquire that read the old start before this point holds its ledger's monitor, so
        // taking each monitor afterwards removes whatever such an acquire added.
        for (Ledger ledger : ledgers.values()) {
            synchronized (ledger) {
                ledger.expiries.keySet().removeIf(hold -> hold.reservedAtMillis < fromMillis);
                long held = 0;
                for (InFlight hold : ledger.expiries.keySet()) {
                    held += hold.amounts.get(ledger.key);
                }
                ledger.held = held;
            }
        }
    }

    /** How many admissions were counted. */
    public long acquisitions() {
        return acquisitions.get();
    }

    /** The largest sum in flight seen on {@code key}; 0 for a key that is not checked. */
    public long peak(String key) {
        Ledger ledger = ledgers.get(key);
        if (ledger == null) {
            return 0;
        }
        synchronized (ledger) {
            return ledger.peak;
        }
    }

    /** How many acquisitions found a key above its capacity. */
    public long violationCount() {
        return violationCount.get();
    }

    /** The first {@link #MAX_VIOLATIONS_LISTED} violations, described. */
    public List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    private void recordViolation(String violation) {
        violationCount.incrementAndGet();
        synchronized (violations) {
            if (violations.size() < MAX_VIOLATIONS_LISTED) {
                violations.add(violation);
            }
        }
    }

    /** The leases in flight on a key, for a violation message; called under the ledger's monitor. */
    private static String describe(Ledger ledger) {
        List<String> leases = new ArrayList<>();
        for (InFlight hold : ledger.expiries.keySet()) {
            leases.add(hold.leaseId + "=" + hold.amounts.get(ledger.key) + "@" + hold.reservedAtMillis);
        }
        return leases.toString();
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        // Overflow happened iff both operands have the sign opposite to the result's.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }
}
