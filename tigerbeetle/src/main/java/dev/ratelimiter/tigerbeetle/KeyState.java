package dev.ratelimiter.tigerbeetle;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.rules.AdmissionRules;
import java.util.Objects;

/**
 * What the backend knows locally about one key: the state installed, and whether the cluster has
 * caught up with it. Immutable; the backend replaces it atomically in a concurrent map.
 *
 * @param provisioned whether the key's accounts exist and its capacity matches the state; a key that
 *     is not provisioned answers {@code backend_error} instead of touching the cluster, because a
 *     transfer on a missing account would burn the lease's ids ({@code id_already_failed})
 * @param reconciling whether the cluster holds more capacity than the state allows and the excess is
 *     still held by leases; the key admits nothing until it has been lowered (like decreasing)
 */
record KeyState(LimitState state, boolean provisioned, boolean reconciling) implements AdmissionRules.KeyView {

    KeyState {
        Objects.requireNonNull(state, "state");
    }

    LimitDefinition definition() {
        return state.definition();
    }

    /** Whether new reserves of this key are refused with {@code limit_decreasing}: decreasing, or reconciling. */
    @Override
    public boolean decreasing() {
        return state.status() == LimitStatus.DECREASING || reconciling;
    }

    @Override
    public long capacity() {
        return state.definition().capacity();
    }

    /** How long a hold of this key lasts in the cluster, in whole seconds (the window or the timeout). */
    long holdSeconds() {
        LimitDefinition definition = state.definition();
        return definition.kind() == LimitKind.ROLLING ? definition.windowSeconds() : definition.timeoutSeconds();
    }
}
