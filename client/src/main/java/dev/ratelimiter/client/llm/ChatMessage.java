package dev.ratelimiter.client.llm;

import java.util.Objects;

/**
 * One message of a chat prompt, as sent to a provider's chat API.
 *
 * @param role who speaks: {@code system}, {@code user}, {@code assistant} (or a provider's own role)
 * @param content the message's text (any Unicode)
 * @param name the optional participant name of OpenAI's chat format; empty when there is none
 */
public record ChatMessage(String role, String content, String name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        name = name == null ? "" : name;
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, "");
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, "");
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, "");
    }
}
