package dev.ratelimiter.core.journal;

import dev.ratelimiter.core.backend.BackendException;
import dev.ratelimiter.core.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory backend's journal: records appended by any thread, written and fsynced by one writer
 * thread in batches (group commit), folded into a snapshot by a compactor thread, read back by
 * {@link #open}.
 *
 * <h2>Group commit</h2>
 * {@link #append} queues a record and returns its sequence number at once. The writer takes every
 * queued record, writes them with one positional write and makes them durable with one fsync, then
 * publishes the highest sequence number written ({@link #durable}). Callers that must not answer
 * before their record is durable wait for their number ({@link #awaitDurable}, or the future of
 * {@link #durable}); records that arrive while a batch is being written go into the next one, so
 * concurrent calls share one fsync and durability costs about one fsync of latency, not throughput.
 *
 * <h2>Failure</h2>
 * When a write or fsync fails, the writer fails the batch's waiters with {@link BackendException}
 * (they answer {@code backend_error}: nothing unjournaled is acknowledged), keeps the records (they
 * are in the backend's memory already) and writes them again, at the same file position, with a
 * bounded backoff until the disk takes them; meanwhile {@link #ensureWritable} refuses new calls
 * before they change anything and {@link #isHealthy} is false. Both recover by themselves once a
 * write succeeds. A write that takes longer than the durable timeout also counts as unhealthy, and its
 * waiters time out.
 *
 * <h2>Snapshots and compaction</h2>
 * The writer closes a segment once it reaches {@link JournalSettings#segmentBytesMax()} or has held
 * records for {@link JournalSettings#compactIntervalMillis()}. The compactor then folds the last
 * snapshot and the closed segments into a {@link Book}, drops what has expired, writes it as a new
 * snapshot (temporary file, fsync, atomic rename, directory fsync) and deletes what it includes. It
 * reads files only, never the backend's memory, so it takes no lock the request path takes. Disk use
 * is therefore the live state, plus at most the closed segments waiting for the compactor and the
 * active one.
 *
 * <h2>Thread-safety</h2>
 * {@link #append}, {@link #durable}, {@link #awaitDurable}, {@link #ensureWritable} and
 * {@link #isHealthy} may be called from any thread. {@code lock} guards the queue ({@code pending},
 * {@code nextSeq}), the futures of the queued and in-flight batches and {@code compactThrough};
 * {@code durableSeq}, {@code failure}, {@code writeStartedNanos} and the counters are volatile and
 * written by the writer thread only. The segment being written and its position belong to the
 * writer thread; {@code snapshotThrough} to the compactor thread (after {@link #open}). Lock order:
 * a caller may hold the memory backend's lease monitor while it appends; {@code lock} is a leaf.
 */
public final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** How long an idle writer sleeps before it looks at the segment's age again. */
    private static final long WRITER_IDLE_MILLIS = 200;

    private static final long RETRY_BACKOFF_MIN_MILLIS = 10;
    private static final long RETRY_BACKOFF_MAX_MILLIS = 1_000;
    private static final long COMPACT_RETRY_MILLIS = 10_000;
    /**
     * How long the compactor leaves the segments read at start alone: folding them re-reads the books
     * and would compete for the cores with the first requests.
     */
    private static final long COMPACT_AFTER_START_MILLIS = 30_000;

    private static final long CLOSE_TIMEOUT_MILLIS = 5_000;
    /** Snapshot bytes buffered before they are written. */
    private static final int SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
    /**
     * How far ahead of its records the writer fills a segment with zeros. An fsync after a write
     * that grows the file must also commit the file system's metadata (the new size, new blocks);
     * one into space already written does not: measured here, 110 us instead of 270 to 550 us.
     */
    private static final int WRITE_AHEAD_BYTES = 4 * 1024 * 1024;

    private static final ByteBuffer ZEROS =
            ByteBuffer.allocateDirect(WRITE_AHEAD_BYTES).asReadOnlyBuffer();

    private final JournalSettings settings;
    private final JournalIo io;
    private final Clock clock;
    private final int maxFinished;
    private final Path directory;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition compactWork = lock.newCondition();
    /** Guarded by lock. */
    private ArrayList<JournalRecord> pending = new ArrayList<>();
    /** Guarded by lock: the sequence number the next record gets. */
    private long nextSeq = 1;
    /** Guarded by lock: completed when the queued records are durable; null until someone waits. */
    private CompletableFuture<Void> pendingDurable;
    /** Guarded by lock: the same for the batch being written, and its last sequence number. */
    private CompletableFuture<Void> inFlightDurable;

    private long inFlightLastSeq;
    /** Guarded by lock. */
    private boolean closing;
    /** Guarded by lock: the last closed segment the compactor should fold in. */
    private long compactThrough;
    /** The last segment read at start (fixed by open): the compactor leaves those alone for a while. */
    private long startSegmentsThrough;

    private volatile long durableSeq;
    private volatile int pendingCount;
    private volatile String failure;
    private volatile long writeStartedNanos;
    private volatile long syncs;
    private volatile long batches;
    private volatile long recordsWritten;
    private volatile long bytesWritten;

    /** Writer thread only. */
    private JournalIo.AppendChannel segment;

    private long segmentNumber;
    private long position;
    private long segmentOpenedAtMillis;
    /** Writer thread only: where the zeros written ahead of the records end. */
    private long writtenAheadTo;

    private final JournalFormat.FrameBuffer frames = new JournalFormat.FrameBuffer();

    /** Compactor thread only, after open. */
    private long snapshotThrough;

    private final Thread writer;
    private final Thread compactor;

    private Journal(JournalSettings settings, JournalIo io, Clock clock, int maxFinished) {
        this.settings = settings;
        this.io = io;
        this.clock = clock;
        this.maxFinished = maxFinished;
        this.directory = settings.directory();
        this.writer = new Thread(this::writeLoop, "ratelimiter-journal-writer");
        this.compactor = new Thread(this::compactLoop, "ratelimiter-journal-compactor");
        writer.setDaemon(true);
        compactor.setDaemon(true);
    }

    /**
     * Reads the books in {@code settings.directory()} back (creating the directory if needed): every
     * record, in order, to {@code replay}, which folds them into its state (the newest snapshot's
     * records first, then those of every later segment; what has expired is the caller's to drop).
     * Then opens a new segment and starts the writer and the compactor.
     *
     * @param maxFinished the backend's bound on tombstones and, separately, denials (for snapshots)
     * @throws JournalDamagedException when a file is damaged other than by a torn last record
     * @throws IOException when the directory cannot be read or the new segment cannot be created
     */
    public static Journal open(
            JournalSettings settings, JournalIo io, Clock clock, int maxFinished, Consumer<JournalRecord> replay)
            throws IOException {
        Objects.requireNonNull(settings, "settings");
        Journal journal = new Journal(
                settings, Objects.requireNonNull(io, "io"), Objects.requireNonNull(clock, "clock"), maxFinished);
        Files.createDirectories(settings.directory());
        long startNanos = System.nanoTime();
        Recovery.Result result = Recovery.run(settings.directory(), io, Objects.requireNonNull(replay, "replay"));
        journal.snapshotThrough = result.snapshotThrough();
        journal.openSegment(Math.max(result.lastSegment(), result.snapshotThrough()) + 1);
        journal.compactThrough = journal.segmentNumber - 1;
        journal.startSegmentsThrough = journal.compactThrough;
        LOG.info("journal " + settings.directory().toAbsolutePath() + " read in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms: " + result.summary()
                + (settings.fsync() ? "" : "; fsync is OFF (unsafe, for tests and benchmarks only)"));
        journal.writer.start();
        journal.compactor.start();
        return journal;
    }

    public JournalSettings settings() {
        return settings;
    }

    /**
     * Refuses a call before it changes anything when the journal cannot take its record: closed,
     * failing, stuck in a write, or over its queue bound.
     *
     * @throws BackendException saying why
     */
    public void ensureWritable() {
        String reason = unwritableReason();
        if (reason != null) {
            throw new BackendException(reason);
        }
    }

    /** Whether records are being written: false while writes fail or one takes longer than the timeout. */
    public boolean isHealthy() {
        return failure == null && !writeStuck();
    }

    /** Queues a record and returns its sequence number; never waits for I/O. */
    public long append(JournalRecord record) {
        lock.lock();
        try {
            if (closing) {
                throw new BackendException("the journal is closed");
            }
            pending.add(record);
            pendingCount++;
            if (pending.size() == 1) {
                work.signal();
            }
            return nextSeq++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Completes when record {@code seq} is durable, or fails with a {@link BackendException} when its
     * write failed or did not finish within the durable timeout. Already complete for a durable
     * record, and for 0 (nothing to wait for).
     */
    public CompletableFuture<Void> durable(long seq) {
        if (seq <= durableSeq) {
            return DONE;
        }
        lock.lock();
        try {
            if (seq <= durableSeq) {
                return DONE;
            }
            if (seq >= nextSeq) {
                throw new IllegalArgumentException("record " + seq + " was never appended");
            }
            if (inFlightLastSeq >= seq && writeStartedNanos != 0) {
                if (inFlightDurable == null) {
                    inFlightDurable = timed(new CompletableFuture<>());
                }
                return inFlightDurable;
            }
            if (pendingDurable == null) {
                pendingDurable = timed(new CompletableFuture<>());
            }
            return pendingDurable;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until record {@code seq} is durable.
     *
     * @throws BackendException when it failed or did not become durable within the durable timeout
     */
    public void awaitDurable(long seq) {
        if (seq <= durableSeq) {
            return;
        }
        CompletableFuture<Void> future = durable(seq);
        try {
            // The future times out by itself; the bound here only guards against a bug in that.
            future.get(2 * settings.durableTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        } catch (TimeoutException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting for the journal");
        }
    }

    /** The typed failure for a durability future that completed exceptionally. */
    public static BackendException failure(Throwable cause) {
        Throwable root = cause;
        while (root instanceof java.util.concurrent.CompletionException && root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof BackendException backendException) {
            return backendException;
        }
        if (root instanceof TimeoutException) {
            return new BackendException("the journal did not make the record durable in time", root);
        }
        return new BackendException("the journal failed: " + root, root);
    }

    /** fsyncs of batches so far (for measurements: fsyncs per call). */
    public long syncCount() {
        return syncs;
    }

    /** Batches written so far. */
    public long batchCount() {
        return batches;
    }

    /** Records written so far. */
    public long recordCount() {
        return recordsWritten;
    }

    /** Bytes of records written to segments so far (snapshots not included). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * Writes what is queued, stops the writer and the compactor (each within a bound) and closes the
     * segment. Callers still waiting get a {@link BackendException}. Safe to call twice.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            work.signalAll();
            compactWork.signalAll();
        } finally {
            lock.unlock();
        }
        join(writer);
        join(compactor);
        lock.lock();
        try {
            BackendException closed = new BackendException("the journal is closed");
            if (pendingDurable != null) {
                pendingDurable.completeExceptionally(closed);
            }
            if (inFlightDurable != null) {
                inFlightDurable.completeExceptionally(closed);
            }
        } finally {
            lock.unlock();
        }
    }

    private String unwritableReason() {
        String failed = failure;
        if (failed != null) {
            return "the journal cannot be written: " + failed;
        }
        if (writeStuck()) {
            return "a journal write has not finished within " + settings.durableTimeoutMillis() + " ms";
        }
        if (pendingCount >= settings.queueRecordsMax()) {
            return "the journal has " + pendingCount + " records waiting to be written (at most "
                    + settings.queueRecordsMax() + ")";
        }
        return null;
    }

    private boolean writeStuck() {
        long started = writeStartedNanos;
        return started != 0
                && System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(settings.durableTimeoutMillis());
    }

    private CompletableFuture<Void> timed(CompletableFuture<Void> future) {
        return future.orTimeout(settings.durableTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- The writer thread ----

    private void writeLoop() {
        long backoffMillis = RETRY_BACKOFF_MIN_MILLIS;
        while (true) {
            List<JournalRecord> batch;
            long lastSeq;
            lock.lock();
            try {
                while (pending.isEmpty() && !closing && !rotationDue()) {
                    awaitQuietly(work, WRITER_IDLE_MILLIS);
                }
                if (pending.isEmpty() && closing) {
                    break;
                }
                batch = pending;
                pending = new ArrayList<>();
                lastSeq = nextSeq - 1;
                inFlightLastSeq = lastSeq;
                inFlightDurable = pendingDurable;
                pendingDurable = null;
                writeStartedNanos = Math.max(1, System.nanoTime());
            } finally {
                lock.unlock();
            }
            try {
                write(batch);
                succeeded(batch.size(), lastSeq);
                backoffMillis = RETRY_BACKOFF_MIN_MILLIS;
            } catch (IOException | RuntimeException e) {
                if (!failed(batch, e, backoffMillis)) {
                    break;
                }
                backoffMillis = Math.min(RETRY_BACKOFF_MAX_MILLIS, backoffMillis * 2);
            }
        }
        closeSegment();
    }

    /** Writes one batch at the segment's end and fsyncs it; closes the segment first when it is due. */
    private void write(List<JournalRecord> batch) throws IOException {
        if (rotationDue()) {
            // A segment may end up one batch larger than its bound; that keeps a batch in one write.
            rotate();
        }
        if (batch.isEmpty()) {
            return;
        }
        frames.clear();
        for (JournalRecord record : batch) {
            frames.add(record);
        }
        while (position + frames.size() > writtenAheadTo) {
            // Made durable by the batch's own fsync below, once per WRITE_AHEAD_BYTES.
            segment.write(ZEROS.duplicate(), writtenAheadTo);
            writtenAheadTo += WRITE_AHEAD_BYTES;
        }
        segment.write(frames.bytes(), position);
        if (settings.fsync()) {
            segment.force();
            syncs++;
        }
        position += frames.size();
        bytesWritten += frames.size();
    }

    private void succeeded(int records, long lastSeq) {
        CompletableFuture<Void> done;
        lock.lock();
        try {
            durableSeq = lastSeq;
            pendingCount -= records;
            done = inFlightDurable;
            inFlightDurable = null;
            writeStartedNanos = 0;
        } finally {
            lock.unlock();
        }
        batches++;
        recordsWritten += records;
        if (failure != null) {
            failure = null;
            LOG.info("journal " + directory.toAbsolutePath() + " is written again");
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Puts a failed batch back at the head of the queue, fails its waiters and waits before the retry.
     * Returns false when the journal is closing: the records were never acknowledged, and are dropped.
     */
    private boolean failed(List<JournalRecord> batch, Exception e, long backoffMillis) {
        CompletableFuture<Void> failedWaiters;
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (failure == null) {
            LOG.error(
                    "journal " + directory.toAbsolutePath() + " cannot be written; reserves answer "
                            + "backend_error until it can: " + reason,
                    e);
        }
        failure = reason;
        lock.lock();
        try {
            ArrayList<JournalRecord> retry = new ArrayList<>(batch.size() + pending.size());
            retry.addAll(batch);
            retry.addAll(pending);
            pending = retry;
            failedWaiters = inFlightDurable;
            inFlightDurable = null;
            writeStartedNanos = 0;
            if (!closing) {
                awaitQuietly(work, backoffMillis);
            }
            if (closing) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        if (failedWaiters != null) {
            failedWaiters.completeExceptionally(new BackendException("the journal cannot be written: " + reason, e));
        }
        return true;
    }

    private boolean rotationDue() {
        return position > JournalFormat.HEADER_BYTES
                && (position >= settings.segmentBytesMax()
                        || clock.nowMillis() - segmentOpenedAtMillis >= settings.compactIntervalMillis());
    }

    /**
     * Closes the full segment, opens the next one and hands the closed one to the compactor. The
     * closed segment is first cut to its records, so that only the last segment ever ends in zeros
     * (recovery reads a zero tail anywhere else as damage).
     */
    private void rotate() throws IOException {
        long closed = segmentNumber;
        segment.truncate(position);
        segment.force();
        openSegment(segmentNumber + 1);
        lock.lock();
        try {
            compactThrough = Math.max(compactThrough, closed);
            compactWork.signal();
        } finally {
            lock.unlock();
        }
    }

    private void openSegment(long number) throws IOException {
        JournalIo.AppendChannel created = io.create(directory.resolve(JournalFormat.segmentName(number)));
        try {
            created.write(JournalFormat.header(JournalFormat.SEGMENT_MAGIC, number), 0);
            created.force();
        } catch (IOException | RuntimeException e) {
            closeQuietly(created);
            io.delete(directory.resolve(JournalFormat.segmentName(number)));
            throw e;
        }
        JournalIo.AppendChannel previous = segment;
        segment = created;
        segmentNumber = number;
        position = JournalFormat.HEADER_BYTES;
        writtenAheadTo = JournalFormat.HEADER_BYTES;
        segmentOpenedAtMillis = clock.nowMillis();
        closeQuietly(previous);
    }

    /** At close: cuts the zeros written ahead, so that a clean stop leaves only records; then closes. */
    private void closeSegment() {
        try {
            segment.truncate(position);
            segment.force();
        } catch (IOException e) {
            // Recovery cuts a zero tail of the last segment itself; the records are durable already.
            LOG.debug("could not cut the last journal segment to its records: " + e);
        }
        closeQuietly(segment);
        segment = null;
    }

    // ---- The compactor thread ----

    private void compactLoop() {
        lock.lock();
        try {
            long resumeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMPACT_AFTER_START_MILLIS);
            while (!closing && compactThrough <= startSegmentsThrough && System.nanoTime() < resumeNanos) {
                awaitQuietly(compactWork, TimeUnit.NANOSECONDS.toMillis(resumeNanos - System.nanoTime()) + 1);
            }
        } finally {
            lock.unlock();
        }
        while (true) {
            long through;
            lock.lock();
            try {
                while (compactThrough <= snapshotThrough && !closing) {
                    awaitQuietly(compactWork, COMPACT_RETRY_MILLIS);
                }
                if (closing) {
                    return;
                }
                through = compactThrough;
            } finally {
                lock.unlock();
            }
            try {
                compact(through);
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "journal compaction through segment " + through + " failed; the segments stay"
                                + " on disk and it is tried again in " + COMPACT_RETRY_MILLIS + " ms: " + e,
                        e);
                lock.lock();
                try {
                    if (!closing) {
                        awaitQuietly(compactWork, COMPACT_RETRY_MILLIS);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Folds the last snapshot and segments up to {@code through} into a new snapshot; deletes what it includes. */
    private void compact(long through) throws IOException {
        long startNanos = System.nanoTime();
        Book book = new Book(maxFinished);
        if (snapshotThrough > 0) {
            Recovery.readSnapshot(
                    directory.resolve(JournalFormat.snapshotName(snapshotThrough)), snapshotThrough, book::apply);
        }
        for (long number = snapshotThrough + 1; number <= through; number++) {
            Path file = directory.resolve(JournalFormat.segmentName(number));
            if (Files.exists(file)) {
                JournalFormat.read(file, JournalFormat.SEGMENT_MAGIC, number, false, book::apply);
            }
        }
        book.expire(clock.nowMillis());
        writeSnapshot(book, through);
        long previous = snapshotThrough;
        snapshotThrough = through;
        if (previous > 0) {
            io.delete(directory.resolve(JournalFormat.snapshotName(previous)));
        }
        for (long number = previous + 1; number <= through; number++) {
            io.delete(directory.resolve(JournalFormat.segmentName(number)));
        }
        LOG.atDebug().log(() -> "journal compacted through segment " + through + " in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + " ms: "
                + book.liveLeases().size()
                + " live leases, " + book.holdCount() + " holds");
    }

    private void writeSnapshot(Book book, long through) throws IOException {
        Path target = directory.resolve(JournalFormat.snapshotName(through));
        Path temporary = directory.resolve(JournalFormat.snapshotName(through) + JournalFormat.TEMPORARY_SUFFIX);
        io.delete(temporary);
        JournalIo.AppendChannel channel = io.create(temporary);
        try {
            channel.write(JournalFormat.header(JournalFormat.SNAPSHOT_MAGIC, through), 0);
            JournalFormat.FrameBuffer chunk = new JournalFormat.FrameBuffer();
            long[] at = {JournalFormat.HEADER_BYTES};
            IOException[] error = new IOException[1];
            book.writeTo(record -> {
                chunk.add(record);
                if (chunk.size() >= SNAPSHOT_CHUNK_BYTES && error[0] == null) {
                    error[0] = flush(channel, chunk, at);
                }
            });
            if (error[0] == null) {
                error[0] = flush(channel, chunk, at);
            }
            if (error[0] != null) {
                throw error[0];
            }
            channel.force();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            io.delete(temporary);
            throw e;
        }
        channel.close();
        io.publish(temporary, target);
    }

    private static IOException flush(JournalIo.AppendChannel channel, JournalFormat.FrameBuffer chunk, long[] at) {
        try {
            channel.write(chunk.bytes(), at[0]);
            at[0] += chunk.size();
            chunk.clear();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    // ---- Helpers ----

    private static void awaitQuietly(Condition condition, long millis) {
        try {
            condition.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // Nothing interrupts the writer or the compactor: close wakes them by a signal and a flag
            // their loops check after every wait. Keeping the interrupt would make every later wait
            // return at once and spin.
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(CLOSE_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn(thread.getName() + " did not stop within " + CLOSE_TIMEOUT_MILLIS + " ms");
        }
    }

    private static void closeQuietly(JournalIo.AppendChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing after a failure or at shutdown: what was fsynced is on disk either way, and
            // nothing more will be written through this channel.
            LOG.debug("closing a journal file failed: " + e);
        }
    }
}
