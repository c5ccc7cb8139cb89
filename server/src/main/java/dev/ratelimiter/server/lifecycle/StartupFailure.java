package dev.ratelimiter.server.lifecycle;

/**
 * The server cannot start: a setting, the registry or the seed limits file is wrong. The message is
 * complete on its own (it names the setting, file or entry and the rule), so it is logged as one
 * line without a stack trace.
 */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
