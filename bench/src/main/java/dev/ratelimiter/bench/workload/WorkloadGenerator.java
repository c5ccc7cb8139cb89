package dev.ratelimiter.bench.workload;

import dev.ratelimiter.bench.workload.LlmCall.ModelSpec;
import dev.ratelimiter.client.llm.ChatMessage;
import dev.ratelimiter.client.llm.CountAccuracy;
import dev.ratelimiter.client.llm.TiktokenCounter;
import dev.ratelimiter.client.llm.TokenCounter;
import dev.ratelimiter.client.llm.TokenCounters;
import dev.ratelimiter.core.llm.LlmRequirements;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates a seeded workload of LLM calls. Every number below is an assumption of the model, stated
 * here and in docs/BENCHMARKS.md; the shapes follow published traces where we know of one.
 *
 * <p><b>Call classes</b> (share; prompt tokens; output tokens; both lognormal, given as median and
 * sigma of the log):
 * <ul>
 *   <li>conversation (45%): prompt median 1,020, sigma 1.0; output median 129, sigma 1.0;
 *       {@code max_output_tokens} 1,024. Medians of the conversation trace of Azure's LLM inference
 *       traces 2023 (Patel et al., "Splitwise", ISCA 2024), as we recall them.</li>
 *   <li>coding (25%): prompt median 1,500, sigma 0.8; output median 13, sigma 1.2;
 *       {@code max_output_tokens} 256. Medians of the code trace of the same release.</li>
 *   <li>chat (30%): prompt median 98, sigma 1.0 (mean 161); output median 245, sigma 0.8 (mean 338);
 *       {@code max_output_tokens} 2,048. Means of ShareGPT as reported by the vLLM paper (Kwon et al.,
 *       SOSP 2023).</li>
 * </ul>
 * Prompts are capped at 16,000 tokens; an output is at least 1 token and at most its bound.
 * Prompts are real text ({@link PromptTexts}): one instruction, then code for coding calls, and
 * English (85%) or another language (15%) otherwise.
 *
 * <p><b>Duration</b>: time to first token 250 ms plus the prompt at 10,000 tokens a second, then the
 * output at a rate drawn uniformly from 40 to 100 tokens a second (typical of hosted APIs; an
 * assumption, not a measurement).
 *
 * <p><b>Real prompt tokens</b>: for OpenAI models, what the exact counter counts (the provider bills
 * the same tokenizer and chat format). No public tokenizer exists for Claude 3+ or Gemini, so their
 * real count is drawn around what their documented characters per token imply: {@code cl100k_base}
 * times a factor uniform in [1.1, 1.6] for Anthropic and [0.9, 1.5] for Google. Some calls
 * therefore use more prompt tokens than the estimate reserved.
 *
 * <p><b>Arrivals</b>: Poisson per model, paced so that the calls offered per minute carry about
 * {@code load} times the model's tokens-per-minute capacity in drawn sizes; each call belongs to tenant
 * acme (50%), globex (30%) or initech (20%).
 *
 * <p>Not thread-safe; use one per thread.
 */
final class WorkloadGenerator {
    static final List<ModelSpec> MODELS = List.of(
            new ModelSpec("openai", "gpt-4o"),
            new ModelSpec("openai", "gpt-4-turbo"),
            new ModelSpec("anthropic", "claude-sonnet-4"),
            new ModelSpec("google", "gemini-2.5-flash"));
    static final List<String> TENANTS = List.of("acme", "globex", "initech");
    private static final double[] TENANT_SHARES = {0.5, 0.3, 0.2};
    private static final long PROMPT_TOKENS_MAX = 16_000;
    /** Draws of call sizes used to find the mean real tokens of a call, which paces the arrivals. */
    private static final int PACING_SAMPLES = 20_000;

    private final TokenCounters counters = TokenCounters.defaults();
    private final TiktokenCounter cl100k = TiktokenCounter.cl100k();
    private final SplittableRandom random;

    WorkloadGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * The calls arriving in {@code [0, durationMs)}, in arrival order.
     *
     * @param tpmCapacity each model's tokens-per-minute capacity
     * @param load the nominal load: arrivals are paced on the drawn sizes, so the real tokens offered
     *     come out somewhat higher (whole paragraphs, and Claude's and Gemini's scaled counts); each
     *     run reports the share really offered
     */
    List<LlmCall> generate(long durationMs, long tpmCapacity, double load) {
        double meanTokens = meanRealTokensPerCall(random.split());
        double callsPerMs = load * tpmCapacity / meanTokens / 60_000.0;
        List<LlmCall> calls = new ArrayList<>();
        for (ModelSpec model : MODELS) {
            SplittableRandom modelRandom = random.split();
            double nowMs = 0;
            while (true) {
                nowMs += -Math.log(1 - modelRandom.nextDouble()) / callsPerMs;
                if (nowMs >= durationMs) {
                    break;
                }
                calls.add(call(calls.size(), model, (long) nowMs, modelRandom));
            }
        }
        calls.sort(Comparator.comparingLong(LlmCall::arrivalMs).thenComparingInt(LlmCall::id));
        return List.copyOf(calls);
    }

