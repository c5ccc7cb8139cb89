package dev.ratelimiter.core.registry;

import dev.ratelimiter.core.io.Directories;
import dev.ratelimiter.core.model.LimitState;
import dev.ratelimiter.core.wire.InvalidEntryException;
import dev.ratelimiter.core.wire.InvalidRequestException;
import dev.ratelimiter.core.wire.RequestValidator;
import dev.ratelimiter.core.wire.WireCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry as one JSON file (SPEC 4): an array of {@link LimitState} sorted by key.
 *
 * <p><b>Durability.</b> {@link #save} returns only once the new registry is on disk: it writes a
 * fresh, uniquely named temporary file in the same directory ({@code .<name>.<uuid>.tmp}), forces
 * it to disk, renames it atomically over the registry file and then forces the directory, so that
 * the rename itself survives a crash. A reader, or a restart after a crash at any point, sees
 * either the whole old file or the whole new one. A save that fails deletes its temporary file,
 * leaves the old file in force and throws.
 *
 * <p><b>A file system that refuses to sync a directory.</b> Some platforms cannot open a
 * directory as a file (Windows) or reject fsync on it (some network and FUSE file systems). Then
 * the save still succeeds: the file's content is already forced and the rename is atomic, so the
 * only exposure is that a power loss right after the save may bring back the previous file whole.
 * Failing the save instead would be worse, because the new file is already in place: the admin
 * would be told a change failed that a restart then applies. The first refusal is logged as a
 * warning, later ones at FINE level.
 *
 * <p><b>Loading</b> validates every entry with the admin API's rules
 * ({@link RequestValidator#normalise(LimitState)}) and refuses duplicate keys; any problem is an
 * {@link InvalidRegistryException} naming the file, the entry and the rule. A missing file is an
 * empty registry. Loading also removes temporary files that a crash in the middle of a save left
 * behind, so they cannot pile up across restarts.
 *
 * <p><b>Thread-safety.</b> Saves are serialised by {@code saveLock}: one at a time, also when
 * called from different threads, each with its own temporary file. Loads take no lock: the atomic
 * rename means a load reads one complete version. One process owns a registry file; two
 * processes saving the same file are not coordinated.
 */
public final class FileRegistry implements LimitStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileRegistry.class);
    private static final String TEMPORARY_SUFFIX = ".tmp";
    /** Stale temporary files removed per load at most; the rest go at the next start. */
    private static final int MAX_STALE_TEMPORARY_FILES_REMOVED = 1_000;

    private final Path file;
    /** The file as configured, for messages: the name an operator recognises. */
    private final Path configuredFile;

    private final Path directory;
    private final FileOperations files;
    private final WireCodec codec = new WireCodec();
    private final Object saveLock = new Object();
    /** Whether a refusal to sync the directory was already logged as a warning; guarded by saveLock. */
    private boolean directorySyncRefusalLogged;

    /** A registry kept in {@code file}; missing parent directories are created by the first save. */
    public FileRegistry(Path file) {
        this(file, new SystemFileOperations());
    }

    /** For tests: the file operations are a seam through which a failure can be injected. */
    FileRegistry(Path file, FileOperations files) {
        this.configuredFile = file;
        this.file = file.toAbsolutePath().normalize();
        this.directory = Objects.requireNonNull(this.file.getParent(), "a registry file needs a directory");
        this.files = Objects.requireNonNull(files, "files");
    }

    /** The registry file. */
    public Path file() {
        return file;
    }

    @Override
    public String describe() {
        return "registry " + configuredFile;
    }

    /**
     * Reads and validates the registry, sorted by key.
     *
     * @throws InvalidRegistryException when the file is not a valid registry; the message names the
     *     file, the entry and the rule
     * @throws IOException when the file exists but cannot be read
     */
    @Override
    public List<LimitState> load() throws IOException {
        removeStaleTemporaryFiles();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return parse(content, describe());
    }

    /** Decodes and validates registry content; {@code source} names it in errors. */
    private List<LimitState> parse(byte[] content, String source) {
        List<LimitState> decoded;
        try {
            decoded = codec.readLimitStates(content);
        } catch (InvalidEntryException e) {
            throw new InvalidRegistryException(source + ", " + e.getMessage());
        } catch (InvalidRequestException e) {
            throw new InvalidRegistryException(source + ": " + e.detail());
        }
        List<LimitState> states = new ArrayList<>(decoded.size());
        Map<String, Integer> indexByKey = new HashMap<>();
        for (int i = 0; i < decoded.size(); i++) {
            LimitState raw = decoded.get(i);
            LimitState state;
            try {
                state = RequestValidator.normalise(raw);
            } catch (InvalidRequestException e) {
                throw new InvalidRegistryException(
                        source + ", " + InvalidEntryException.describe(i, raw.key()) + ": " + e.detail());
            }
            Integer first = indexByKey.putIfAbsent(state.key(), i);
            if (first != null) {
                throw new InvalidRegistryException(source + ", " + InvalidEntryException.describe(i, raw.key())
                        + ": key: \"" + state.key() + "\" is already defined by entry " + first);
            }
            states.add(state);
        }
        states.sort(Comparator.comparing(LimitState::key));
        return List.copyOf(states);
    }

    /**
     * Replaces the registry with {@code states} and returns once that is durable (see the class
     * comment). The states are written sorted by key.
     *
     * @throws IllegalArgumentException when a state breaks a rule or a key appears twice: the
     *     registry never holds what {@link #load} would refuse
     * @throws IOException when the new registry could not be made durable; the old one is intact
     */
    @Override
    public void save(List<LimitState> states) throws IOException {
        byte[] content = encode(states);
        synchronized (saveLock) {
            files.createDirectories(directory);
            Path temporary = directory.resolve("." + file.getFileName() + "." + UUID.randomUUID() + TEMPORARY_SUFFIX);
            try {
                files.writeDurably(temporary, content);
                files.moveAtomically(temporary, file);
            } catch (IOException | RuntimeException e) {
                deleteAfterFailure(temporary, e);
                throw e;
            }
            syncDirectory();
        }
    }

    private byte[] encode(List<LimitState> states) {
        List<LimitState> sorted = new ArrayList<>(states);
        sorted.sort(Comparator.comparing(LimitState::key));
        for (int i = 0; i < sorted.size(); i++) {
            LimitState state = sorted.get(i);
            try {
                RequestValidator.normalise(state);
            } catch (InvalidRequestException e) {
                throw new IllegalArgumentException(
                        "refusing to save " + describe() + ": the state of \"" + state.key() + "\" breaks a rule: "
                                + e.detail(),
                        e);
            }
            if (i > 0 && sorted.get(i - 1).key().equals(state.key())) {
                throw new IllegalArgumentException(
                        "refusing to save " + describe() + ": key \"" + state.key() + "\" appears twice");
            }
        }
        return codec.writeLimitStates(sorted);
    }

    private void deleteAfterFailure(Path temporary, Exception failure) {
        try {
            files.deleteIfExists(temporary);
        } catch (IOException | RuntimeException e) {
            // The save has failed already and that failure is what the caller must see; the
            // orphan is named so an operator can find it, and the next load removes it.
            failure.addSuppressed(e);
            LOG.warn("could not delete the temporary file " + temporary + " of a failed save", e);
        }
    }

    private void syncDirectory() {
        try {
            files.syncDirectory(directory);
        } catch (IOException | RuntimeException e) {
            // See the class comment: the new file is in place and its content forced; failing now
            // would report a change as lost that a restart applies.
            org.slf4j.event.Level level =
                    directorySyncRefusalLogged ? org.slf4j.event.Level.DEBUG : org.slf4j.event.Level.WARN;
            directorySyncRefusalLogged = true;
            LOG.atLevel(level)
                    .setCause(e)
                    .log("the file system refused to sync the directory " + directory + "; " + describe()
                            + " is saved but its rename may not survive a power loss");
        }
    }

    private void removeStaleTemporaryFiles() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        String glob = "." + file.getFileName() + ".*" + TEMPORARY_SUFFIX;
        synchronized (saveLock) {
            int removed = 0;
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(directory, glob)) {
                for (Path temporary : stale) {
                    if (removed == MAX_STALE_TEMPORARY_FILES_REMOVED) {
                        break;
                    }
                    Files.deleteIfExists(temporary);
                    removed++;
                }
            } catch (IOException e) {
                // Leftovers waste a little space but never change the registry; loading goes on.
                LOG.warn("could not remove stale temporary files of " + describe(), e);
            }
            if (removed > 0) {
                LOG.info("removed " + removed + " temporary files that an interrupted save of " + describe()
                        + " left behind");
            }
        }
    }

    /** The file-system steps of a save, a seam so that tests can make one of them fail. */
    interface FileOperations {
        void createDirectories(Path directory) throws IOException;

        /** Creates {@code file} (it must not exist), writes {@code content} and forces it to disk. */
        void writeDurably(Path file, byte[] content) throws IOException;

        /** Renames {@code source} over {@code target} atomically. */
        void moveAtomically(Path source, Path target) throws IOException;

        /** Forces a directory's entries to disk. */
        void syncDirectory(Path directory) throws IOException;

        void deleteIfExists(Path file) throws IOException;
    }

    /** The real file system. Stateless and thread-safe. */
    static final class SystemFileOperations implements FileOperations {
        @Override
        public void createDirectories(Path directory) throws IOException {
            Files.createDirectories(directory);
        }

        @Override
        public void writeDurably(Path file, byte[] content) throws IOException {
            try (FileChannel channel =
                    FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                // A channel may write fewer bytes than asked. A regular file takes at least one per
                // call or throws (a full disk is an IOException), so this loop ends.
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void syncDirectory(Path directory) throws IOException {
            if (!Directories.force(directory)) {
                throw new IOException("this file system cannot sync a directory");
            }
        }

        @Override
        public void deleteIfExists(Path file) throws IOException {
            Files.deleteIfExists(file);
        }
    }
}
