package dev.ratelimiter.bench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The workload model on a few virtual minutes: it is deterministic for a seed, exact counters never
 * let real usage exceed a limit, and counting tokens admits more than reserving bytes when tokens
 * per minute bind. It asserts outcomes of the model, never wall-clock speed.
 */
class WorkloadModelTest {
    private static final long TPM = 150_000;
    private static final long MINUTES_MS = 4 * 60_000L;
    private static final long WARMUP_MS = 60_000L;

    @Test
    void sameSeedGivesTheSameWorkloadAndResults() {
        List<LlmCall> first = new WorkloadGenerator(7).generate(MINUTES_MS, TPM, 1.0);
        List<LlmCall> second = new WorkloadGenerator(7).generate(MINUTES_MS, TPM, 1.0);
        assertEquals(first, second);
        assertEquals(run(first, ReservationMode.TOKENS), run(second, ReservationMode.TOKENS));
    }

    @Test
    void generatesCallsOfEveryModelWithinTheirBounds() {
        List<LlmCall> calls = new WorkloadGenerator(7).generate(MINUTES_MS, TPM, 1.0);
        for (LlmCall.ModelSpec model : WorkloadGenerator.MODELS) {
            assertTrue(calls.stream().anyMatch(c -> c.model().equals(model)), model.name());
        }
        for (LlmCall call : calls) {
            assertTrue(
                    call.outputTokensActual() >= 1 && call.outputTokensActual() <= call.maxOutputTokens(),
                    call.toString());
            assertTrue(call.promptBytes() > call.promptTokensCounted(), call.toString());
            assertTrue(call.arrivalMs() >= 0 && call.arrivalMs() < MINUTES_MS, call.toString());
        }
    }

    @Test
    void countingTokensUsesMoreOfTheLimitThanReservingBytesAndNeverOverrunsExactModels() {
        List<LlmCall> calls = new WorkloadGenerator(18).generate(MINUTES_MS, TPM, 1.0);
        RunResult bytes = run(calls, ReservationMode.BYTES);
        RunResult tokens = run(calls, ReservationMode.TOKENS);
        assertEquals(0, bytes.provider429Exact());
        assertEquals(0, tokens.provider429Exact());
        assertTrue(tokens.callsPerMinute() > bytes.callsPerMinute(), bytes + " vs " + tokens);
        assertTrue(tokens.tpmShareUsed() > bytes.tpmShareUsed(), bytes + " vs " + tokens);
        assertTrue(tokens.tpmShareUsed() <= 1.0 + 1e-9 || tokens.provider429Estimated() > 0, tokens.toString());
    }

    @Test
    void commandPrintsOneRowPerLoadAndMode() {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new WorkloadModel()).setOut(new PrintWriter(out));
        int exit = command.execute("--minutes", "2", "--warmup-minutes", "1", "--loads", "0.5,1.2", "--tpm", "150000");
        assertEquals(0, exit, out.toString());
        String table = out.toString();
        assertTrue(table.startsWith("| load | offered | reserve | calls/min |"), table);
        assertEquals(2 + 4, table.lines().count(), table);
        assertTrue(
                table.contains("| 0.5 |")
                        && table.contains("| 1.2 |")
                        && table.contains("| bytes |")
                        && table.contains("| tokens |"),
                table);
    }

    private static RunResult run(List<LlmCall> calls, ReservationMode mode) {
        return VirtualTimeRun.run(calls, mode, 1.0, TPM, MINUTES_MS, WARMUP_MS, 120_000, 18);
    }
}
