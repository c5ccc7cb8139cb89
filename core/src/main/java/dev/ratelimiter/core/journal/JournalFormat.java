package dev.ratelimiter.core.journal;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The on-disk format of segments and snapshots (docs/DECISIONS.md, "The memory backend's journal").
 *
 * <pre>
 * file   := header frame*
 * header := magic:u32 version:u16 zero:u16 number:u64 crc32c(previous 16 bytes):u32     (20 bytes)
 * frame  := length:u32 crc32c(body):u32 body                      (length = body bytes, 1..16 MiB)
 * </pre>
 * A segment's number orders segments; a snapshot's number is the last segment it includes. All
 * integers are big-endian. Bodies are {@link RecordCodec}'s.
 *
 * <p>Stateless; thread-safe.
 */
final class JournalFormat {
    /** "RLJ1": a journal segment. */
    static final int SEGMENT_MAGIC = 0x524C4A31;
    /** "RLS1": a snapshot. */
    static final int SNAPSHOT_MAGIC = 0x524C5331;

    static final short VERSION = 1;
    static final int HEADER_BYTES = 20;
    static final int FRAME_HEADER_BYTES = 8;
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final String SEGMENT_PREFIX = "journal-";
    private static final String SEGMENT_SUFFIX = ".log";
    private static final String SNAPSHOT_PREFIX = "snapshot-";
    private static final String SNAPSHOT_SUFFIX = ".snap";
    static final String TEMPORARY_SUFFIX = ".tmp";

    private JournalFormat() {}

    static String segmentName(long number) {
        return SEGMENT_PREFIX + String.format(Locale.ROOT, "%016d", number) + SEGMENT_SUFFIX;
    }

    static String snapshotName(long number) {
        return SNAPSHOT_PREFIX + String.format(Locale.ROOT, "%016d", number) + SNAPSHOT_SUFFIX;
    }

    static OptionalLong segmentNumber(String fileName) {
        return number(fileName, SEGMENT_PREFIX, SEGMENT_SUFFIX);
    }

    static OptionalLong snapshotNumber(String fileName) {
        return number(fileName, SNAPSHOT_PREFIX, SNAPSHOT_SUFFIX);
    }

