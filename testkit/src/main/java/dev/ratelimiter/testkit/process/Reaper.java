package dev.ratelimiter.testkit.process;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every process the launchers started and have not seen exit; one JVM shutdown hook kills those
 * still alive, so that no server or replica outlives the test JVM that started it (a suite that
 * fails before its cleanup, a run stopped with Ctrl-C). Thread-safe: a concurrent set.
 */
final class Reaper {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "testkit-process-reaper"));
    }

    private Reaper() {}

    static void track(Process process) {
        LIVE.add(process);
    }

    static void forget(Process process) {
        LIVE.remove(process);
    }
}
