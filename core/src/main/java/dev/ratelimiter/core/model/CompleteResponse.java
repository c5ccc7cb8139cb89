package dev.ratelimiter.core.model;

import java.util.Objects;

/** The answer to a complete: {@code ok} with an empty error, or not ok with an error code. */
public record CompleteResponse(boolean ok, String error) {
    private static final CompleteResponse OK = new CompleteResponse(true, "");

    public CompleteResponse {
        Objects.requireNonNull(error, "error");
    }

    public static CompleteResponse succeeded() {
        return OK;
    }

    public static CompleteResponse failed(String error) {
        return new CompleteResponse(false, error);
    }
}