    private static OptionalLong number(String fileName, String prefix, String suffix) {
        if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix)) {
            return OptionalLong.empty();
        }
        String digits = fileName.substring(prefix.length(), fileName.length() - suffix.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(digits));
    }

    static ByteBuffer header(int magic, long number) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(magic).putShort(VERSION).putShort((short) 0).putLong(number);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 16);
        header.putInt((int) crc.getValue());
        return header.flip();
    }

    /**
     * What reading a file found: {@code validBytes} up to the end of the last whole record; beyond it
     * either a torn record ({@code tornTail}) or zeros written ahead (the last segment only).
     */
    record ReadResult(long records, long validBytes, boolean tornTail, long fileBytes) {}

    /**
     * Reads every record of a file in order.
     *
     * @param mayBeTorn whether the file is the last one written, whose last record a crash may have
     *     cut: then an incomplete last record is reported as {@link ReadResult#tornTail()}; anywhere
     *     else it is damage
     * @throws JournalDamagedException naming the file and offset of any other damage
     */
    static ReadResult read(Path file, int magic, long expectedNumber, boolean mayBeTorn, Consumer<JournalRecord> sink)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                if (mayBeTorn && allZero(channel, 0, size)) {
                    return new ReadResult(0, 0, true, size);
                }
                throw new JournalDamagedException(file, 0, "shorter than its " + HEADER_BYTES + "-byte header");
            }
            if (size > Integer.MAX_VALUE) {
                throw new JournalDamagedException(file, 0, "larger than 2 GiB, which this version never writes");
            }
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            checkHeader(file, bytes, magic, expectedNumber, mayBeTorn);
            return readFrames(file, bytes, mayBeTorn, sink);
        }
    }

    private static void checkHeader(Path file, ByteBuffer bytes, int magic, long expectedNumber, boolean mayBeTorn)
            throws JournalDamagedException {
        int actualMagic = bytes.getInt(0);
        if (actualMagic != magic) {
            throw new JournalDamagedException(
                    file,
                    0,
                    String.format(Locale.ROOT, "bad magic number 0x%08x, expected 0x%08x", actualMagic, magic));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate().position(0).limit(16));
        if ((int) crc.getValue() != bytes.getInt(16)) {
            throw new JournalDamagedException(file, 16, "header checksum mismatch");
        }
        short version = bytes.getShort(4);
        if (version != VERSION) {
            throw new JournalDamagedException(file, 4, "format version " + version + ", this server reads " + VERSION);
        }
        long number = bytes.getLong(8);
        if (number != expectedNumber) {
            throw new JournalDamagedException(
                    file, 8, "header says number " + number + " but the name says " + expectedNumber);
        }
    }

    private static ReadResult readFrames(Path file, ByteBuffer bytes, boolean mayBeTorn, Consumer<JournalRecord> sink)
            throws JournalDamagedException {
        int size = bytes.limit();
        int offset = HEADER_BYTES;
        long records = 0;
        CRC32C crc = new CRC32C();
        while (offset < size) {
            int remaining = size - offset;
            if (mayBeTorn && bytes.get(offset) == 0 && allZero(bytes, offset, size)) {
                // Space the writer filled with zeros ahead of its records (a record never starts
                // with a zero byte: its length is at least 1 and below 2^24): the end of the data.
                return new ReadResult(records, offset, false, size);
            }
            if (remaining < FRAME_HEADER_BYTES) {
                return torn(file, offset, size, records, mayBeTorn, "an incomplete record header");
            }
            int length = bytes.getInt(offset);
            if (length < 1 || length > MAX_BODY_BYTES) {
                throw new JournalDamagedException(
                        file, offset, "record length " + length + " is outside 1.." + MAX_BODY_BYTES);
            }
            if (length > remaining - FRAME_HEADER_BYTES) {
                return torn(file, offset, size, records, mayBeTorn, "a record cut short");
            }
            int bodyAt = offset + FRAME_HEADER_BYTES;
            int end = bodyAt + length;
            crc.reset();
            crc.update(bytes.duplicate().position(bodyAt).limit(end));
            if ((int) crc.getValue() != bytes.getInt(offset + 4)) {
                if (mayBeTorn && (end == size || allZero(bytes, end, size))) {
                    // The last record, with nothing but its own bytes after the previous one: the
                    // write it was part of never completed.
                    return new ReadResult(records, offset, true, size);
                }
                throw new JournalDamagedException(file, offset, "record checksum mismatch");
            }
            JournalRecord record;
            try {
                record = RecordCodec.decode(
                        bytes.duplicate().position(bodyAt).limit(end).slice());
            } catch (IllegalArgumentException e) {
                throw new JournalDamagedException(file, offset, "record does not decode: " + e.getMessage());
            }
            sink.accept(record);
            records++;
            offset = end;
        }
        return new ReadResult(records, offset, false, size);
    }

    private static ReadResult torn(Path file, int offset, int size, long records, boolean mayBeTorn, String what)
            throws JournalDamagedException {
        if (!mayBeTorn) {
            throw new JournalDamagedException(file, offset, what + " in a file that was complete");
        }
        return new ReadResult(records, offset, true, size);
    }

    private static boolean allZero(ByteBuffer bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(FileChannel channel, long from, long to) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate((int) (to - from));
        channel.read(bytes, from);
        return allZero(bytes.flip(), 0, bytes.limit());
    }

    /**
     * A growable buffer of framed records, reused by one writer thread for every batch. Not
     * thread-safe.
     */
    static final class FrameBuffer {
        private ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final CRC32C crc = new CRC32C();

        void clear() {
            buffer.clear();
        }

        /** Appends one framed record. */
        void add(JournalRecord record) {
            int start = buffer.position();
            while (true) {
                if (buffer.capacity() - start <= FRAME_HEADER_BYTES) {
                    grow(start);
                    continue;
                }
                try {
                    buffer.position(start + FRAME_HEADER_BYTES);
                    RecordCodec.encode(record, buffer);
                    break;
                } catch (BufferOverflowException e) {
                    // Only the record being added is lost; it is encoded again into a larger buffer.
                    grow(start);
                }
            }
            int end = buffer.position();
            int length = end - start - FRAME_HEADER_BYTES;
            if (length > MAX_BODY_BYTES) {
                throw new IllegalArgumentException(
                        "a journal record of " + length + " bytes exceeds " + MAX_BODY_BYTES);
            }
            crc.reset();
            crc.update(buffer.array(), start + FRAME_HEADER_BYTES, length);
            buffer.putInt(start, length);
            buffer.putInt(start + 4, (int) crc.getValue());
        }

        int size() {
            return buffer.position();
        }

        /** The framed records added since {@link #clear()}, as a new read-only view. */
        ByteBuffer bytes() {
            return buffer.duplicate().flip();
        }

        private void grow(int keep) {
            ByteBuffer larger = ByteBuffer.allocate(Math.multiplyExact(buffer.capacity(), 2));
            larger.put(buffer.array(), 0, keep);
            buffer = larger;
        }
    }
}
