package dev.ratelimiter.core.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.journal.JournalRecord.Completed;
import dev.ratelimiter.core.journal.JournalRecord.Debt;
import dev.ratelimiter.core.journal.JournalRecord.Denied;
import dev.ratelimiter.core.journal.JournalRecord.HeldAmount;
import dev.ratelimiter.core.journal.JournalRecord.KeyAmount;
import dev.ratelimiter.core.journal.JournalRecord.OrphanHold;
import dev.ratelimiter.core.journal.JournalRecord.Reserved;
import dev.ratelimiter.core.journal.JournalRecord.Tombstone;
import dev.ratelimiter.core.time.ManualClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk format: records come back as written; a torn tail is dropped; other damage stops the start. */
class JournalFormatTest {
    private static final long NOW_MILLIS = 1_700_000_000_000L;
    private static final Reserved RESERVED = new Reserved(
            "lease-1",
            NOW_MILLIS,
            List.of(
                    new HeldAmount("global:llm:openai:gpt-4o:tpm", 1200, NOW_MILLIS + 60_000, false),
                    new HeldAmount("global:llm:openai:gpt-4o:concurrency", 1, NOW_MILLIS + 30_000, true)));
    private static final List<JournalRecord> EVERY_TYPE = List.of(
            RESERVED,
            new Completed("lease-1", List.of(830L, 0L), List.of(new KeyAmount("tenant:é:llm:daily_tokens", 7))),
            new Denied("lease-2", 150, NOW_MILLIS + 60_000),
            new Tombstone("lease-3"),
            new OrphanHold("k", 5, NOW_MILLIS + 1_000),
            new Debt("k", Long.MAX_VALUE));

    private final ManualClock clock = new ManualClock(NOW_MILLIS);

    @TempDir
    Path directory;

    @Test
    void everyRecordTypeReadsBackAsWritten() throws IOException {
        write(EVERY_TYPE);
        assertEquals(EVERY_TYPE, records(segment(1)));
    }

    @Test
    void aTornLastRecordIsDroppedAndEverythingBeforeItKept() throws IOException {
        write(List.of(RESERVED, new Denied("lease-2", 150, NOW_MILLIS + 60_000), new Tombstone("lease-3")));
        long size = Files.size(segment(1));
        try (RandomAccessFile file = new RandomAccessFile(segment(1).toFile(), "rw")) {
            file.setLength(size - 3);
        }

        Book book = reopen();

        assertEquals(
                List.of("lease-1"),
                book.liveLeases().stream().map(Reserved::leaseId).toList());
        assertEquals(
                List.of("lease-2"), book.denials().stream().map(Denied::leaseId).toList());
        assertEquals(List.of(), List.copyOf(book.tombstones()), "the torn record is gone");
        assertEquals(2, records(segment(1)).size(), "the file was cut back to its last whole record");
        // The cut segment is no longer the last one, so it must now read as complete.
        assertEquals(1, reopen().liveLeases().size());
    }

    @Test
    void zerosWrittenAheadOfTheLastRecordEndTheDataQuietly() throws IOException {
        write(List.of(RESERVED));
        try (RandomAccessFile file = new RandomAccessFile(segment(1).toFile(), "rw")) {
            file.setLength(file.length() + 4096);
        }
        assertEquals(1, reopen().liveLeases().size());
    }

    @Test
    void aChecksumMismatchWithRecordsBehindItStopsTheStartNamingFileAndOffset() throws IOException {
        write(List.of(RESERVED, new Tombstone("lease-3"), new Tombstone("lease-4")));
        int firstBodyByte = JournalFormat.HEADER_BYTES + JournalFormat.FRAME_HEADER_BYTES + 3;
        flipByte(segment(1), firstBodyByte);

        JournalDamagedException damage = assertThrows(JournalDamagedException.class, this::reopen);

        assertEquals(segment(1), damage.file());
        assertEquals(JournalFormat.HEADER_BYTES, damage.offset());
        assertTrue(damage.getMessage().contains("byte offset " + JournalFormat.HEADER_BYTES), damage.getMessage());
        assertTrue(damage.getMessage().contains("checksum"), damage.getMessage());
    }

    @Test
    void aBadMagicNumberStopsTheStartAtOffsetZero() throws IOException {
        write(List.of(RESERVED));
        flipByte(segment(1), 0);

        JournalDamagedException damage = assertThrows(JournalDamagedException.class, this::reopen);

        assertEquals(0, damage.offset());
        assertTrue(damage.getMessage().contains("magic"), damage.getMessage());
    }

    @Test
    void aMissingSegmentStopsTheStart() throws IOException {
        writeSegment(1, List.of(RESERVED));
        writeSegment(3, List.of(new Tombstone("lease-4")));

        JournalDamagedException damage = assertThrows(JournalDamagedException.class, this::reopen);

        assertTrue(damage.getMessage().contains("segment 2 is missing"), damage.getMessage());
    }

    @Test
    void aDamagedSegmentThatIsNotTheLastIsNeverReadAsTorn() throws IOException {
        writeSegment(1, List.of(RESERVED, new Tombstone("lease-3")));
        writeSegment(2, List.of(new Tombstone("lease-4")));
        long size = Files.size(segment(1));
        try (RandomAccessFile file = new RandomAccessFile(segment(1).toFile(), "rw")) {
            file.setLength(size - 3);
        }

        JournalDamagedException damage = assertThrows(JournalDamagedException.class, this::reopen);

        assertEquals(segment(1), damage.file());
    }

    /** Opens a journal on the directory, appends {@code records}, waits until they are durable, closes it. */
    private void write(List<JournalRecord> records) throws IOException {
        try (Journal journal =
                Journal.open(JournalSettings.of(directory), JournalIo.files(), clock, 100, record -> {})) {
            long last = 0;
            for (JournalRecord record : records) {
                last = journal.append(record);
            }
            journal.awaitDurable(last);
        }
    }

    /**
     * Writes a segment file directly: a journal opened on the directory would compact closed
     * segments into a snapshot in the background, and these tests need the segments as they are.
     */
    private void writeSegment(long number, List<JournalRecord> records) throws IOException {
        JournalFormat.FrameBuffer frames = new JournalFormat.FrameBuffer();
        records.forEach(frames::add);
        try (var channel = JournalIo.files().create(segment(number))) {
            channel.write(JournalFormat.header(JournalFormat.SEGMENT_MAGIC, number), 0);
            channel.write(frames.bytes(), JournalFormat.HEADER_BYTES);
        }
    }

    private Book reopen() throws IOException {
        Book book = new Book(100);
        // Opening reads the journal back into the book; the journal itself is not needed after that.
        Journal.open(JournalSettings.of(directory), JournalIo.files(), clock, 100, book::apply)
                .close();
        return book;
    }

    private Path segment(long number) {
        return directory.resolve(JournalFormat.segmentName(number));
    }

    private static List<JournalRecord> records(Path segment) throws IOException {
        List<JournalRecord> records = new ArrayList<>();
        JournalFormat.read(
                segment,
                JournalFormat.SEGMENT_MAGIC,
                JournalFormat.segmentNumber(segment.getFileName().toString()).orElseThrow(),
                false,
                records::add);
        return records;
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int value = raf.read();
            raf.seek(offset);
            raf.write(value ^ 0xFF);
        }
    }
}
