package dev.ratelimiter.core.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A journal or snapshot file is damaged somewhere other than a torn last record: a bad magic number,
 * a checksum mismatch with more data behind it, a record that does not decode, a missing segment.
 * Starting on such books could admit more than a limit allows, so the start stops and says where.
 */
public final class JournalDamagedException extends IOException {
    private final Path file;
    private final long offset;

    public JournalDamagedException(Path file, long offset, String reason) {
        super("journal file " + file.toAbsolutePath() + " is damaged at byte offset " + offset + ": " + reason
                + " (move the journal directory aside to start without the books it holds)");
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
