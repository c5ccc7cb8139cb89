package dev.ratelimiter.core.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real file system behind switches that make writes fail on demand (a full disk, an I/O error,
 * a read-only directory) and counters of fsyncs and writes. Shared by the journal's tests and the
 * suites of other modules (core's test-jar).
 *
 * <p>Thread-safe: the switches and counters are atomics.
 */
public final class FaultyIo implements JournalIo {
    private final JournalIo files = JournalIo.files();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicLong forces = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    /** From now on every write, fsync, create and rename fails with "No space left on device"; false heals it. */
    public void failing(boolean fail) {
        failing.set(fail);
    }

    public long forceCount() {
        return forces.get();
    }

    public long writeCount() {
        return writes.get();
    }

    @Override
    public AppendChannel create(Path file) throws IOException {
        check();
        AppendChannel channel = files.create(file);
        return new AppendChannel() {
            @Override
            public void write(ByteBuffer bytes, long position) throws IOException {
                check();
                writes.incrementAndGet();
                channel.write(bytes, position);
            }

            @Override
            public void force() throws IOException {
                check();
                forces.incrementAndGet();
                channel.force();
            }

            @Override
            public void truncate(long size) throws IOException {
                check();
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
        check();
        files.publish(temporary, target);
    }

    @Override
    public void delete(Path file) throws IOException {
        files.delete(file);
    }

    @Override
    public void truncate(Path file, long size) throws IOException {
        check();
        files.truncate(file, size);
    }

    private void check() throws IOException {
        if (failing.get()) {
            throw new IOException("No space left on device (injected)");
        }
    }
}
