package dev.ratelimiter.core.wire;

/** The body of every error answer: a code of SPEC 3 and a human text naming what is wrong. */
public record ErrorBody(String error, String detail) {}
