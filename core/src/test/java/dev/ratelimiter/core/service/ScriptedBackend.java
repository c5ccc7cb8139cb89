package dev.ratelimiter.core.service;

import dev.ratelimiter.core.backend.Backend;
import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend whose answers the test decides: it records what it was asked, in one event log shared
 * with {@link FailingStore}, and fails when told to. Holds nothing. Not thread-safe; the service
 * tests call it from one thread.
 */
final class ScriptedBackend implements Backend {
    final List<String> events;
    final Map<String, LimitState> installed = new HashMap<>();
    final List<ReserveRequest> reserved = new ArrayList<>();
    final List<CompleteRequest> completed = new ArrayList<>();
    boolean refuseInstall;
    boolean decreaseFits;
    boolean failDecreaseCheck;
    boolean failAdmission;
    boolean closed;

    ScriptedBackend(List<String> events) {
        this.events = events;
    }

    @Override
    public void install(LimitState state) {
        events.add("install " + state.key() + " r" + state.revision());
        if (refuseInstall) {
            throw new BackendException("scripted: install refused");
        }
        installed.put(state.key(), state);
    }

    @Override
    public boolean tryApplyDecrease(String key) {
        events.add("tryApplyDecrease " + key);
        if (failDecreaseCheck) {
            throw new BackendException("scripted: decrease check failed");
        }
        return decreaseFits;
    }

    @Override
    public ReserveResponse reserve(ReserveRequest request) {
        if (failAdmission) {
            throw new BackendException("scripted: reserve failed");
        }
        reserved.add(request);
        return ReserveResponse.allowed(1_000 + reserved.size());
    }

    @Override
    public CompleteResponse complete(CompleteRequest request) {
        if (failAdmission) {
            throw new BackendException("scripted: complete failed");
        }
        completed.add(request);
        return CompleteResponse.succeeded();
    }

    @Override
    public List<ReserveResponse> reserveAll(List<ReserveRequest> requests) {
        events.add("reserveAll " + requests.size());
        return Backend.super.reserveAll(requests);
    }

    @Override
    public List<CompleteResponse> completeAll(List<CompleteRequest> requests) {
        events.add("completeAll " + requests.size());
        return Backend.super.completeAll(requests);
    }

    @Override
    public Usage usage(String key) {
        LimitState state = installed.get(key);
        return Usage.of(state == null ? 0 : state.definition().capacity(), 1, 0);
    }

    @Override
    public boolean isHealthy() {
        return !failAdmission;
    }

    @Override
    public void close() {
        closed = true;
    }
}