    private LlmCall call(int id, ModelSpec model, long arrivalMs, SplittableRandom r) {
        CallClass callClass = CallClass.draw(r);
        long targetPromptTokens = Math.min(PROMPT_TOKENS_MAX, Math.max(1, callClass.promptTokens(r)));
        List<ChatMessage> chat = chat(callClass, targetPromptTokens, r);
        TokenCounter counter = counters.counterFor(model.provider(), model.model());
        long counted = counter.countChat(chat);
        long actualPrompt = realPromptTokens(model, counter, counted, chat, r);
        long output = Math.min(callClass.maxOutputTokens, Math.max(1, callClass.outputTokens(r)));
        double decodeTokensPerSecond = 40 + 60 * r.nextDouble();
        long durationMs = 250 + actualPrompt / 10 + (long) Math.ceil(output * 1000 / decodeTokensPerSecond);
        long bytes = 0;
        for (ChatMessage message : chat) {
            bytes += LlmRequirements.utf8Length(message.content());
        }
        return new LlmCall(
                id,
                tenant(r),
                model,
                arrivalMs,
                bytes,
                counted,
                counter.accuracy(),
                actualPrompt,
                callClass.maxOutputTokens,
                output,
                durationMs);
    }

    private long realPromptTokens(
            ModelSpec model, TokenCounter counter, long counted, List<ChatMessage> chat, SplittableRandom r) {
        if (counter.accuracy() == CountAccuracy.EXACT) {
            return counted;
        }
        double low = model.provider().equals("anthropic") ? 1.1 : 0.9;
        double high = model.provider().equals("anthropic") ? 1.6 : 1.5;
        return (long) Math.ceil(cl100k.countChat(chat) * (low + (high - low) * r.nextDouble()));
    }

    private List<ChatMessage> chat(CallClass callClass, long targetTokens, SplittableRandom r) {
        String instruction = pick(PromptTexts.INSTRUCTIONS, r);
        List<String> paragraphs = callClass == CallClass.CODING
                ? PromptTexts.CODE
                : r.nextDouble() < 0.85 ? PromptTexts.ENGLISH : PromptTexts.OTHER_LANGUAGES;
        StringBuilder document = new StringBuilder();
        long tokens = cl100k.countText(instruction);
        while (tokens < targetTokens) {
            String paragraph = pick(paragraphs, r);
            // Paragraphs are whole pre-tokens between blank lines, so their counts add up closely enough
            // to size the prompt; the prompt itself is counted whole afterwards.
            tokens += cl100k.countText(paragraph) + 1;
            document.append(paragraph).append("\n\n");
        }
        return List.of(ChatMessage.system(instruction), ChatMessage.user(document.toString()));
    }

    private double meanRealTokensPerCall(SplittableRandom r) {
        double sum = 0;
        for (int i = 0; i < PACING_SAMPLES; i++) {
            CallClass callClass = CallClass.draw(r);
            sum += Math.min(PROMPT_TOKENS_MAX, Math.max(1, callClass.promptTokens(r)))
                    + Math.min(callClass.maxOutputTokens, Math.max(1, callClass.outputTokens(r)));
        }
        return sum / PACING_SAMPLES;
    }

    private String tenant(SplittableRandom r) {
        double u = r.nextDouble();
        for (int i = 0; i < TENANTS.size() - 1; i++) {
            u -= TENANT_SHARES[i];
            if (u < 0) {
                return TENANTS.get(i);
            }
        }
        return TENANTS.get(TENANTS.size() - 1);
    }

    private static String pick(List<String> texts, SplittableRandom r) {
        return texts.get(r.nextInt(texts.size()));
    }

    /** The kinds of call, with their size distributions (see the class comment). */
    private enum CallClass {
        CONVERSATION(0.45, 1_020, 1.0, 129, 1.0, 1_024),
        CODING(0.25, 1_500, 0.8, 13, 1.2, 256),
        CHAT(0.30, 98, 1.0, 245, 0.8, 2_048);

        final double share;
        final double promptMedian;
        final double promptSigma;
        final double outputMedian;
        final double outputSigma;
        final long maxOutputTokens;

        CallClass(
                double share,
                double promptMedian,
                double promptSigma,
                double outputMedian,
                double outputSigma,
                long maxOutputTokens) {
            this.share = share;
            this.promptMedian = promptMedian;
            this.promptSigma = promptSigma;
            this.outputMedian = outputMedian;
            this.outputSigma = outputSigma;
            this.maxOutputTokens = maxOutputTokens;
        }

        static CallClass draw(SplittableRandom r) {
            double u = r.nextDouble();
            for (CallClass callClass : values()) {
                u -= callClass.share;
                if (u < 0) {
                    return callClass;
                }
            }
            return CHAT;
        }

        long promptTokens(SplittableRandom r) {
            return logNormal(promptMedian, promptSigma, r);
        }

        long outputTokens(SplittableRandom r) {
            return logNormal(outputMedian, outputSigma, r);
        }

        private static long logNormal(double median, double sigma, SplittableRandom r) {
            return Math.round(median * Math.exp(sigma * gaussian(r)));
        }

        /** A standard normal draw (Box-Muller), since SplittableRandom has none in Java 17. */
        private static double gaussian(SplittableRandom r) {
            return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
    }
}
