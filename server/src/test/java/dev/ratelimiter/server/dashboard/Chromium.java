package dev.ratelimiter.server.dashboard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Starts headless Chromium through chromedriver, both from Debian's packages ({@code chromium},
 * {@code chromium-driver}; {@code .ci/run} installs them) or from {@code CHROMIUM_BIN} and
 * {@code CHROMEDRIVER_BIN}. Without them the browser test classes are disabled ({@link Required})
 * with the reason, printed once per JVM, not once per test.
 *
 * <p>Paths are given to Selenium explicitly, so Selenium Manager never tries to download a browser.
 * Thread-safe: the one mutable field is guarded by the class monitor.
 */
final class Chromium {
    private static final Path DEFAULT_BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DEFAULT_DRIVER = Path.of("/usr/bin/chromedriver");
    private static boolean skipReported;

    private Chromium() {}

    /**
     * Disables a test class when there is no browser, with the reason; the same reason is printed once
     * per JVM. Put it on the class with {@code @ExtendWith(Chromium.Required.class)}.
     */
    static final class Required implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Optional<String> missing = missing();
            if (missing.isEmpty()) {
                return ConditionEvaluationResult.enabled("Chromium and chromedriver are installed");
            }
            String reason = "browser tests skipped: no " + missing.get();
            reportSkipOnce("[dashboard] " + reason);
            return ConditionEvaluationResult.disabled(reason);
        }
    }

    /** What is missing to run a browser, or empty when both the browser and its driver are there. */
    static Optional<String> missing() {
        Path browser = executable("CHROMIUM_BIN", DEFAULT_BROWSER);
        Path driver = executable("CHROMEDRIVER_BIN", DEFAULT_DRIVER);
        if (!Files.isExecutable(browser)) {
            return Optional.of(browser + " (Debian package chromium, or set CHROMIUM_BIN)");
        }
        if (!Files.isExecutable(driver)) {
            return Optional.of(driver + " (Debian package chromium-driver, or set CHROMEDRIVER_BIN)");
        }
        return Optional.empty();
    }

    /** A fresh headless browser with a window of {@code width} x {@code height}; aborts the test when none exists. */
    static ChromeDriver start(int width, int height) {
        return start(width, height, false);
    }

    /**
     * A fresh headless browser that presents itself as a phone of {@code width} x {@code height} CSS
     * pixels (Chromium's device emulation: viewport, pixel ratio 3, touch), because a desktop window
     * cannot be made narrower than about 500 pixels.
     */
    static ChromeDriver phone(int width, int height) {
        return start(width, height, true);
    }

    private static ChromeDriver start(int width, int height, boolean phone) {
        Optional<String> missing = missing();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "no browser: " + missing.orElse(""));
        Path browser = executable("CHROMIUM_BIN", DEFAULT_BROWSER);
        Path driver = executable("CHROMEDRIVER_BIN", DEFAULT_DRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        // --no-sandbox: CI runs as root, where Chromium refuses its sandbox; the page is our own.
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=" + width + "," + height);
        if (phone) {
            options.setExperimentalOption(
                    "mobileEmulation",
                    Map.of(
                            "deviceMetrics",
                            Map.of("width", width, "height", height, "pixelRatio", 3.0, "touch", true)));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        if (!phone) {
            chrome.manage().window().setSize(new Dimension(width, height));
        }
        chrome.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return chrome;
    }

    private static Path executable(String variable, Path fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : Path.of(value);
    }

    private static synchronized void reportSkipOnce(String line) {
        if (!skipReported) {
            skipReported = true;
            System.out.println(line);
        }
    }
}
