package dev.ratelimiter.bench.workload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code workload} command: runs the same seeded LLM workload through the limiter twice per
 * load, once reserving prompt bytes and once reserving counted tokens, in virtual time, and prints
 * a table of calls per minute, the share of the tokens-per-minute limit used, queueing delay and
 * the provider 429s that would have happened. The model and its assumptions: {@link
 * WorkloadGenerator} and {@link VirtualTimeRun}.
 *
 * <p>Exit status: 0 after a run; 1 when a run with exact counters saw a provider 429 (which
 * reservations that are upper bounds make impossible); 2 for bad options.
 */
@Command(
        name = "workload",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs a seeded LLM workload through the limiter in virtual time, reserving prompt bytes and "
                + "then counted tokens, and reports calls/min, tokens-per-minute share used, queueing delay "
                + "and provider 429s.")
public final class WorkloadModel implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", description = "seed of the workload and of the retry jitter (default: ${DEFAULT-VALUE})")
    long seed = 18;

    @Option(names = "--minutes", description = "virtual minutes of arrivals (default: ${DEFAULT-VALUE})")
    int minutes = 30;

    @Option(names = "--warmup-minutes", description = "virtual minutes before measuring (default: ${DEFAULT-VALUE})")
    int warmupMinutes = 5;

    @Option(
            names = "--loads",
            split = ",",
            description = "offered tokens as multiples of the tokens-per-minute "
                    + "capacity, one pair of runs each (default: ${DEFAULT-VALUE})")
    List<Double> loads = new ArrayList<>(List.of(0.6, 0.85, 1.2));

    @Option(names = "--tpm", description = "tokens-per-minute capacity of each model (default: ${DEFAULT-VALUE})")
    long tpmCapacity = 400_000;

    @Option(names = "--max-wait-seconds", description = "a call waiting longer is given up (default: ${DEFAULT-VALUE})")
    long maxWaitSeconds = 120;

    @Option(names = "--json", description = "also write the results as JSON to this file")
    Path json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WorkloadModel()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (minutes < 1
                || warmupMinutes < 0
                || warmupMinutes >= minutes
                || tpmCapacity < 100_000
                || maxWaitSeconds < 1
                || loads.isEmpty()
                || loads.stream().anyMatch(load -> !(load > 0 && load <= 10))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "need minutes >= 1, 0 <= warmup-minutes < "
                            + "minutes, tpm >= 100000 (the largest call must fit), max-wait-seconds >= 1, loads in (0, 10]");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<RunResult> results = new ArrayList<>();
        for (double load : loads) {
            List<LlmCall> calls = new WorkloadGenerator(seed).generate(minutes * 60_000L, tpmCapacity, load);
            for (ReservationMode mode : ReservationMode.values()) {
                results.add(VirtualTimeRun.run(
                        calls,
                        mode,
                        load,
                        tpmCapacity,
                        minutes * 60_000L,
                        warmupMinutes * 60_000L,
                        maxWaitSeconds * 1000,
                        seed));
            }
        }
        out.print(table(results));
        out.flush();
        if (json != null) {
            writeJson(results);
        }
        boolean exactOverLimit = results.stream().anyMatch(result -> result.provider429Exact() > 0);
        return exactOverLimit ? 1 : 0;
    }

    /** The results as a Markdown table, one row per load and mode. */
    static String table(List<RunResult> results) {
        StringBuilder table = new StringBuilder();
        table.append(
                "| load | offered | reserve | calls/min | TPM share used | queue p50 (s) | queue p99 (s) | given up/min "
                        + "| 429s, exact models | 429s, estimated models | debt (tokens) |\n");
        table.append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult r : results) {
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f%% | %s | %.1f | %.1f%% | %.1f | %.1f | %.1f | %d | %d | %d |%n",
                    Double.toString(r.load()),
                    100 * r.offeredShare(),
                    r.mode().label(),
                    r.callsPerMinute(),
                    100 * r.tpmShareUsed(),
                    r.queueP50Ms() / 1000.0,
                    r.queueP99Ms() / 1000.0,
                    r.abandonedPerMinute(),
                    r.provider429Exact(),
                    r.provider429Estimated(),
                    r.debtTokens()));
        }
        return table.toString();
    }

    private void writeJson(List<RunResult> results) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("seed", seed);
        report.put("minutes", minutes);
        report.put("warmup_minutes", warmupMinutes);
        report.put("tpm_capacity", tpmCapacity);
        report.put("max_wait_seconds", maxWaitSeconds);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (RunResult r : results) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("load", r.load());
            run.put("offered_share", r.offeredShare());
            run.put("reserve", r.mode().label());
            run.put("calls_per_minute", r.callsPerMinute());
            run.put("tpm_share_used", r.tpmShareUsed());
            run.put("queue_p50_ms", r.queueP50Ms());
            run.put("queue_p99_ms", r.queueP99Ms());
            run.put("given_up_per_minute", r.abandonedPerMinute());
            run.put("provider_429_exact", r.provider429Exact());
            run.put("provider_429_estimated", r.provider429Estimated());
            run.put("debt_tokens", r.debtTokens());
            runs.add(run);
        }
        report.put("runs", runs);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    }
}
