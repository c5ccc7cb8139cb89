package dev.ratelimiter.tigerbeetle;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The labels of SPEC 5.2 and the ids derived from them: one place that says which account or
 * transfer a lease, key or capacity change maps to.
 *
 * <p>Every label can carry a namespace prefix so that several independent limiters (in practice:
 * tests sharing one TigerBeetle) never see each other's accounts. Production uses the empty
 * namespace, which gives exactly the labels of the SPEC. Thread-safe; the only state is a cache
 * of derived account ids.
 */
final class LedgerIds {
    /** How many keys' account ids are remembered; see {@link #accounts(String)}. */
    static final int ACCOUNTS_CACHED_MAX = 100_000;

    private final String namespace;
    private final LedgerId operator;
    private final ConcurrentHashMap<String, KeyAccounts> accounts = new ConcurrentHashMap<>();

    LedgerIds(String namespace) {
        this.namespace = namespace;
        this.operator = id("acct:operator");
    }

    /** The labels of the SPEC, with no prefix. */
    static LedgerIds standard() {
        return new LedgerIds("");
    }

    /** The account every capacity comes from and every hold goes to. */
    LedgerId operatorAccount() {
        return operator;
    }

    /** The limit account of {@code key}; its balance is the key's capacity. */
    LedgerId limitAccount(String key) {
        return accounts(key).limit();
    }

    /** The account that records the key's debt (overage that did not fit). */
    LedgerId debtAccount(String key) {
        return accounts(key).debt();
    }

    /**
     * The two accounts of {@code key}, remembered: every hold and release names the limit account,
     * so a reserve of four keys would hash four labels for them alone. At most {@link
     * #ACCOUNTS_CACHED_MAX} keys are remembered (keys are the registry's limits, far fewer in
     * practice); beyond that the ids are derived each time.
     */
    private KeyAccounts accounts(String key) {
        KeyAccounts known = accounts.get(key);
        if (known != null) {
            return known;
        }
        KeyAccounts derived = new KeyAccounts(id("acct:limit:" + key), id("acct:debt:" + key));
        if (accounts.size() < ACCOUNTS_CACHED_MAX) {
            accounts.putIfAbsent(key, derived);
        }
        return derived;
    }

    private record KeyAccounts(LedgerId limit, LedgerId debt) {}

    /** The pending transfer that holds {@code key} for {@code leaseId}. */
    LedgerId reserve(String leaseId, String key) {
        return id("xfer:reserve:" + leaseId + ":" + key);
    }

    /** The transfer that voids the lease's hold of {@code key}. */
    LedgerId voidOf(String leaseId, String key) {
        return id("xfer:void:" + leaseId + ":" + key);
    }

    /** The pending transfer that holds the actual amount (or the overage) after a complete. */
    LedgerId rereserve(String leaseId, String key) {
        return id("xfer:rereserve:" + leaseId + ":" + key);
    }

    /** The posted transfer that records the lease's overage of {@code key} as debt. */
    LedgerId debt(String leaseId, String key) {
        return id("xfer:debt:" + leaseId + ":" + key);
    }

    /**
     * The zero-amount posted transfer that records in the ledger that the lease was completed, for
     * a complete that voids none of its holds (rolling holds kept whole or grown): a repeat of the
     * lease after a restart of this server then still answers {@code lease_expired} (SPEC 5.2).
     */
    LedgerId completion(String leaseId) {
        return id("xfer:complete:" + leaseId);
    }

    /**
     * A capacity change of {@code key} from balance {@code from} to {@code to}, made while the
     * registry holds {@code revision}. The revision is persisted, so a change resubmitted after a
     * crash gets the same id (TigerBeetle answers {@code exists}), while a later change gets a new
     * one (the hazard of SPEC 11). {@code attempt} moves past ids TigerBeetle has marked as failed
     * (a decrease that did not fit yet). The key comes last because keys may contain colons.
     */
    LedgerId capacityChange(String key, long revision, long from, long to, int attempt) {
        return id("xfer:capacity:" + revision + ":" + from + ":" + to + ":" + attempt + ":" + key);
    }

    /**
     * A fingerprint of a lease's requirements as a set, stored in each reserve transfer
     * ({@code user_data_128}) so that a repeat after a restart can tell "same request" from
     * "different request". Not namespaced: it is compared, never used as an id.
     */
    static LedgerId requirementSet(SortedMap<String, Long> requirements) {
        StringBuilder text = new StringBuilder("reqs");
        for (Map.Entry<String, Long> requirement : requirements.entrySet()) {
            text.append('\n').append(requirement.getKey()).append('=').append(requirement.getValue());
        }
        return LedgerId.fromDigest(LedgerId.sha256(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private LedgerId id(String label) {
        return LedgerId.fromLabel(namespace + label);
    }
}
