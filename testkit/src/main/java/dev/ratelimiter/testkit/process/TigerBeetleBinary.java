package dev.ratelimiter.testkit.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the TigerBeetle binary is, the one place every suite asks: the file named by
 * {@value #VARIABLE}, else {@code tigerbeetle} on the PATH. Without one, TigerBeetle-backed tests
 * skip with the single line {@link #SKIP_MESSAGE}; a {@value #VARIABLE} that names no executable is
 * a configuration error and fails instead, so a typo never passes as a skip.
 *
 * <p>Thread-safe: stateless but for the once-per-JVM flag of {@link #announceSkip()}, guarded by
 * the class.
 */
public final class TigerBeetleBinary {
    /** The environment variable naming the binary. */
    public static final String VARIABLE = "TB_BIN";
    /** The one line printed, and given as the reason, when TigerBeetle tests skip. */
    public static final String SKIP_MESSAGE = "TigerBeetle tests skipped: set " + VARIABLE
            + " to a tigerbeetle 0.16.30 binary (or put tigerbeetle on the PATH)";

    private static boolean announced;

    private TigerBeetleBinary() {}

    /**
     * The binary named by this JVM's environment.
     *
     * @throws IllegalStateException when {@value #VARIABLE} is set but names no executable file
     */
    public static Optional<Path> find() {
        return find(System.getenv());
    }

    /**
     * The binary named by {@code environment}: {@value #VARIABLE}, else {@code tigerbeetle} in a
     * directory of {@code PATH}, else empty.
     *
     * @throws IllegalStateException when {@value #VARIABLE} is set but names no executable file
     */
    public static Optional<Path> find(Map<String, String> environment) {
        String configured = environment.get(VARIABLE);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured.strip());
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new IllegalStateException(VARIABLE + "=" + configured + " is not an executable file;"
                        + " point it at a tigerbeetle 0.16.30 binary or unset it");
            }
            return Optional.of(path);
        }
        String searchPath = environment.get("PATH");
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String entry : searchPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry, "tigerbeetle");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Prints {@link #SKIP_MESSAGE} to standard output, once per JVM however many suites skip. */
    public static synchronized void announceSkip() {
        if (!announced) {
            announced = true;
            System.out.println(SKIP_MESSAGE);
        }
    }
}
