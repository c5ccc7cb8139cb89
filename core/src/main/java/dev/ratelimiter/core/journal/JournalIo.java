package dev.ratelimiter.core.journal;

import dev.ratelimiter.core.io.Directories;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every write the journal makes goes through this seam: appends to segment and snapshot files, their
 * fsyncs, the rename that publishes a snapshot, deletes and truncation. Production uses
 * {@link #files()}; tests wrap it to fail on demand (a full disk, an I/O error) and to count fsyncs.
 * Reading at start uses the file system directly: a read that fails stops the start anyway.
 *
 * <p>Implementations must be thread-safe: the journal's writer and its compactor call them from
 * their own threads.
 */
public interface JournalIo {

    /** Creates {@code file}, which must not exist, for appending, and makes its directory entry durable. */
    AppendChannel create(Path file) throws IOException;

    /** Renames {@code temporary} over {@code target} atomically, then makes the directory durable. */
    void publish(Path temporary, Path target) throws IOException;

    /** Deletes {@code file} if it exists. */
    void delete(Path file) throws IOException;

    /** Cuts {@code file} to {@code size} bytes and fsyncs it (drops a torn last record). */
    void truncate(Path file, long size) throws IOException;

    /** The real file system. */
    static JournalIo files() {
        return FileJournalIo.INSTANCE;
    }

    /** A file being appended to; used by one thread at a time. */
    interface AppendChannel extends Closeable {
        /** Writes every remaining byte of {@code bytes} at {@code position}. */
        void write(ByteBuffer bytes, long position) throws IOException;

        /** fsync: returns once everything written is on stable storage. */
        void force() throws IOException;

        /** Cuts the file to {@code size} bytes (drops space written ahead and never used). */
        void truncate(long size) throws IOException;
    }

    /** {@link JournalIo} on {@link FileChannel}. Stateless; thread-safe. */
    final class FileJournalIo implements JournalIo {
        static final FileJournalIo INSTANCE = new FileJournalIo();

        private FileJournalIo() {}

        @Override
        public AppendChannel create(Path file) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                // A platform that cannot fsync a directory still has the file's own fsync for its data.
                Directories.force(file.toAbsolutePath().getParent());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new AppendChannel() {
                @Override
                public void write(ByteBuffer bytes, long position) throws IOException {
                    long at = position;
                    while (bytes.hasRemaining()) {
                        at += channel.write(bytes, at);
                    }
                }

                @Override
                public void force() throws IOException {
                    // The data and the file's length: without the length a reader after a crash
                    // would not see the appended records.
                    channel.force(false);
                }

                @Override
                public void truncate(long size) throws IOException {
                    channel.truncate(size);
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                }
            };
        }

        @Override
        public void publish(Path temporary, Path target) throws IOException {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Directories.force(target.toAbsolutePath().getParent());
        }

        @Override
        public void delete(Path file) throws IOException {
            Files.deleteIfExists(file);
        }

        @Override
        public void truncate(Path file, long size) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(size);
                channel.force(true);
            }
        }
    }
}
