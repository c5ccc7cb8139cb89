package dev.ratelimiter.core.journal;

import dev.ratelimiter.core.journal.JournalRecord.SnapshotEnd;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the books back at start: the newest snapshot, then every segment after it in order. A torn
 * last record of the last segment is cut off with one log line (it was never acknowledged: its
 * callers wait for the fsync that did not happen); any other damage stops the start.
 *
 * <p>Also cleans up what a crash mid-compaction leaves: temporary files, older snapshots and
 * segments the newest snapshot already includes.
 *
 * <p>Stateless; called by one thread.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /**
     * What recovery found.
     *
     * @param snapshotThrough the last segment the loaded snapshot includes (0: no snapshot)
     * @param lastSegment the last segment read (0: none; then equal to {@code snapshotThrough} or 0)
     */
    record Result(long snapshotThrough, long lastSegment, long records, String summary) {}

    private Recovery() {}

    /** Reads every record, in order, into {@code replay}. */
    static Result run(Path directory, JournalIo io, Consumer<JournalRecord> replay) throws IOException {
        TreeSet<Long> snapshots = new TreeSet<>();
        TreeSet<Long> segments = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(JournalFormat.TEMPORARY_SUFFIX)) {
                    // A snapshot a crash interrupted before it was published: never part of the books.
                    io.delete(file);
                    continue;
                }
                OptionalLong snapshot = JournalFormat.snapshotNumber(name);
                OptionalLong segment = JournalFormat.segmentNumber(name);
                snapshot.ifPresent(snapshots::add);
                segment.ifPresent(segments::add);
            }
        }
        long snapshotThrough = 0;
        long records = 0;
        if (!snapshots.isEmpty()) {
            snapshotThrough = snapshots.last();
            records += readSnapshot(
                    directory.resolve(JournalFormat.snapshotName(snapshotThrough)), snapshotThrough, replay);
            for (long older : snapshots.headSet(snapshotThrough)) {
                io.delete(directory.resolve(JournalFormat.snapshotName(older)));
            }
        }
        for (long included : new ArrayList<>(segments.headSet(snapshotThrough, true))) {
            // Left over by a crash between publishing a snapshot and deleting what it includes.
            io.delete(directory.resolve(JournalFormat.segmentName(included)));
            segments.remove(included);
        }
        List<Long> tail = new ArrayList<>(segments);
        long expected = snapshotThrough + 1;
        long lastSegment = snapshotThrough;
        String torn = "";
        for (int i = 0; i < tail.size(); i++) {
            long number = tail.get(i);
            Path file = directory.resolve(JournalFormat.segmentName(number));
            if (number != expected) {
                throw new JournalDamagedException(
                        directory.resolve(JournalFormat.segmentName(expected)),
                        0,
                        "segment " + expected + " is missing (found " + number + " after it)");
            }
            expected++;
            boolean last = i == tail.size() - 1;
            JournalFormat.ReadResult read = JournalFormat.read(file, JournalFormat.SEGMENT_MAGIC, number, last, replay);
            records += read.records();
            lastSegment = number;
            if (read.tornTail()) {
                torn = dropTornTail(io, file, read);
                if (read.validBytes() == 0) {
                    lastSegment = number - 1;
                }
            } else if (read.validBytes() < read.fileBytes()) {
                // Zeros the writer wrote ahead and never used: cut, so the segment reads as complete
                // once it is no longer the last one.
                io.truncate(file, read.validBytes());
            }
        }
        String summary = "snapshot through segment " + snapshotThrough + ", segments " + (snapshotThrough + 1) + ".."
                + lastSegment + ", " + records + " records" + torn;
        return new Result(snapshotThrough, lastSegment, records, summary);
    }

    /** Reads a snapshot's records into {@code sink} (its end record checked, not passed on); returns its record count. */
    static long readSnapshot(Path file, long number, Consumer<JournalRecord> sink) throws IOException {
        long[] seen = new long[1];
        boolean[] ended = new boolean[1];
        JournalFormat.ReadResult read;
        try {
            read = JournalFormat.read(file, JournalFormat.SNAPSHOT_MAGIC, number, false, record -> {
                if (ended[0]) {
                    throw new IllegalStateException("a record follows the snapshot's end record");
                }
                if (record instanceof SnapshotEnd end) {
                    ended[0] = true;
                    if (end.recordCount() != seen[0]) {
                        throw new IllegalStateException(
                                "the end record counts " + end.recordCount() + " records, the file holds " + seen[0]);
                    }
                    return;
                }
                seen[0]++;
                sink.accept(record);
            });
        } catch (IllegalStateException e) {
            throw new JournalDamagedException(file, Files.size(file), e.getMessage());
        }
        if (!ended[0]) {
            throw new JournalDamagedException(file, read.validBytes(), "the snapshot has no end record");
        }
        return read.records();
    }

    private static String dropTornTail(JournalIo io, Path file, JournalFormat.ReadResult read) throws IOException {
        long cut = read.fileBytes() - read.validBytes();
        if (read.validBytes() == 0) {
            // Not even the header made it: the segment was created just before the crash.
            io.delete(file);
        } else {
            io.truncate(file, read.validBytes());
        }
        LOG.warn("journal: dropped a torn last record of " + file.toAbsolutePath() + " at byte offset "
                + read.validBytes() + " (" + cut + " bytes); it was never acknowledged");
        return "; dropped a torn tail of " + cut + " bytes";
    }
}
