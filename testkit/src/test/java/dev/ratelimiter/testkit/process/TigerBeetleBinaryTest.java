package dev.ratelimiter.testkit.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one lookup of the TigerBeetle binary: TB_BIN first, then the PATH, and a typo is an error. */
class TigerBeetleBinaryTest {
    @TempDir
    Path directory;

    @Test
    void takesTbBinFirst() throws IOException {
        Path configured = executable(directory.resolve("configured"));
        Path onPath =
                executable(Files.createDirectories(directory.resolve("bin")).resolve("tigerbeetle"));

        assertEquals(
                Optional.of(configured),
                TigerBeetleBinary.find(Map.of(
                        "TB_BIN",
                        configured.toString(),
                        "PATH",
                        onPath.getParent().toString())));
    }

    @Test
    void findsTigerbeetleOnThePathWithoutTbBin() throws IOException {
        Path onPath =
                executable(Files.createDirectories(directory.resolve("bin")).resolve("tigerbeetle"));

        assertEquals(
                Optional.of(onPath),
                TigerBeetleBinary.find(Map.of("PATH", directory.resolve("empty") + ":" + onPath.getParent())));
    }

    @Test
    void findsNothingWhereThereIsNothing() {
        assertEquals(Optional.empty(), TigerBeetleBinary.find(Map.of("PATH", directory.toString())));
        assertEquals(Optional.empty(), TigerBeetleBinary.find(Map.of()));
        assertTrue(TigerBeetleBinary.SKIP_MESSAGE.contains("set TB_BIN"), TigerBeetleBinary.SKIP_MESSAGE);
    }

    @Test
    void aTbBinThatNamesNoExecutableIsAnErrorNotASkip() throws IOException {
        Path plain = Files.writeString(directory.resolve("not-executable"), "");

        IllegalStateException missing = assertThrows(
                IllegalStateException.class,
                () -> TigerBeetleBinary.find(
                        Map.of("TB_BIN", directory.resolve("missing").toString())));
        IllegalStateException notExecutable = assertThrows(
                IllegalStateException.class, () -> TigerBeetleBinary.find(Map.of("TB_BIN", plain.toString())));

        assertTrue(missing.getMessage().startsWith("TB_BIN="), missing.getMessage());
        assertTrue(notExecutable.getMessage().contains(plain.toString()), notExecutable.getMessage());
    }

    private static Path executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
