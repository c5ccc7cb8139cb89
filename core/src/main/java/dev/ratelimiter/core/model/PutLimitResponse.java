package dev.ratelimiter.core.model;

/** The answer to an admin PUT once the change is durable: the status the key now has. */
public record PutLimitResponse(boolean ok, LimitStatus status) {}
