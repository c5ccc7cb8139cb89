package dev.ratelimiter.core.journal;

import dev.ratelimiter.core.journal.JournalRecord.Completed;
import dev.ratelimiter.core.journal.JournalRecord.Debt;
import dev.ratelimiter.core.journal.JournalRecord.Denied;
import dev.ratelimiter.core.journal.JournalRecord.HeldAmount;
import dev.ratelimiter.core.journal.JournalRecord.KeyAmount;
import dev.ratelimiter.core.journal.JournalRecord.OrphanHold;
import dev.ratelimiter.core.journal.JournalRecord.Reserved;
import dev.ratelimiter.core.journal.JournalRecord.SnapshotEnd;
import dev.ratelimiter.core.journal.JournalRecord.Tombstone;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one record's body: a type byte, then its fields, big-endian; strings as an unsigned
 * 16-bit length and UTF-8; lists as an unsigned 16-bit count. Framing (length and checksum) is
 * {@link JournalFormat}'s.
 *
 * <p>Stateless; thread-safe.
 */
final class RecordCodec {
    static final byte RESERVED = 1;
    static final byte COMPLETED = 2;
    static final byte DENIED = 3;
    static final byte TOMBSTONE = 4;
    static final byte ORPHAN_HOLD = 5;
    static final byte DEBT = 6;
    static final byte SNAPSHOT_END = 7;

    private static final int U16_MAX = 0xFFFF;

    private RecordCodec() {}

    /**
     * Writes the body of {@code record} at the buffer's position.
     *
     * @throws BufferOverflowException when the buffer is too small; the caller grows it and retries
     */
    static void encode(JournalRecord record, ByteBuffer out) {
        if (record instanceof Reserved reserved) {
            out.put(RESERVED);
            putString(out, reserved.leaseId());
            out.putLong(reserved.reservedAtMillis());
            putCount(out, reserved.holds().size());
            for (HeldAmount hold : reserved.holds()) {
                putString(out, hold.key());
                out.putLong(hold.amount());
                out.putLong(hold.expiresAtMillis());
                out.put(hold.concurrency() ? (byte) 1 : (byte) 0);
            }
        } else if (record instanceof Completed completed) {
            out.put(COMPLETED);
            putString(out, completed.leaseId());
            putCount(out, completed.amountsAfter().size());
            for (long amount : completed.amountsAfter()) {
                out.putLong(amount);
            }
            putCount(out, completed.debts().size());
            for (KeyAmount debt : completed.debts()) {
                putString(out, debt.key());
                out.putLong(debt.amount());
            }
        } else if (record instanceof Denied denied) {
            out.put(DENIED);
            putString(out, denied.leaseId());
            out.putLong(denied.retryAfterMs());
            out.putLong(denied.forgetAtMillis());
        } else if (record instanceof Tombstone tombstone) {
            out.put(TOMBSTONE);
            putString(out, tombstone.leaseId());
        } else if (record instanceof OrphanHold hold) {
            out.put(ORPHAN_HOLD);
            putString(out, hold.key());
            out.putLong(hold.amount());
            out.putLong(hold.expiresAtMillis());
        } else if (record instanceof Debt debt) {
            out.put(DEBT);
            putString(out, debt.key());
            out.putLong(debt.amount());
        } else if (record instanceof SnapshotEnd end) {
            out.put(SNAPSHOT_END);
            out.putLong(end.recordCount());
        } else {
            throw new IllegalArgumentException("not a journal record: " + record);
        }
    }

    /**
     * Reads one body that fills {@code in} from its position to its limit.
     *
     * @throws IllegalArgumentException when the bytes are not a record (unknown type, short or long body)
     */
    static JournalRecord decode(ByteBuffer in) {
        try {
            JournalRecord record = decodeFields(in);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes left over after a record of type "
                        + record.getClass().getSimpleName());
            }
            return record;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("record body ends in the middle of a field");
        }
    }

    private static JournalRecord decodeFields(ByteBuffer in) {
        byte type = in.get();
        switch (type) {
            case RESERVED: {
                String leaseId = getString(in);
                long reservedAtMillis = in.getLong();
                int count = getCount(in);
                List<HeldAmount> holds = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    holds.add(new HeldAmount(getString(in), in.getLong(), in.getLong(), in.get() != 0));
                }
                return new Reserved(leaseId, reservedAtMillis, holds);
            }
            case COMPLETED: {
                String leaseId = getString(in);
                int count = getCount(in);
                List<Long> amounts = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    amounts.add(in.getLong());
                }
                int debtCount = getCount(in);
                List<KeyAmount> debts = new ArrayList<>(debtCount);
                for (int i = 0; i < debtCount; i++) {
                    debts.add(new KeyAmount(getString(in), in.getLong()));
                }
                return new Completed(leaseId, amounts, debts);
            }
            case DENIED:
                return new Denied(getString(in), in.getLong(), in.getLong());
            case TOMBSTONE:
                return new Tombstone(getString(in));
            case ORPHAN_HOLD:
                return new OrphanHold(getString(in), in.getLong(), in.getLong());
            case DEBT:
                return new Debt(getString(in), in.getLong());
            case SNAPSHOT_END:
                return new SnapshotEnd(in.getLong());
            default:
                throw new IllegalArgumentException("unknown record type " + type);
        }
    }

    private static void putString(ByteBuffer out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        putCount(out, bytes.length);
        out.put(bytes);
    }

    private static void putCount(ByteBuffer out, int count) {
        if (count > U16_MAX) {
            // Lease ids, keys and requirement lists are validated far below this; a larger one is a
            // programming error, not something to truncate silently.
            throw new IllegalArgumentException("a journal list or string holds at most " + U16_MAX + ", got " + count);
        }
        out.putShort((short) count);
    }

    private static String getString(ByteBuffer in) {
        int length = getCount(in);
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static int getCount(ByteBuffer in) {
        return Short.toUnsignedInt(in.getShort());
    }
}
