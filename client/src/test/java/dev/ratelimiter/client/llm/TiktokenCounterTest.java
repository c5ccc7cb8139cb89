package dev.ratelimiter.client.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TiktokenCounterTest {
    private static final TiktokenCounter CL100K = TiktokenCounter.cl100k();
    private static final TiktokenCounter O200K = TiktokenCounter.o200k();

    @Test
    void countsWellKnownExamples() {
        // OpenAI's cookbook: "tiktoken is great!" is 6 tokens; "hello world" is 2 in both encodings.
        assertEquals(2, CL100K.countText("hello world"));
        assertEquals(2, O200K.countText("hello world"));
        assertEquals(6, CL100K.countText("tiktoken is great!"));
        assertEquals(6, O200K.countText("tiktoken is great!"));
        assertEquals(0, CL100K.countText(""));
    }

    @Test
    void countsEveryCorpusTextAsAnIndependentTokenizerDoes() {
        for (TokenCorpus entry : TokenCorpus.load()) {
            assertEquals(entry.cl100k(), CL100K.countText(entry.text()), "cl100k_base of " + entry.name());
            assertEquals(entry.o200k(), O200K.countText(entry.text()), "o200k_base of " + entry.name());
        }
    }

    @Test
    void countsAChatAsTheOpenAiApiDoes() {
        // The example chat of OpenAI's cookbook "How to count tokens with tiktoken"; the API answered
        // 129 prompt tokens for gpt-3.5-turbo and gpt-4, and 124 for gpt-4o and gpt-4o-mini.
        List<ChatMessage> chat = List.of(
                ChatMessage.system("You are a helpful, pattern-following assistant that translates corporate jargon"
                        + " into plain English."),
                new ChatMessage("system", "New synergies will help drive top-line growth.", "example_user"),
                new ChatMessage("system", "Things working well together will increase revenue.", "example_assistant"),
                new ChatMessage(
                        "system",
                        "Let's circle back when we have more bandwidth to touch base on opportunities"
                                + " for increased leverage.",
                        "example_user"),
                new ChatMessage(
                        "system", "Let's talk later when we're less busy about how to do better.", "example_assistant"),
                ChatMessage.user(
                        "This late pivot means we don't have time to boil the ocean for the client" + " deliverable."));
        assertEquals(129, CL100K.countChat(chat));
        assertEquals(124, O200K.countChat(chat));
    }

    @Test
    void addsThreeTokensPerMessageAndThreeForTheReply() {
        // "user" and "system" are one token each in both encodings.
        assertEquals(3 + 3 + 1 + 2, O200K.countPrompt("hello world"));
        assertEquals(
                3 + (3 + 1 + 2) + (3 + 1 + 6),
                O200K.countChat(List.of(ChatMessage.system("hello world"), ChatMessage.user("tiktoken is great!"))));
        assertEquals(3, O200K.countChat(List.of()));
    }

    @Test
    void countsNonAsciiChatsExactly() {
        List<TokenCorpus> corpus = TokenCorpus.load();
        TokenCorpus chinese = corpus.stream()
                .filter(e -> e.name().equals("chinese"))
                .findFirst()
                .orElseThrow();
        TokenCorpus russian = corpus.stream()
                .filter(e -> e.name().equals("russian"))
                .findFirst()
                .orElseThrow();
        List<ChatMessage> chat = List.of(ChatMessage.system(chinese.text()), ChatMessage.user(russian.text()));
        assertEquals(3 + (3 + 1 + chinese.o200k()) + (3 + 1 + russian.o200k()), O200K.countChat(chat));
        assertEquals(3 + (3 + 1 + chinese.cl100k()) + (3 + 1 + russian.cl100k()), CL100K.countChat(chat));
    }

    @Test
    void countsSpecialTokenTextAsOrdinaryText() {
        // The chat API treats "<|endoftext|>" in a message as text, never as the special token.
        assertTrue(CL100K.countText("<|endoftext|>") > 1, "counted as the one special token");
        assertTrue(O200K.countText("<|endoftext|>") > 1, "counted as the one special token");
    }

    @Test
    void saysWhatItIs() {
        assertEquals(CountAccuracy.EXACT, O200K.accuracy());
        assertEquals("o200k_base (exact)", O200K.description());
        assertEquals("cl100k_base (exact)", CL100K.description());
    }
}
