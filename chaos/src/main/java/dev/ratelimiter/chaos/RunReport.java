package dev.ratelimiter.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The summary a suite writes when it ends: printed to standard output (Surefire keeps it in the
 * test's output file) and appended to {@code <reportDirectory>/<suite>.txt}, so that the numbers of
 * a long run can be read after it. Stateless and thread-safe (each call appends once).
 */
public final class RunReport {
    private RunReport() {}

    /** Appends {@code text} under a header naming the suite, the version and the seed. */
    public static void write(ChaosSettings settings, String suite, String text) {
        String entry = "=== " + suite + " (" + settings.versionName() + ", seed " + settings.seed() + ", ended "
                + Instant.now() + ")\n" + text + "\n";
        System.out.print(entry);
        Path file = settings.reportDirectory().resolve(suite + ".txt");
        try {
            Files.createDirectories(settings.reportDirectory());
            Files.writeString(
                    file, entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append the report of " + suite + " to " + file, e);
        }
    }
}
