package dev.ratelimiter.core.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.model.LimitStatus;
import dev.ratelimiter.core.model.Overage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryTest {
    private static final LimitState TPM = LimitState.created(LimitDefinition.rolling("global:llm:x:y:tpm", 10_000, 60));
    private static final LimitState CONCURRENCY = new LimitState(
            new LimitDefinition(
                    "global:llm:x:y:concurrency",
                    LimitKind.CONCURRENCY,
                    8,
                    0,
                    30,
                    "calls",
                    "parallel calls, \"quoted\" and ünïcode",
                    Overage.DENY),
            LimitStatus.DECREASING,
            3,
            7);
    private static final LimitState DAILY = new LimitState(
            LimitDefinition.rolling("tenant:acme:llm:daily_tokens", 1_000_000, 86_400), LimitStatus.ACTIVE, 0, 42);

    @TempDir
    Path directory;

    @Test
    void loadsWhatItSavedSortedByKey() throws IOException {
        FileRegistry registry = new FileRegistry(directory.resolve("registry.json"));
        registry.save(List.of(TPM, DAILY, CONCURRENCY));
        assertEquals(List.of(CONCURRENCY, TPM, DAILY), registry.load());
        assertEquals(List.of(CONCURRENCY, TPM, DAILY), new FileRegistry(directory.resolve("registry.json")).load());
    }

    @Test
    void writesAJsonArraySortedByKey() throws IOException {
        Path file = directory.resolve("registry.json");
        new FileRegistry(file).save(List.of(TPM, CONCURRENCY));
        String text = Files.readString(file);
        assertTrue(text.startsWith("["), text);
        assertTrue(text.indexOf("global:llm:x:y:concurrency") < text.indexOf("global:llm:x:y:tpm"), text);
        assertTrue(text.contains("\"status\":\"decreasing\",\"pending_decrease_to\":3,\"revision\":7"), text);
    }

    @Test
    void savesAnEmptyRegistry() throws IOException {
        FileRegistry registry = new FileRegistry(directory.resolve("registry.json"));
        registry.save(List.of(TPM));
        registry.save(List.of());
        assertEquals(List.of(), registry.load());
    }

    @Test
    void aMissingFileIsAnEmptyRegistry() throws IOException {
        assertEquals(List.of(), new FileRegistry(directory.resolve("registry.json")).load());
        assertEquals(List.of(), new FileRegistry(directory.resolve("no/such/dir/registry.json")).load());
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path file = directory.resolve("data/nested/registry.json");
        new FileRegistry(file).save(List.of(TPM));
        assertEquals(List.of(TPM), new FileRegistry(file).load());
    }

    @Test
    void leavesNoTemporaryFileBehind() throws IOException {
        FileRegistry registry = new FileRegistry(directory.resolve("registry.json"));
        for (int i = 0; i < 5; i++) {
            registry.save(List.of(TPM, CONCURRENCY));
        }
        assertEquals(Set.of("registry.json"), namesIn(directory));
    }

    @Test
    void keepsTheOldFileWhenWritingTheTemporaryFileFails() throws IOException {
        Path file = directory.resolve("registry.json");
        new FileRegistry(file).save(List.of(TPM));
        byte[] before = Files.readAllBytes(file);
        FailingFiles files = new FailingFiles();
        files.failWrite = true;
        FileRegistry registry = new FileRegistry(file, files);

        IOException e = assertThrows(IOException.class, () -> registry.save(List.of(TPM, DAILY)));

        assertEquals("injected write failure", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(TPM), registry.load());
        assertEquals(Set.of("registry.json"), namesIn(directory));
    }

    @Test
    void keepsTheOldFileWhenTheRenameFails() throws IOException {
        Path file = directory.resolve("registry.json");
        new FileRegistry(file).save(List.of(TPM));
        byte[] before = Files.readAllBytes(file);
        FailingFiles files = new FailingFiles();
        files.failMove = true;
        FileRegistry registry = new FileRegistry(file, files);

        IOException e = assertThrows(IOException.class, () -> registry.save(List.of(DAILY)));

        assertEquals("injected rename failure", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(Set.of("registry.json"), namesIn(directory));
    }

    @Test
    void failsWhenTheFileSystemRefusesTheRename() throws IOException {
        // No seam: the registry path is a non-empty directory, which rename(2) cannot replace.
        Path file = directory.resolve("registry.json");
        Files.createDirectories(file.resolve("occupied"));

        assertThrows(IOException.class, () -> new FileRegistry(file).save(List.of(TPM)));

        assertTrue(Files.isDirectory(file.resolve("occupied")));
        assertEquals(Set.of("registry.json"), namesIn(directory));
    }

    @Test
    void stillSavesWhenTheFileSystemRefusesToSyncTheDirectory() throws IOException {
        Path file = directory.resolve("registry.json");
        FailingFiles files = new FailingFiles();
        files.failDirectorySync = true;
        FileRegistry registry = new FileRegistry(file, files);

        registry.save(List.of(TPM));
        registry.save(List.of(TPM, DAILY));

        assertEquals(2, files.directorySyncs.get());
        assertEquals(List.of(TPM, DAILY), new FileRegistry(file).load());
    }

    @Test
    void syncsTheTemporaryFileBeforeTheRenameAndTheDirectoryAfter() throws IOException {
        FailingFiles files = new FailingFiles();
        new FileRegistry(directory.resolve("registry.json"), files).save(List.of(TPM));
        assertEquals(List.of("createDirectories", "writeDurably", "moveAtomically", "syncDirectory"), files.steps);
    }

    @Test
    void serialisesConcurrentSavesAndKeepsOneWholeVersion() throws Exception {
        Path file = directory.resolve("registry.json");
        FailingFiles files = new FailingFiles();
        FileRegistry registry = new FileRegistry(file, files);
        int threads = 8;
        int savesPerThread = 10;
        List<List<LimitState>> versions = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            versions.add(List.of(
                    LimitState.created(LimitDefinition.rolling("key:" + t, t + 1, 60)),
                    new LimitState(LimitDefinition.rolling("shared", 100, 60), LimitStatus.ACTIVE, 0, t + 1)));
        }
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<LimitState> version = versions.get(t);
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < savesPerThread; i++) {
                        registry.save(version);
                    }
                } catch (Exception | AssertionError e) {
                    failures.add(e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(60_000);
        }

        assertEquals(List.of(), List.copyOf(failures));
        assertEquals(1, files.mostConcurrentSaves.get(), "saves overlapped");
        assertEquals(threads * savesPerThread, files.directorySyncs.get());
        assertTrue(versions.contains(registry.load()), "the file holds a version that was saved");
        assertEquals(Set.of("registry.json"), namesIn(directory));
    }

    @Test
    void removesTemporaryFilesThatACrashLeftBehind() throws IOException {
        Path file = directory.resolve("registry.json");
        new FileRegistry(file).save(List.of(TPM));
        Files.writeString(directory.resolve(".registry.json.0f1e2d3c.tmp"), "[{\"half\":");
        Files.writeString(directory.resolve("unrelated.tmp"), "keep me");

        assertEquals(List.of(TPM), new FileRegistry(file).load());

        assertEquals(Set.of("registry.json", "unrelated.tmp"), namesIn(directory));
    }

    @Test
    void refusesToSaveADuplicateKeyOrAnInvalidState() throws IOException {
        Path file = directory.resolve("registry.json");
        FileRegistry registry = new FileRegistry(file);
        registry.save(List.of(TPM));
        byte[] before = Files.readAllBytes(file);

        IllegalArgumentException duplicate = assertThrows(
                IllegalArgumentException.class,
                () -> registry.save(List.of(TPM, LimitState.created(LimitDefinition.rolling(TPM.key(), 5, 60)))));
        assertTrue(duplicate.getMessage().contains("key \"global:llm:x:y:tpm\" appears twice"), duplicate.getMessage());
        IllegalArgumentException invalid = assertThrows(
                IllegalArgumentException.class,
                () -> registry.save(List.of(LimitState.created(LimitDefinition.rolling("k", 0, 60)))));
        assertTrue(invalid.getMessage().contains("capacity: must be from 1"), invalid.getMessage());

        assertArrayEquals(before, Files.readAllBytes(file));
    }

    // ---- files the registry refuses --------------------------------------------------------

    @Test
    void refusesABadCapacityNamingTheFileTheEntryAndTheRule() throws IOException {
        Path real = directory.resolve("data/registry.json");
        Files.createDirectories(real.getParent());
        Files.writeString(
                real,
                "[" + state("a", "rolling", 5, 60, 0, "active", 0) + ","
                        + state("b", "rolling", 5, 60, 0, "active", 0) + ","
                        + state("global:llm:x:y:tpm", "rolling", 0, 60, 0, "active", 0) + "]");
        FileRegistry registry = new FileRegistry(real);

        InvalidRegistryException e = assertThrows(InvalidRegistryException.class, registry::load);

        assertEquals(
                "registry " + real + ", entry 2 (key \"global:llm:x:y:tpm\"): capacity: must be from 1 to"
                        + " 9223372036854775807, got 0",
                e.getMessage());
    }

    @Test
    void namesTheFileAsConfigured() {
        assertEquals("registry data/registry.json", new FileRegistry(Path.of("data/registry.json")).describe());
    }

    @Test
    void refusesMalformedJson() throws IOException {
        assertRefused("[{\"definition\": ", "registry " + directory.resolve("registry.json") + ": malformed JSON:");
        assertRefused("", "must be a JSON document, got an empty file");
        assertRefused("  \n", "must be a JSON document, got only whitespace");
        assertRefused("[] []", "unexpected data after the JSON document (line 1, column 4)");
    }

    @Test
    void refusesADocumentThatIsNotAnArray() throws IOException {
        assertRefused("{\"limits\": []}", ": must be a JSON array of limit states, got an object");
    }

    @Test
    void refusesAnEntryOfTheWrongType() throws IOException {
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0) + ", 7]",
                ", entry 1 (no readable key): must be a JSON object, got the number 7");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0).replace("\"capacity\":5", "\"capacity\":\"5\"")
                        + "]",
                ", entry 0 (key \"a\"): definition.capacity: must be an integer, got the string \"5\"");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0).replace("\"capacity\":5", "\"capacity\":1.5") + "]",
                ", entry 0 (key \"a\"): definition.capacity: must be an integer, got the fraction 1.5");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0).replace("\"status\":\"active\"", "\"status\":true")
                        + "]",
                ", entry 0 (key \"a\"): status: must be a string, got the boolean true");
    }

    @Test
    void refusesAnUnknownField() throws IOException {
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0).replace("\"status\"", "\"colour\":1,\"status\"")
                        + "]",
                ", entry 0 (key \"a\"): colour: unknown field");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0).replace("\"key\"", "\"shape\":1,\"key\"") + "]",
                ", entry 0 (key \"a\"): definition.shape: unknown field");
    }

    @Test
    void refusesARepeatedField() throws IOException {
        assertRefused(
                "["
                        + state("a", "rolling", 5, 60, 0, "active", 0)
                                .replace("\"capacity\":5", "\"capacity\":5,\"capacity\":6")
                        + "]",
                ": [0].definition.capacity: repeated field");
    }

    @Test
    void refusesADecreasingEntryWithABadPendingValue() throws IOException {
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "decreasing", 5) + "]",
                ", entry 0 (key \"a\"): pending_decrease_to: must lie between 1 and capacity - 1 while decreasing, got 5");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "decreasing", 0) + "]",
                ", entry 0 (key \"a\"): pending_decrease_to: must lie between 1 and capacity - 1 while decreasing, got 0");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 3) + "]",
                ", entry 0 (key \"a\"): pending_decrease_to: must be 0 while the status is active, got 3");
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "shrinking", 3) + "]",
                ", entry 0 (key \"a\"): status: must be \"active\" or \"decreasing\", got \"shrinking\"");
    }

    @Test
    void refusesABrokenTimingRule() throws IOException {
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 10, "active", 0) + "]",
                ", entry 0 (key \"a\"): timeout_seconds: must be 0 for a rolling limit, got 10");
        assertRefused(
                "[" + state("c", "concurrency", 5, 0, 0, "active", 0) + "]",
                ", entry 0 (key \"c\"): timeout_seconds: must be from 1 to 4294967295 for a concurrency limit, got 0");
    }

    @Test
    void refusesADuplicateKeyAlsoAfterTrimming() throws IOException {
        assertRefused(
                "[" + state("a", "rolling", 5, 60, 0, "active", 0) + "," + state("b", "rolling", 5, 60, 0, "active", 0)
                        + "," + state(" a ", "rolling", 5, 60, 0, "active", 0) + "]",
                ", entry 2 (key \" a \"): key: \"a\" is already defined by entry 0");
    }

    @Test
    void readsAHandEditedFileOutOfOrderAndNormalised() throws IOException {
        Path file = directory.resolve("registry.json");
        Files.writeString(
                file,
                "[" + state(" b ", "ROLLING", 5, 60, 0, "active", 0) + ","
                        + state("a", "Concurrency", 2, 0, 9, "Decreasing", 1) + "]");
        List<LimitState> states = new FileRegistry(file).load();
        assertEquals(
                List.of(
                        new LimitState(LimitDefinition.concurrency("a", 2, 9), LimitStatus.DECREASING, 1, 1),
                        new LimitState(LimitDefinition.rolling("b", 5, 60), LimitStatus.ACTIVE, 0, 1)),
                states);
    }

    private void assertRefused(String content, String expectedPart) throws IOException {
        Path file = directory.resolve("registry.json");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        InvalidRegistryException e = assertThrows(InvalidRegistryException.class, () -> new FileRegistry(file).load());
        assertTrue(e.getMessage().startsWith("registry " + file), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    private static String state(
            String key,
            String kind,
            long capacity,
            long windowSeconds,
            long timeoutSeconds,
            String status,
            long pending) {
        return "{\"definition\":{\"key\":\"" + key + "\",\"kind\":\"" + kind + "\",\"capacity\":" + capacity
                + ",\"window_seconds\":" + windowSeconds + ",\"timeout_seconds\":" + timeoutSeconds
                + "},\"status\":\"" + status + "\",\"pending_decrease_to\":" + pending + "}";
    }

    private static Set<String> namesIn(Path directory) throws IOException {
        try (Stream<Path> paths = Files.list(directory)) {
            return paths.map(path -> path.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        }
    }

    /** The real file system, with failures to inject and a record of the steps and of overlaps. */
    private static final class FailingFiles implements FileRegistry.FileOperations {
        private final FileRegistry.FileOperations real = new FileRegistry.SystemFileOperations();
        final List<String> steps = new ArrayList<>();
        final AtomicInteger directorySyncs = new AtomicInteger();
        final AtomicInteger mostConcurrentSaves = new AtomicInteger();
        private final AtomicInteger savesInFlight = new AtomicInteger();
        volatile boolean failWrite;
        volatile boolean failMove;
        volatile boolean failDirectorySync;

        @Override
        public void createDirectories(Path directory) throws IOException {
            int inFlight = savesInFlight.incrementAndGet();
            mostConcurrentSaves.accumulateAndGet(inFlight, Math::max);
            step("createDirectories");
            real.createDirectories(directory);
        }

        @Override
        public void writeDurably(Path file, byte[] content) throws IOException {
            step("writeDurably");
            if (failWrite) {
                // Leave a half-written temporary file, as a full disk would.
                Files.write(file, new byte[] {'['});
                savesInFlight.decrementAndGet();
                throw new IOException("injected write failure");
            }
            real.writeDurably(file, content);
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            step("moveAtomically");
            if (failMove) {
                savesInFlight.decrementAndGet();
                throw new IOException("injected rename failure");
            }
            real.moveAtomically(source, target);
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
            step("syncDirectory");
            directorySyncs.incrementAndGet();
            savesInFlight.decrementAndGet();
            if (failDirectorySync) {
                throw new IOException("injected: directories cannot be synced here");
            }
            real.syncDirectory(directory);
        }

        @Override
        public void deleteIfExists(Path file) throws IOException {
            real.deleteIfExists(file);
        }

        private synchronized void step(String name) {
            steps.add(name);
        }
    }
}
