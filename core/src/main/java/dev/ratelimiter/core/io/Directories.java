package dev.ratelimiter.core.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes a directory's entries (a new file, a rename) durable. Stateless; thread-safe. */
public final class Directories {
    private Directories() {}

    /**
     * Forces {@code directory}'s entries to disk. Returns false when this platform or file system
     * cannot open a directory to force it (some refuse): the caller decides whether that matters.
     *
     * @throws IOException when the force itself fails
     */
    public static boolean force(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
            return true;
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            // Not every platform can fsync a directory; the caller is told so and chooses.
            return false;
        }
    }
}
