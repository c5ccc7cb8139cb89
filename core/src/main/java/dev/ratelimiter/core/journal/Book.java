package dev.ratelimiter.core.journal;

import dev.ratelimiter.core.journal.JournalRecord.Completed;
import dev.ratelimiter.core.journal.JournalRecord.Debt;
import dev.ratelimiter.core.journal.JournalRecord.Denied;
import dev.ratelimiter.core.journal.JournalRecord.HeldAmount;
import dev.ratelimiter.core.journal.JournalRecord.KeyAmount;
import dev.ratelimiter.core.journal.JournalRecord.OrphanHold;
import dev.ratelimiter.core.journal.JournalRecord.Reserved;
import dev.ratelimiter.core.journal.JournalRecord.SnapshotEnd;
import dev.ratelimiter.core.journal.JournalRecord.Tombstone;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The memory backend's books as the journal's compactor knows them: what a snapshot holds, folded
 * from the previous snapshot and the closed segments. (At start the backend folds the records into
 * its own structures directly, without this copy.)
 *
 * <ul>
 *   <li>live leases: admitted, not completed, with their holds as reserved;</li>
 *   <li>orphan holds: what completed leases still hold until their window ends;</li>
 *   <li>debts per key;</li>
 *   <li>finished lease ids (tombstones) and sticky denials, oldest first, each bounded like the
 *       backend's own (the oldest are forgotten first; forgetting is safe, SPEC 5.1).</li>
 * </ul>
 *
 * <p>Not thread-safe: one thread folds records into it (recovery, or the compactor).
 */
final class Book {
    private final int maxFinished;
    private final LinkedHashMap<String, Reserved> live = new LinkedHashMap<>();
    private final List<OrphanHold> orphans = new ArrayList<>();
    private final Map<String, Long> debts = new TreeMap<>();
    private final LinkedHashSet<String> tombstones = new LinkedHashSet<>();
    private final LinkedHashMap<String, Denied> denials = new LinkedHashMap<>();

    /** @param maxFinished how many tombstones, and separately how many denials, are kept (at least 1) */
    Book(int maxFinished) {
        if (maxFinished < 1) {
            throw new IllegalArgumentException("maxFinished must be at least 1, got " + maxFinished);
        }
        this.maxFinished = maxFinished;
    }

    /** Folds one record in. Replaying a journal in order gives the state it recorded. */
    void apply(JournalRecord record) {
        if (record instanceof Reserved reserved) {
            // A lease id comes back only after its earlier record was forgotten: the new one wins.
            tombstones.remove(reserved.leaseId());
            denials.remove(reserved.leaseId());
            live.put(reserved.leaseId(), reserved);
        } else if (record instanceof Completed completed) {
            complete(completed);
        } else if (record instanceof Denied denied) {
            live.remove(denied.leaseId());
            denials.remove(denied.leaseId());
            denials.put(denied.leaseId(), denied);
            evictOldest(denials.keySet());
        } else if (record instanceof Tombstone tombstone) {
            addTombstone(tombstone.leaseId());
        } else if (record instanceof OrphanHold hold) {
            orphans.add(hold);
        } else if (record instanceof Debt debt) {
            addDebt(debt.key(), debt.amount());
        } else if (!(record instanceof SnapshotEnd)) {
            throw new IllegalArgumentException("not a journal record: " + record);
        }
    }

    /**
     * Forgets what has run out at {@code nowMillis}: orphan holds that expired, live leases whose
     * every hold expired (they become tombstones, as the backend's sweeper would make them), and
     * denials past their time.
     */
    void expire(long nowMillis) {
        orphans.removeIf(hold -> hold.expiresAtMillis() <= nowMillis);
        List<String> ended = new ArrayList<>();
        for (Reserved lease : live.values()) {
            if (lastExpiryMillis(lease) <= nowMillis) {
                ended.add(lease.leaseId());
            }
        }
        for (String leaseId : ended) {
            live.remove(leaseId);
            addTombstone(leaseId);
        }
        denials.values().removeIf(denied -> denied.forgetAtMillis() <= nowMillis);
    }

    /** Every record a snapshot of this book holds, ending with its {@link SnapshotEnd}. */
    void writeTo(Consumer<JournalRecord> sink) {
        long count = 0;
        for (Map.Entry<String, Long> debt : debts.entrySet()) {
            sink.accept(new Debt(debt.getKey(), debt.getValue()));
            count++;
        }
        for (OrphanHold hold : orphans) {
            sink.accept(hold);
            count++;
        }
        for (Reserved lease : live.values()) {
            sink.accept(lease);
            count++;
        }
        for (String leaseId : tombstones) {
            sink.accept(new Tombstone(leaseId));
            count++;
        }
        for (Denied denied : denials.values()) {
            sink.accept(denied);
            count++;
        }
        sink.accept(new SnapshotEnd(count));
    }

    Collection<Reserved> liveLeases() {
        return live.values();
    }

    List<OrphanHold> orphanHolds() {
        return orphans;
    }

    Map<String, Long> debts() {
        return debts;
    }

    /** Finished lease ids, oldest first. */
    Collection<String> tombstones() {
        return tombstones;
    }

    /** Sticky denials, oldest first. */
    Collection<Denied> denials() {
        return denials.values();
    }

    /** Holds that count now: every hold of a live lease (expired ones included until {@link #expire}) and every orphan. */
    long holdCount() {
        long count = orphans.size();
        for (Reserved lease : live.values()) {
            count += lease.holds().size();
        }
        return count;
    }

    static long lastExpiryMillis(Reserved lease) {
        long last = Long.MIN_VALUE;
        for (HeldAmount hold : lease.holds()) {
            last = Math.max(last, hold.expiresAtMillis());
        }
        return last;
    }

    private void complete(Completed completed) {
        // Debt is the key's, not the lease's: it counts even when the lease's record is gone (its
        // holds expired and a compaction turned it into a tombstone before this record was folded).
        for (KeyAmount debt : completed.debts()) {
            addDebt(debt.key(), debt.amount());
        }
        Reserved lease = live.remove(completed.leaseId());
        if (lease == null) {
            return;
        }
        List<HeldAmount> holds = lease.holds();
        for (int i = 0; i < holds.size(); i++) {
            long after = i < completed.amountsAfter().size()
                    ? completed.amountsAfter().get(i)
                    : 0;
            HeldAmount hold = holds.get(i);
            // Complete releases concurrency holds; a rolling hold keeps its reconciled amount.
            if (after > 0 && !hold.concurrency()) {
                orphans.add(new OrphanHold(hold.key(), after, hold.expiresAtMillis()));
            }
        }
        addTombstone(completed.leaseId());
    }

    private void addTombstone(String leaseId) {
        tombstones.remove(leaseId);
        tombstones.add(leaseId);
        evictOldest(tombstones);
    }

    private void evictOldest(Collection<String> finished) {
        Iterator<String> oldest = finished.iterator();
        while (finished.size() > maxFinished && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    private void addDebt(String key, long amount) {
        debts.merge(key, amount, Book::saturatingAdd);
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }
}
