package dev.ratelimiter.core.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.Actual;
import dev.ratelimiter.core.model.Requirement;
import dev.ratelimiter.core.wire.RequestLimits;
import dev.ratelimiter.core.wire.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LlmRequirementsTest {

    @Test
    void reservesOneRequestTheTokenBoundAndOneSlot() {
        LlmRequirements call = LlmRequirements.of("openai", "gpt-4o", "Hello, world", 100);
        assertEquals(
                List.of(
                        new Requirement("global:llm:openai:gpt-4o:rpm", 1),
                        new Requirement("global:llm:openai:gpt-4o:tpm", 112),
                        new Requirement("global:llm:openai:gpt-4o:concurrency", 1)),
                call.requirements());
        assertEquals(Optional.empty(), call.tenant());
        assertEquals(Optional.empty(), call.dailyTokensKey());
    }

    @Test
    void countsTheUtf8BytesOfANonAsciiPrompt() {
        // "é" is 2 bytes, "€" 3, "😀" (a surrogate pair) 4, "a" 1: 10 bytes in 5 UTF-16 units.
        String prompt = "é€😀a";
        assertEquals(10, prompt.getBytes(StandardCharsets.UTF_8).length);
        LlmRequirements call = LlmRequirements.of("anthropic", "claude", prompt, 5);
        assertEquals(15, call.tokenUpperBound());
        assertEquals(
                new Requirement("global:llm:anthropic:claude:tpm", 15),
                call.requirements().get(1));
    }

    @Test
    void countsBytesAsTheJdkEncoderDoes() {
        String[] texts = {
            "",
            "plain",
            "日本語のプロンプト",
            "mixed ü 😀 text",
            "\uD800 lone high",
            "lone low \uDC00",
            "\uD83D",
            "end with high \uD83D",
            "\u0000\u007F\u0080\u07FF\u0800\uFFFF"
        };
        for (String text : texts) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, LlmRequirements.utf8Length(text), text);
        }
    }

    @Test
    void reservesTheTenantsDailyTokensWithTheSameBound() {
        LlmRequirements call = LlmRequirements.of("openai", "gpt-4o", "ab", 8).withTenant("acme");
        assertEquals(Optional.of("acme"), call.tenant());
        assertEquals(
                List.of(
                        new Requirement("global:llm:openai:gpt-4o:rpm", 1),
                        new Requirement("global:llm:openai:gpt-4o:tpm", 10),
                        new Requirement("global:llm:openai:gpt-4o:concurrency", 1),
                        new Requirement("tenant:acme:llm:daily_tokens", 10)),
                call.requirements());
    }

    @Test
    void reportsInputPlusOutputTokensForTheTokenKeys() {
        LlmRequirements call =
                LlmRequirements.of("openai", "gpt-4o", "prompt", 1_000).withTenant("acme");
        assertEquals(
                List.of(
                        new Actual("global:llm:openai:gpt-4o:tpm", 342),
                        new Actual("tenant:acme:llm:daily_tokens", 342)),
                call.actuals(300, 42));
        assertEquals(
                List.of(new Actual("global:llm:openai:gpt-4o:tpm", 0)),
                LlmRequirements.of("openai", "gpt-4o", "prompt", 1).actuals(0, 0));
    }

    @Test
    void buildsRequestsThatPassTheServersValidation() {
        LlmRequirements call =
                LlmRequirements.of("openai", "gpt-4o", "prompt", 1_000).withTenant("acme");
        RequestValidator validator = new RequestValidator(RequestLimits.DEFAULT);
        validator.validate(call.reserveRequest("01HZX3Y9M4V8K2J6Q7R5T1W0AB"));
        validator.validate(call.completeRequest("01HZX3Y9M4V8K2J6Q7R5T1W0AB", 10, 20));
        assertEquals(call.requirements(), call.reserveRequest("lease").requirements());
        assertEquals(call.actuals(10, 20), call.completeRequest("lease", 10, 20).actuals());
    }

    @Test
    void refusesBlankOrSpacedNames() {
        assertMessage("provider: must not be blank", () -> LlmRequirements.of(" ", "m", "p", 1));
        assertMessage("provider: must not be blank", () -> LlmRequirements.of(null, "m", "p", 1));
        assertMessage("model: must not be blank", () -> LlmRequirements.of("p", "", "p", 1));
        assertMessage(
                "model: must be printable ASCII without whitespace (it is part of a limit key), found U+0020"
                        + " at position 3",
                () -> LlmRequirements.of("p", "gpt 4", "p", 1));
        assertMessage(
                "provider: must be printable ASCII without whitespace (it is part of a limit key), found"
                        + " U+00E9 at position 0",
                () -> LlmRequirements.of("éa", "m", "p", 1));
        LlmRequirements call = LlmRequirements.of("p", "m", "p", 1);
        assertMessage("tenant: must not be blank", () -> call.withTenant("\t"));
        assertMessage(
                "tenant: must be printable ASCII without whitespace (it is part of a limit key), found U+000A"
                        + " at position 1",
                () -> call.withTenant("a\nb"));
    }

    @Test
    void refusesNamesThatMakeAKeyTooLong() {
        String model = "m".repeat(256 - "global:llm:p::concurrency".length());
        LlmRequirements.of("p", model, "", 1);
        assertMessage(
                "model: makes the limit key 257 characters long, at most 256 are allowed",
                () -> LlmRequirements.of("p", model + "m", "", 1));
        String tenant = "t".repeat(256 - "tenant::llm:daily_tokens".length());
        LlmRequirements.of("p", "m", "", 1).withTenant(tenant);
        assertMessage(
                "tenant: makes the limit key 257 characters long, at most 256 are allowed",
                () -> LlmRequirements.of("p", "m", "", 1).withTenant(tenant + "t"));
    }

    @Test
    void refusesTokenCountsBelowTheirMinimum() {
        assertMessage("max_output_tokens: must be at least 1, got 0", () -> LlmRequirements.of("p", "m", "x", 0));
        assertMessage("max_output_tokens: must be at least 1, got -5", () -> LlmRequirements.of("p", "m", "x", -5));
        LlmRequirements call = LlmRequirements.of("p", "m", "x", 1);
        assertMessage("input_tokens: must be at least 0, got -1", () -> call.actuals(-1, 0));
        assertMessage("output_tokens: must be at least 0, got -1", () -> call.actuals(0, -1));
    }

    @Test
    void refusesTokenBoundsThatOverflow() {
        assertEquals(
                Long.MAX_VALUE,
                LlmRequirements.of("p", "m", "ab", Long.MAX_VALUE - 2).tokenUpperBound());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LlmRequirements.of("p", "m", "abc", Long.MAX_VALUE - 2));
        assertTrue(e.getMessage().startsWith("max_output_tokens: the prompt's 3 bytes plus"), e.getMessage());
        LlmRequirements call = LlmRequirements.of("p", "m", "x", 1);
        assertEquals(Long.MAX_VALUE, call.actuals(Long.MAX_VALUE - 1, 1).get(0).actualAmount());
        assertThrows(IllegalArgumentException.class, () -> call.actuals(Long.MAX_VALUE, 1));
    }

    @Test
    void reservesCountedPromptTokensPlusTheOutputBound() {
        LlmRequirements call =
                LlmRequirements.ofPromptTokens("openai", "gpt-4o", 2_000, 1_000).withTenant("acme");
        assertEquals(3_000, call.tokenUpperBound());
        assertEquals(
                List.of(
                        new Requirement("global:llm:openai:gpt-4o:rpm", 1),
                        new Requirement("global:llm:openai:gpt-4o:tpm", 3_000),
                        new Requirement("global:llm:openai:gpt-4o:concurrency", 1),
                        new Requirement("tenant:acme:llm:daily_tokens", 3_000)),
                call.requirements());
        assertEquals(1, LlmRequirements.ofPromptTokens("p", "m", 0, 1).tokenUpperBound());
    }

    @Test
    void refusesCountedPromptsThatAreNegativeOrOverflow() {
        assertMessage(
                "prompt_tokens: must be at least 0, got -1", () -> LlmRequirements.ofPromptTokens("p", "m", -1, 1));
        assertMessage(
                "max_output_tokens: must be at least 1, got 0", () -> LlmRequirements.ofPromptTokens("p", "m", 5, 0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LlmRequirements.ofPromptTokens("p", "m", Long.MAX_VALUE, 1));
        assertTrue(
                e.getMessage().startsWith("max_output_tokens: the prompt's " + Long.MAX_VALUE + " tokens plus"),
                e.getMessage());
        assertMessage("provider: must not be blank", () -> LlmRequirements.ofPromptTokens(" ", "m", 1, 1));
    }

    @Test
    void equalCallsAreEqual() {
        assertEquals(LlmRequirements.of("p", "m", "ab", 3), LlmRequirements.of("p", "m", "xy", 3));
        assertEquals(
                LlmRequirements.of("p", "m", "ab", 3).withTenant("t").hashCode(),
                LlmRequirements.of("p", "m", "ab", 3).withTenant("t").hashCode());
    }

    private static void assertMessage(String expected, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, e.getMessage());
    }
}
