package dev.ratelimiter.chaos;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How big the chaos and stress runs are: the bounded version that CI runs on every build (about two
 * minutes for the whole module), or the long version selected by the system property
 * {@code chaos.long=true} or the environment variable {@code CHAOS_LONG=1}.
 *
 * <p>Every random choice of a run derives from {@link #seed}: {@code -Dchaos.seed=<n>} repeats the
 * choices of an earlier run (the interleaving of threads and processes is never repeatable). The
 * server jar comes from {@code chaos.serverJar}, which the module's pom sets to the jar the server
 * module builds in the same reactor.
 *
 * @param longRun whether the long version was selected
 * @param seed the root of every random choice
 * @param inProcessThreads threads reserving and completing in the in-process stress
 * @param inProcessSimulatedSeconds how far the manual clock of the in-process stress moves
 * @param httpStressSeconds real seconds of load in the HTTP stress
 * @param killCycles SIGKILL and restart cycles of the server
 * @param termRounds SIGTERM rounds of the server
 * @param tigerBeetleOutages kill and restart cycles of TigerBeetle under load
 * @param maxAdmissions bound of every admission log
 * @param serverJar the runnable server jar, if configured
 * @param reportDirectory where runs write their summaries
 */
public record ChaosSettings(
        boolean longRun,
        long seed,
        int inProcessThreads,
        long inProcessSimulatedSeconds,
        long httpStressSeconds,
        int killCycles,
        int termRounds,
        int tigerBeetleOutages,
        int maxAdmissions,
        Optional<Path> serverJar,
        Path reportDirectory) {

    /** The system property that selects the long version. */
    public static final String LONG_PROPERTY = "chaos.long";
    /** The environment variable that selects the long version. */
    public static final String LONG_VARIABLE = "CHAOS_LONG";

    /** The settings of this JVM: its system properties and environment. */
    public static ChaosSettings current() {
        return from(System.getProperties(), System.getenv());
    }

    /** The settings that {@code properties} and {@code environment} select. */
    public static ChaosSettings from(Properties properties, Map<String, String> environment) {
        boolean longRun = isTrue(properties.getProperty(LONG_PROPERTY)) || isTrue(environment.get(LONG_VARIABLE));
        String seedText = properties.getProperty("chaos.seed", "").strip();
        long seed;
        if (seedText.isEmpty()) {
            seed = System.nanoTime();
        } else {
            try {
                seed = Long.parseLong(seedText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("chaos.seed: must be a whole number, got '" + seedText + "'", e);
            }
        }
        String jar = properties.getProperty("chaos.serverJar", "").strip();
        Path reports = Path.of(properties.getProperty("chaos.reportDirectory", "target/chaos-reports"));
        Optional<Path> serverJar = jar.isEmpty() ? Optional.empty() : Optional.of(Path.of(jar));
        if (longRun) {
            return new ChaosSettings(true, seed, 8, 24 * 3600, 600, 100, 5, 10, 20_000_000, serverJar, reports);
        }
        return new ChaosSettings(false, seed, 8, 1800, 20, 10, 1, 2, 2_000_000, serverJar, reports);
    }

    /** The version's name for reports: {@code bounded} or {@code long}. */
    public String versionName() {
        return longRun ? "long" : "bounded";
    }

    private static boolean isTrue(String text) {
        if (text == null) {
            return false;
        }
        String value = text.strip().toLowerCase(Locale.ROOT);
        return value.equals("1") || value.equals("true") || value.equals("yes");
    }
}
