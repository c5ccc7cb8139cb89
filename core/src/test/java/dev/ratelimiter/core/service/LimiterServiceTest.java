package dev.ratelimiter.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.CompleteRequest;
import dev.ratelimiter.core.model.CompleteResponse;
import dev.ratelimiter.core.model.ErrorCodes;
import dev.ratelimiter.core.model.LimitChange;
import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitInfo;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.PutLimitResponse;
import dev.ratelimiter.core.model.Refusal;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.model.ReserveRequest;
import dev.ratelimiter.core.model.ReserveResponse;
import dev.ratelimiter.core.model.Usage;
import dev.ratelimiter.core.registry.FileRegistry;
import dev.ratelimiter.core.wire.BatchItem;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.RequestLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimiterServiceTest {
    private static final LimitDefinition TPM_10 = LimitDefinition.rolling("tpm", 10, 60);

    private final List<String> events = new ArrayList<>();
    private final ScriptedBackend backend = new ScriptedBackend(events);

    private LimiterService open(LimitState... initial) throws IOException {
        return open(new FailingStore(events, List.of(initial)));
    }

    private LimiterService open(FailingStore store) throws IOException {
        LimiterService service = LimiterService.open(backend, store, RequestLimits.DEFAULT);
        events.clear();
        return service;
    }

    private static ReserveRequest reserve(String leaseId, String key, long amount) {
        return new ReserveRequest(leaseId, "", List.of(new Requirement(key, amount)));
    }

    // ---- admin changes -------------------------------------------------------------------------

    @Test
    void savesANewLimitBeforeInstallingAndAnswering() throws IOException {
        FailingStore store = new FailingStore(events, List.of());
        LimiterService service = open(store);

        PutLimitResponse response = service.putLimit(TPM_10);

        assertEquals(new PutLimitResponse(true, LimitStatus.ACTIVE), response);
        assertEquals(List.of("save 1", "install tpm r1"), events);
        assertEquals(List.of(LimitState.created(TPM_10)), store.saved);
        assertEquals(List.of(LimitState.created(TPM_10)), service.states());
    }

    @Test
    void normalisesTheDefinitionBeforeSavingIt() throws IOException {
        FailingStore store = new FailingStore(events, List.of());
        LimiterService service = open(store);

        service.putLimit(LimitDefinition.rolling("  tpm ", 10, 60));

        assertEquals(List.of(LimitState.created(TPM_10)), store.saved);
    }

    @Test
    void aFailedSaveChangesNothing() throws IOException {
        FailingStore store = new FailingStore(events, List.of(LimitState.created(TPM_10)));
        LimiterService service = open(store);
        store.failSaves = true;

        BackendException e =
                assertThrows(BackendException.class, () -> service.putLimit(LimitDefinition.rolling("tpm", 20, 60)));

        assertTrue(
                e.getMessage().contains("could not save the registry to scripted store: scripted: disk full"),
                e.getMessage());
        assertEquals(List.of("save 1"), events, "the backend was not touched");
        assertEquals(List.of(LimitState.created(TPM_10)), service.states());
        assertEquals(List.of(LimitState.created(TPM_10)), store.saved);
        assertEquals(TPM_10, backend.installed.get("tpm").definition());
    }

    @Test
    void reportsEachSavedChangeWithTheStateItReplaced() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        List<LimitChange> changes = new ArrayList<>();
        LimitDefinition lower = LimitDefinition.rolling("tpm", 4, 60);
        LimitDefinition rpm = LimitDefinition.rolling("rpm", 3, 60);

        service.putLimit(lower, changes::add);
        service.putLimit(rpm, changes::add);

        LimitState decreasing = new LimitState(TPM_10, LimitStatus.DECREASING, 4, 2);
        assertEquals(
                List.of(
                        new LimitChange(Optional.of(LimitState.created(TPM_10)), decreasing),
                        new LimitChange(Optional.empty(), LimitState.created(rpm))),
                changes);
    }

    @Test
    void reportsAChangeThatIsSavedButNotYetApplied() throws IOException {
        LimiterService service = open();
        backend.refuseInstall = true;
        List<LimitChange> changes = new ArrayList<>();

        assertThrows(BackendException.class, () -> service.putLimit(TPM_10, changes::add));

        assertEquals(List.of(new LimitChange(Optional.empty(), LimitState.created(TPM_10))), changes);
    }

    @Test
    void reportsNoChangeWhenTheSaveFails() throws IOException {
        FailingStore store = new FailingStore(events, List.of());
        LimiterService service = open(store);
        store.failSaves = true;
        List<LimitChange> changes = new ArrayList<>();

        assertThrows(BackendException.class, () -> service.putLimit(TPM_10, changes::add));

        assertEquals(List.of(), changes);
    }

    @Test
    void aFailedSaveOfANewKeyLeavesItUnknown() throws IOException {
        FailingStore store = new FailingStore(events, List.of());
        LimiterService service = open(store);
        store.failSaves = true;

        assertThrows(BackendException.class, () -> service.putLimit(TPM_10));

        assertEquals(Optional.empty(), service.limit("tpm"));
        assertEquals(List.of(), service.limits());
    }

    @Test
    void anInstallTheBackendRefusesIsDurableAndRetried() throws IOException {
        FailingStore store = new FailingStore(events, List.of());
        LimiterService service = open(store);
        backend.refuseInstall = true;

        BackendException e = assertThrows(BackendException.class, () -> service.putLimit(TPM_10));

        assertTrue(e.getMessage().contains("saved but the backend has not applied it"), e.getMessage());
        assertEquals(List.of(LimitState.created(TPM_10)), store.saved);
        assertEquals(List.of(LimitState.created(TPM_10)), service.states());
        assertFalse(backend.installed.containsKey("tpm"));

        service.applyDecreases();
        assertFalse(backend.installed.containsKey("tpm"), "still refused: still pending");

        backend.refuseInstall = false;
        events.clear();
        service.applyDecreases();
        assertEquals(LimitState.created(TPM_10), backend.installed.get("tpm"));
        assertEquals(List.of("install tpm r1"), events);

        events.clear();
        service.applyDecreases();
        assertEquals(List.of(), events, "an installed key is not installed again");
    }

    @Test
    void aDecreaseWaitsUntilTheBackendCanApplyItThenIsSaved() throws IOException {
        FailingStore store = new FailingStore(events, List.of(LimitState.created(TPM_10)));
        LimiterService service = open(store);

        PutLimitResponse response = service.putLimit(LimitDefinition.rolling("tpm", 4, 60));
        assertEquals(new PutLimitResponse(true, LimitStatus.DECREASING), response);
        LimitState decreasing = new LimitState(TPM_10, LimitStatus.DECREASING, 4, 2);
        assertEquals(List.of(decreasing), store.saved);
        assertEquals(decreasing, backend.installed.get("tpm"));

        assertEquals(0, service.applyDecreases());
        assertEquals(List.of(decreasing), store.saved);

        backend.decreaseFits = true;
        events.clear();
        assertEquals(1, service.applyDecreases());

        LimitState applied = new LimitState(LimitDefinition.rolling("tpm", 4, 60), LimitStatus.ACTIVE, 0, 3);
        assertEquals(List.of("tryApplyDecrease tpm", "save 1", "install tpm r3"), events);
        assertEquals(List.of(applied), store.saved);
        assertEquals(List.of(applied), service.states());
        assertEquals(0, service.applyDecreases(), "nothing is pending any more");
    }

    @Test
    void anIncreaseCancelsAPendingDecrease() throws IOException {
        FailingStore store = new FailingStore(events, List.of(LimitState.created(TPM_10)));
        LimiterService service = open(store);
        service.putLimit(LimitDefinition.rolling("tpm", 4, 60));

        assertEquals(
                new PutLimitResponse(true, LimitStatus.ACTIVE),
                service.putLimit(LimitDefinition.rolling("tpm", 12, 60)));

        backend.decreaseFits = true;
        assertEquals(0, service.applyDecreases());
        assertEquals(
                List.of(new LimitState(LimitDefinition.rolling("tpm", 12, 60), LimitStatus.ACTIVE, 0, 3)), store.saved);
    }

    @Test
    void anAppliedDecreaseWhoseSaveFailedIsSavedLater() throws IOException {
        FailingStore store = new FailingStore(events, List.of(new LimitState(TPM_10, LimitStatus.DECREASING, 4, 2)));
        LimiterService service = open(store);
        backend.decreaseFits = true;
        store.failSaves = true;

        assertEquals(1, service.applyDecreases());

        LimitState applied = new LimitState(LimitDefinition.rolling("tpm", 4, 60), LimitStatus.ACTIVE, 0, 3);
        assertEquals(List.of(applied), service.states(), "the backend runs at the lower capacity already");
        assertEquals(List.of(new LimitState(TPM_10, LimitStatus.DECREASING, 4, 2)), store.saved);

        store.failSaves = false;
        service.applyDecreases();
        assertEquals(List.of(applied), store.saved);
    }

    @Test
    void aFailingDecreaseCheckDoesNotStopTheOthers() throws IOException {
        LimiterService service = open(
                new LimitState(LimitDefinition.rolling("a", 10, 60), LimitStatus.DECREASING, 4, 2),
                new LimitState(LimitDefinition.rolling("b", 10, 60), LimitStatus.DECREASING, 5, 2));
        backend.failDecreaseCheck = true;

        assertEquals(0, service.applyDecreases());

        assertEquals(List.of("tryApplyDecrease a", "tryApplyDecrease b"), events);
    }

    @Test
    void aDecreasingEntryResumesDecreasingAfterOpen() throws IOException {
        LimitState decreasing = new LimitState(TPM_10, LimitStatus.DECREASING, 4, 5);
        FailingStore store = new FailingStore(events, List.of(decreasing));

        LimiterService service = LimiterService.open(backend, store, RequestLimits.DEFAULT);

        assertEquals(List.of("install tpm r5"), events);
        assertEquals(decreasing, backend.installed.get("tpm"));
        assertEquals(LimitStatus.DECREASING, service.limit("tpm").orElseThrow().status());
        backend.decreaseFits = true;
        assertEquals(1, service.applyDecreases());
        assertEquals(
                List.of(new LimitState(LimitDefinition.rolling("tpm", 4, 60), LimitStatus.ACTIVE, 0, 6)), store.saved);
    }

    @Test
    void usageIsReadAgainstTheCapacityOfTheStateShownEvenBeforeTheBackendAppliesIt() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        backend.refuseInstall = true;
        assertThrows(BackendException.class, () -> service.putLimit(TPM_10.withCapacity(30)));

        // The backend still enforces 10 (with 1 held); the state shown says 30.
        assertEquals(30, service.limit("tpm").orElseThrow().definition().capacity());
        assertEquals(29, service.limit("tpm").orElseThrow().usage().available());
        assertEquals(29, service.limits().get(0).usage().available());
    }

    @Test
    void anInstallRefusedAtOpenIsRetried() throws IOException {
        backend.refuseInstall = true;
        LimiterService service = open(LimitState.created(TPM_10));
        assertFalse(backend.installed.containsKey("tpm"));

        backend.refuseInstall = false;
        service.applyDecreases();

        assertEquals(LimitState.created(TPM_10), backend.installed.get("tpm"));
    }

    @Test
    void aChangeOfKindIsAnInvalidRequest() throws IOException {
        FailingStore store = new FailingStore(events, List.of(LimitState.created(TPM_10)));
        LimiterService service = open(store);

        InvalidRequestException e = assertThrows(
                InvalidRequestException.class, () -> service.putLimit(LimitDefinition.concurrency("tpm", 10, 30)));

        assertEquals(
                "kind: cannot change the kind of the existing limit 'tpm' from rolling to concurrency", e.detail());
        assertEquals(List.of(), events);
        assertEquals(List.of(LimitState.created(TPM_10)), store.saved);
    }

    @Test
    void anInvalidDefinitionIsAnInvalidRequest() throws IOException {
        LimiterService service = open();
        InvalidRequestException e = assertThrows(
                InvalidRequestException.class, () -> service.putLimit(LimitDefinition.rolling("tpm", 0, 60)));
        assertEquals("capacity: must be from 1 to 9223372036854775807, got 0", e.detail());
        assertEquals(List.of(), events);
    }

    @Test
    void listsLimitsSortedByKeyWithUsage() throws IOException {
        LimiterService service = open();
        service.putLimit(LimitDefinition.rolling("b", 5, 60));
        service.putLimit(LimitDefinition.concurrency("a", 3, 30));

        List<LimitInfo> limits = service.limits();

        assertEquals(
                List.of("a", "b"),
                limits.stream().map(info -> info.definition().key()).toList());
        assertEquals(new Usage(1, 2, 0), limits.get(0).usage());
        assertEquals(Optional.of(limits.get(1)), service.limit("b"));
    }

    @Test
    void aDecreasingChangeSurvivesARestartWithAFileRegistry(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("registry.json");
        LimiterService first = LimiterService.open(backend, new FileRegistry(file), RequestLimits.DEFAULT);
        first.putLimit(TPM_10);
        first.putLimit(LimitDefinition.rolling("tpm", 4, 60));
        first.close();

        ScriptedBackend restarted = new ScriptedBackend(new ArrayList<>());
        LimiterService second = LimiterService.open(restarted, new FileRegistry(file), RequestLimits.DEFAULT);

        LimitState decreasing = new LimitState(TPM_10, LimitStatus.DECREASING, 4, 2);
        assertEquals(List.of(decreasing), second.states());
        assertEquals(decreasing, restarted.installed.get("tpm"));
    }

    // ---- admission -----------------------------------------------------------------------------

    @Test
    void validatesAReserveBeforeTheBackendSeesIt() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        InvalidRequestException e =
                assertThrows(InvalidRequestException.class, () -> service.reserve(reserve("bad:lease", "tpm", 1)));
        assertEquals("lease_id: may hold only [0-9A-Za-z_-], found ':' at position 3", e.detail());
        assertEquals(List.of(), backend.reserved);
    }

    @Test
    void aBackendFailureIsABackendErrorAnswer() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        backend.failAdmission = true;

        assertEquals(ReserveResponse.refused(Refusal.BACKEND_ERROR), service.reserve(reserve("a", "tpm", 1)));
        assertEquals(
                CompleteResponse.failed(ErrorCodes.BACKEND_ERROR),
                service.complete(new CompleteRequest("a", "", List.of(new Actual("tpm", 1)))));
        assertFalse(service.isHealthy());
    }

    @Test
    void aBatchKeepsOrderAndMarksInvalidSlots() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        List<BatchItem<ReserveRequest>> items = List.of(
                BatchItem.of(reserve("first", "tpm", 1)),
                BatchItem.invalid("requests[1].requirements[0].amount: must be an integer, got the string \"1\""),
                BatchItem.of(reserve("third", "tpm", 0)),
                BatchItem.of(reserve("fourth", "tpm", 2)));

        List<ReserveResponse> results = service.reserveBatch(items);

        assertEquals(
                List.of(
                        ReserveResponse.allowed(1_001),
                        ReserveResponse.refused(Refusal.INVALID_REQUEST),
                        ReserveResponse.refused(Refusal.INVALID_REQUEST),
                        ReserveResponse.allowed(1_002)),
                results);
        assertEquals(List.of("reserveAll 2"), events);
        assertEquals(
                List.of("first", "fourth"),
                backend.reserved.stream().map(ReserveRequest::leaseId).toList());
    }

    @Test
    void aCompleteBatchKeepsOrderAndMarksInvalidSlots() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        List<BatchItem<CompleteRequest>> items = List.of(
                BatchItem.of(new CompleteRequest("bad lease", "", List.of())),
                BatchItem.of(new CompleteRequest("second", "", List.of(new Actual("tpm", 3)))));

        List<CompleteResponse> results = service.completeBatch(items);

        assertEquals(
                List.of(CompleteResponse.failed(ErrorCodes.INVALID_REQUEST), CompleteResponse.succeeded()), results);
        assertEquals(
                List.of("second"),
                backend.completed.stream().map(CompleteRequest::leaseId).toList());
    }

    @Test
    void aBatchOfOnlyInvalidItemsNeverReachesTheBackend() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        List<ReserveResponse> results = service.reserveBatch(List.of(BatchItem.invalid("requests[0]: bad")));
        assertEquals(List.of(ReserveResponse.refused(Refusal.INVALID_REQUEST)), results);
        assertEquals(List.of(), events);
    }

    @Test
    void aBackendFailureInABatchAnswersBackendErrorInTheValidSlots() throws IOException {
        LimiterService service = open(LimitState.created(TPM_10));
        backend.failAdmission = true;

        List<ReserveResponse> reserves = service.reserveBatch(List.of(
                BatchItem.of(reserve("a", "tpm", 1)),
                BatchItem.invalid("requests[1]: bad"),
                BatchItem.of(reserve("c", "tpm", 1))));
        List<CompleteResponse> completes = service.completeBatch(
                List.of(BatchItem.invalid("requests[0]: bad"), BatchItem.of(new CompleteRequest("b", "", List.of()))));

        ReserveResponse backendError = ReserveResponse.refused(Refusal.BACKEND_ERROR);
        assertEquals(List.of(backendError, ReserveResponse.refused(Refusal.INVALID_REQUEST), backendError), reserves);
        assertEquals(
                List.of(
                        CompleteResponse.failed(ErrorCodes.INVALID_REQUEST),
                        CompleteResponse.failed(ErrorCodes.BACKEND_ERROR)),
                completes);
    }

    @Test
    void closeClosesTheBackend() throws IOException {
        LimiterService service = open();
        service.startDecreaseLoop(1_000);
        service.close();
        assertTrue(backend.closed);
    }
}
