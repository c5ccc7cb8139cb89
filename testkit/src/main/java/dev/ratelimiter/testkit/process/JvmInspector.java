package dev.ratelimiter.testkit.process;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads the live objects of another JVM on this machine with {@code jcmd <pid> GC.class_histogram},
 * which runs a full collection first: what it counts is what the process really keeps. The suites
 * use it to show that the server's memory is bounded (lease records are dropped once their holds
 * expire). Needs {@code jcmd} from the JDK that runs the tests. Stateless and thread-safe.
 */
public final class JvmInspector {
    /** How long one {@code jcmd} may take. */
    public static final long JCMD_TIMEOUT_SECONDS = 60;

    private JvmInspector() {}

    /**
     * The live objects of process {@code pid}.
     *
     * @param instances per class name (without the module suffix), the number of live instances
     * @param totalBytes the bytes of every live object
     */
    public record Histogram(Map<String, Long> instances, long totalBytes) {
        public long instancesOf(String className) {
            return instances.getOrDefault(className, 0L);
        }
    }

    /**
     * Takes a class histogram of {@code pid}.
     *
     * @throws IOException when jcmd is missing, fails, or prints something this parser does not know
     */
    public static Histogram histogram(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IOException("no jcmd at " + jcmd + ": run the suites on a JDK, not a JRE");
        }
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String output;
        try (InputStream stream = process.getInputStream()) {
            // jcmd prints a bounded table (one line per loaded class) and exits; the read ends with it.
            output = new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(
                    "jcmd " + pid + " GC.class_histogram did not end within " + JCMD_TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "jcmd " + pid + " GC.class_histogram failed with " + process.exitValue() + ": " + output);
        }
        return parse(output);
    }

    /** Parses the table: {@code num: instances bytes class-name [(module)]}, then {@code Total instances bytes}. */
    static Histogram parse(String output) throws IOException {
        Map<String, Long> instances = new HashMap<>();
        long totalBytes = -1;
        for (String line : output.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":")) {
                instances.merge(fields[3], Long.parseLong(fields[1]), Long::sum);
            } else if (fields.length == 3 && fields[0].equals("Total")) {
                totalBytes = Long.parseLong(fields[2]);
            }
        }
        if (totalBytes < 0) {
            throw new IOException("jcmd printed no Total line:\n" + output);
        }
        return new Histogram(Map.copyOf(instances), totalBytes);
    }
}
