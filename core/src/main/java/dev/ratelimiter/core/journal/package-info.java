/**
 * The memory backend's journal (SPEC 5.1): an append-only, checksummed record of every change to
 * its books (allowed reserves with their holds, completes with their outcome and debt, denials),
 * written by one thread with group commit, folded into snapshots in the background so that disk use
 * follows the live state, and read back at start.
 *
 * <p>{@link dev.ratelimiter.core.journal.Journal} is the entry point; {@link
 * dev.ratelimiter.core.journal.JournalRecord} the records; {@link dev.ratelimiter.core.journal.Book}
 * the state the records fold into; {@link dev.ratelimiter.core.journal.JournalIo} the seam through
 * which every byte reaches the disk (tests make it fail on demand and count its fsyncs). The on-disk
 * format and why it was chosen are in docs/DECISIONS.md, "The memory backend's journal".
 *
 * <p>Depends on the JDK ({@code FileChannel}, {@code CRC32C}), {@code core.backend} (the typed
 * failure), {@code core.io} (directory fsync) and {@code core.time} only; it knows nothing of the memory
 * backend's classes.
 */
package dev.ratelimiter.core.journal;
