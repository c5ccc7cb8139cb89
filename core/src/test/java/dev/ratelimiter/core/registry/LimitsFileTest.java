package dev.ratelimiter.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.core.model.LimitKind;
import dev.ratelimiter.core.model.Overage;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsFileTest {
    @TempDir
    Path directory;

    @Test
    void readsDefinitionsInFileOrderNormalised() throws IOException {
        Path file = write("{\"limits\": [\n"
                + "  {\"key\": \" global:llm:openai:gpt-4o:tpm \", \"kind\": \"ROLLING\", \"capacity\": 30000,"
                + " \"window_seconds\": 60, \"unit\": \" tokens \", \"description\": \"tokens per minute\"},\n"
                + "  {\"key\": \"global:llm:openai:gpt-4o:concurrency\", \"kind\": \"Concurrency\", \"capacity\": 4,"
                + " \"timeout_seconds\": 120, \"overage\": \"DENY\"}\n"
                + "]}\n");
        assertEquals(
                List.of(
                        new LimitDefinition(
                                "global:llm:openai:gpt-4o:tpm",
                                LimitKind.ROLLING,
                                30_000,
                                60,
                                0,
                                "tokens",
                                "tokens per minute",
                                Overage.DEBT),
                        new LimitDefinition(
                                "global:llm:openai:gpt-4o:concurrency",
                                LimitKind.CONCURRENCY,
                                4,
                                0,
                                120,
                                "",
                                "",
                                Overage.DENY)),
                LimitsFile.read(file));
    }

    @Test
    void readsWhatTheCodecWrites() {
        List<LimitDefinition> definitions = List.of(
                LimitDefinition.rolling("a", 5, 60),
                LimitDefinition.concurrency("b", 2, 30).withOverage(Overage.DENY));
        assertEquals(definitions, LimitsFile.parse(new WireCodec().writeLimitDefinitions(definitions), "test"));
    }

    @Test
    void readsAnEmptyList() {
        assertEquals(List.of(), LimitsFile.parse("{\"limits\": []}".getBytes(StandardCharsets.UTF_8), "test"));
    }

    @Test
    void refusesAMissingFile() {
        assertThrows(NoSuchFileException.class, () -> LimitsFile.read(directory.resolve("absent.json")));
    }

    @Test
    void refusesABadCapacityNamingTheFileTheEntryAndTheRule() throws IOException {
        Path file =
                write("{\"limits\": [{\"key\": \"a\", \"kind\": \"rolling\", \"capacity\": 1, \"window_seconds\": 1},"
                        + " {\"key\": \"b\", \"kind\": \"rolling\", \"capacity\": -3, \"window_seconds\": 1}]}");
        assertRefused(
                file,
                "limits file " + file + ", entry 1 (key \"b\"): capacity: must be from 1 to"
                        + " 9223372036854775807, got -3");
    }

    @Test
    void refusesWrongTypesAndUnknownFields() throws IOException {
        assertRefused(
                write("{\"limits\": [{\"key\": \"a\", \"kind\": \"rolling\", \"capacity\": \"1\","
                        + " \"window_seconds\": 1}]}"),
                ", entry 0 (key \"a\"): capacity: must be an integer, got the string \"1\"");
        assertRefused(
                write("{\"limits\": [{\"key\": \"a\", \"kind\": \"rolling\", \"capacity\": 1," + " \"window\": 1}]}"),
                ", entry 0 (key \"a\"): window: unknown field");
        assertRefused(
                write("{\"limits\": [{\"key\": 5, \"kind\": \"rolling\"}]}"),
                ", entry 0 (no readable key): key: must be a string, got the number 5");
        assertRefused(
                write("{\"limits\": [\"a\"]}"), ", entry 0 (no readable key): must be a JSON object, got the string");
        assertRefused(
                write("{\"limits\": [{\"key\": \"a\", \"kind\": \"bucket\", \"capacity\": 1}]}"),
                ", entry 0 (key \"a\"): kind: must be \"rolling\" or \"concurrency\", got \"bucket\"");
    }

    @Test
    void refusesABadEnvelope() throws IOException {
        Path array = write("[]");
        assertRefused(array, "limits file " + array + ": must be a JSON object {\"limits\": [...]}, got an array");
        assertRefused(write("{}"), ": limits: is required");
        assertRefused(write("{\"limits\": [], \"version\": 1}"), ": version: unknown field");
        assertRefused(write("{\"limits\": {}}"), ": limits: must be an array, got an object");
        assertRefused(write("{\"limits\": [}"), ": malformed JSON: ");
    }

    @Test
    void refusesADuplicateKey() throws IOException {
        Path file =
                write("{\"limits\": [{\"key\": \"a\", \"kind\": \"rolling\", \"capacity\": 1, \"window_seconds\": 1},"
                        + " {\"key\": \"a \", \"kind\": \"concurrency\", \"capacity\": 1, \"timeout_seconds\": 1}]}");
        assertRefused(file, "limits file " + file + ", entry 1 (key \"a \"): key: \"a\" is already defined by entry 0");
    }

    private Path write(String content) throws IOException {
        Path file = Files.createTempFile(directory, "limits", ".json");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private static void assertRefused(Path file, String expectedPart) {
        InvalidRegistryException e = assertThrows(InvalidRegistryException.class, () -> LimitsFile.read(file));
        if (!e.getMessage().contains(expectedPart) || !e.getMessage().startsWith("limits file " + file)) {
            assertEquals(expectedPart, e.getMessage());
        }
    }
}
