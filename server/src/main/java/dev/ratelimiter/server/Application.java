package dev.ratelimiter.server;

import dev.ratelimiter.server.config.InvalidSettingException;
import dev.ratelimiter.server.config.LimiterSettings;
import dev.ratelimiter.server.lifecycle.BackendFactory;
import dev.ratelimiter.server.lifecycle.GracefulShutdown;
import dev.ratelimiter.server.lifecycle.StartupFailure;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Entry point of ratelimiterd: {@code java -jar ratelimiterd-all.jar}, configured by
 * {@code application.yml} and environment variables.
 *
 * <p>The context and server are started here rather than by {@code Micronaut.run} for two reasons:
 * a configuration, registry or seed problem is reported as one clear line (exit code 1) instead of
 * a stack trace, and the SIGTERM hook is {@link GracefulShutdown}, which answers in-flight requests
 * before anything is closed.
 */
public final class Application {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final String MICRONAUT_MESSAGE_PREFIX = "Message: ";

    private Application() {}

    public static void main(String[] args) {
        // Our modules log through SLF4J; libraries that use java.util.logging go to the same log.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        ApplicationContext context = null;
        try {
            context = ApplicationContext.builder()
                    .mainClass(Application.class)
                    .args(args)
                    .start();
            EmbeddedServer server = context.getBean(EmbeddedServer.class);
            server.start();
            // The memory backend's books are read while the HTTP server starts; requests that
            // arrive first are answered once they are back. Damage stops the start here.
            context.getBean(BackendFactory.class).awaitBooks();
            long gracePeriodMs = context.getBean(LimiterSettings.class).shutdownGracePeriodMs();
            ApplicationContext running = context;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> GracefulShutdown.stop(running, server, gracePeriodMs), "ratelimiterd-shutdown"));
            LOG.info("ratelimiterd listening on {}", server.getURL());
        } catch (RuntimeException e) {
            LOG.error("ratelimiterd cannot start: {}", describe(e));
            LOG.debug("Start failure in detail", e);
            if (context != null && context.isRunning()) {
                context.close();
            }
            System.exit(1);
        }
    }

    /**
     * One line that says what is wrong: the message of our own {@link StartupFailure} or
     * {@link InvalidSettingException} when there is one in the cause chain (Micronaut wraps them in
     * bean-creation exceptions), else the innermost message with its line breaks folded.
     */
    static String describe(Throwable failure) {
        Throwable innermost = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StartupFailure || cause instanceof InvalidSettingException) {
                return cause.getMessage();
            }
            innermost = cause;
        }
        String message = innermost.getMessage() == null ? innermost.getClass().getName() : innermost.getMessage();
        // Micronaut's bean-creation messages put the useful sentence on a "Message: " line, followed
        // by the injection path; the last such line is the most specific.
        String specific = null;
        for (String line : message.split("\n")) {
            if (line.startsWith(MICRONAUT_MESSAGE_PREFIX)) {
                specific = line.substring(MICRONAUT_MESSAGE_PREFIX.length()).strip();
            }
        }
        return specific != null ? specific : message.strip().replaceAll("\\s*\\n\\s*", " | ");
    }
}
