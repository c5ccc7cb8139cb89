package dev.ratelimiter.stepdefs.hooks.url;

import dev.ratelimiter.stepdefs.target.Targets;
import dev.ratelimiter.stepdefs.target.UrlTarget;
import io.cucumber.java.AfterAll;
import io.cucumber.java.BeforeAll;

/** Connects the suite to the server at RATELIMITER_URL, or skips it when the variable is unset. */
public final class UrlTargetHooks {
    private UrlTargetHooks() {}

    @BeforeAll
    public static void connect() {
        UrlTarget.configured()
                .ifPresentOrElse(
                        uri -> Targets.start(() -> UrlTarget.connect(uri)),
                        () -> Targets.skip("url target skipped: " + UrlTarget.VARIABLE + " is not set (set it to a"
                                + " server's base URL, e.g. " + UrlTarget.VARIABLE + "=http://127.0.0.1:8080)"));
    }

    @AfterAll
    public static void disconnect() {
        Targets.stop();
    }
}
