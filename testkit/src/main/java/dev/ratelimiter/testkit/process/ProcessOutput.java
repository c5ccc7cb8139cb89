package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The end of a process's output file, for failure messages: what a process that would not start
 * said last. Stateless and thread-safe.
 */
final class ProcessOutput {
    /** How much of the end a message quotes: enough for a stack trace, short enough to read. */
    static final int TAIL_BYTES = 8 * 1024;

    private ProcessOutput() {}

    /** The last {@link #TAIL_BYTES} of {@code file}, with a leading "..." when cut; never throws. */
    static String tail(Path file) {
        if (file == null) {
            return "(never started)";
        }
        if (!Files.exists(file)) {
            return "(no output at " + file + ")";
        }
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            long length = input.length();
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            input.seek(from);
            input.readFully(bytes);
            return (from > 0 ? "...\n" : "") + new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(the output in " + file + " cannot be read: " + e.getMessage() + ")";
        }
    }
}
