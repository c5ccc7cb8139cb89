package dev.ratelimiter.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.server.Api;
import dev.ratelimiter.server.TemporaryRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium against a server seeded with the example limits of
 * {@code config/limits.json}: the page lists every limit, follows a reserve made through the API
 * within 3 s, shows a decrease as decreasing and then active, and leaves screenshots under
 * {@code target/dashboard/} for people to look at.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Chromium.Required.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest implements TemporaryRegistry {
    /** The page refreshes every 1.5 s, so anything the API changes must show within 3 s. */
    private static final Duration FOLLOWS_WITHIN = Duration.ofSeconds(3);

    private static final Path SEED =
            Path.of("..", "config", "limits.json").toAbsolutePath().normalize();
    static final Path SCREENSHOTS = Path.of("target", "dashboard");
    private static final String TPM = "global:llm:openai:gpt-4o:tpm";

    @Inject
    EmbeddedServer server;

    private Api api;
    private ChromeDriver chrome;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TemporaryRegistry.super.getProperties());
        properties.put("ratelimiter.seed-limits-path", SEED.toString());
        return properties;
    }

    @BeforeAll
    void open() {
        assertTrue(Files.isRegularFile(SEED), "the example limits file exists: " + SEED);
        api = new Api(server.getURI());
        chrome = Chromium.start(1280, 900);
        chrome.get(server.getURI().resolve("/").toString());
    }

    @AfterAll
    void close() {
        if (chrome != null) {
            chrome.quit();
        }
    }

    @Test
    @Order(1)
    void listsEverySeededLimit() {
        List<String> seeded = api.codec().readLimits(Api.ok(api.get("/v1/admin/limits"))).stream()
                .map(info -> info.definition().key())
                .toList();
        assertEquals(7, seeded.size(), "config/limits.json has seven limits: " + seeded);

        waitUntil("every seeded limit has a card", () -> keysOnPage().containsAll(seeded));

        WebElement card = card(TPM);
        assertTrue(card.getText().contains("OpenAI gpt-4o tokens per minute"), card.getText());
        assertTrue(card.getText().contains("rolling 1 min"), card.getText());
        assertTrue(card.getText().contains("300,000 tokens"), card.getText());
    }

    @Test
    @Order(3)
    void followsAReserveMadeThroughTheApiWithinThreeSeconds() {
        waitUntil("the tpm card shows", () -> keysOnPage().contains(TPM));
        long before = reservedOnPage(TPM);

        assertTrue(api.reserve("browser-reserve-1", TPM, 150_000).allowed());
        long reservedAtNanos = System.nanoTime();

        waitUntil("the bar shows the reserve", FOLLOWS_WITHIN, () -> reservedOnPage(TPM) == before + 150_000);
        long shownAfterMs = (System.nanoTime() - reservedAtNanos) / 1_000_000;
        String style = card(TPM).findElement(By.cssSelector(".fill.reserved")).getAttribute("style");
        assertTrue(style.contains("width: " + (before + 150_000) * 100 / 300_000 + "%"), "the bar's share: " + style);
        System.out.println("[dashboard] a reserve showed on the page after " + shownAfterMs + " ms");
    }

    @Test
    @Order(4)
    void showsADecreaseAsDecreasingAndThenActive() {
        String key = "global:llm:browser:decrease:concurrency";
        api.putLimit(LimitDefinition.concurrency(key, 10, 600));
        assertTrue(api.reserve("browser-decrease-1", key, 8).allowed());
        waitUntil("the new limit shows", () -> keysOnPage().contains(key));

        api.putLimit(LimitDefinition.concurrency(key, 5, 600));

        waitUntil(
                "the card says decreasing",
                FOLLOWS_WITHIN,
                () -> "decreasing".equals(card(key).getAttribute("data-status")));
        assertEquals(
                "decreasing to 5",
                card(key).findElement(By.cssSelector(".badge.status")).getText());
        screenshot("dashboard-decreasing.png");

        api.complete("browser-decrease-1", key, 0);

        waitUntil(
                "the card says active again",
                FOLLOWS_WITHIN,
                () -> "active".equals(card(key).getAttribute("data-status")));
        assertEquals(
                "active", card(key).findElement(By.cssSelector(".badge.status")).getText());
        assertEquals(
                "5", card(key).findElement(By.cssSelector(".numbers .value")).getText(), "the new capacity");
    }

    @Test
    @Order(2)
    void showsAdmissionsAndDenialsPerKey() {
        String key = "global:llm:anthropic:claude-sonnet-4:concurrency";
        for (int i = 0; i < 12; i++) {
            api.reserve("browser-activity-" + i, key, 1); // capacity 10: ten admitted, two denied
        }

        waitUntil("the card counts 10 admitted and 2 denied", FOLLOWS_WITHIN, () -> {
            WebElement totals = card(key).findElement(By.cssSelector(".totals"));
            return "10".equals(totals.getAttribute("data-allowed")) && "2".equals(totals.getAttribute("data-denied"));
        });
        assertTrue(card(key).findElements(By.cssSelector(".activity svg rect")).size() >= 2, "columns are drawn");
    }

    @Test
    @Order(5)
    void isReadableOnAPhoneScreen() {
        ChromeDriver phone = Chromium.phone(390, 844);
        try {
            phone.get(server.getURI().resolve("/").toString());
            new WebDriverWait(phone, Duration.ofSeconds(10))
                    .until(d -> d.findElements(By.cssSelector("article.limit")).size() >= 7);
            save(phone.getScreenshotAs(OutputType.FILE).toPath(), "dashboard-phone.png");
            WebElement card = phone.findElement(By.cssSelector("article.limit"));
            assertTrue(
                    card.getRect().getWidth() <= 390,
                    "a card fits the phone's width: " + card.getRect().getWidth());
            assertEquals(
                    390L,
                    ((Number) phone.executeScript("return window.innerWidth;")).longValue(),
                    "a phone's viewport");
            Object scrollWidth = phone.executeScript("return document.documentElement.scrollWidth;");
            assertEquals(390L, ((Number) scrollWidth).longValue(), "no sideways scrolling");
        } finally {
            phone.quit();
        }
    }

    /** Last, so the page shows the bars and activity the other tests made: the picture in the README. */
    @Test
    @Order(6)
    void leavesAScreenshotOfTheWholePage() {
        api.reserve("browser-shot-1", "global:llm:openai:gpt-4o:rpm", 420);
        api.reserve("browser-shot-2", "tenant:acme:llm:daily_tokens", 640_000);
        api.reserve("browser-shot-3", "global:llm:anthropic:claude-sonnet-4:tpm", 31_000);
        api.reserve("browser-shot-4", "global:llm:anthropic:claude-sonnet-4:tpm", 12_000); // denied
        chrome.manage().window().setSize(new Dimension(1280, 1320));
        waitUntil(
                "the page shows the last reserves",
                FOLLOWS_WITHIN,
                () -> reservedOnPage("tenant:acme:llm:daily_tokens") >= 640_000);

        screenshot("dashboard.png");

        assertTrue(Files.isRegularFile(SCREENSHOTS.resolve("dashboard.png")));
    }

    private List<String> keysOnPage() {
        return chrome.findElements(By.cssSelector("article.limit")).stream()
                .map(e -> e.getAttribute("data-key"))
                .toList();
    }

    private WebElement card(String key) {
        return chrome.findElements(By.cssSelector("article.limit")).stream()
                .filter(e -> key.equals(e.getAttribute("data-key")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no card for " + key + "; the page shows " + keysOnPage()));
    }

    private long reservedOnPage(String key) {
        return Long.parseLong(card(key).getAttribute("data-reserved"));
    }

    private void waitUntil(String what, BooleanSupplier condition) {
        waitUntil(what, Duration.ofSeconds(10), condition);
    }

    private void waitUntil(String what, Duration deadline, BooleanSupplier condition) {
        try {
            new WebDriverWait(chrome, deadline, Duration.ofMillis(50)).until(d -> condition.getAsBoolean());
        } catch (TimeoutException e) {
            screenshot("failed-" + what.replaceAll("[^A-Za-z0-9]+", "-") + ".png");
            throw new AssertionError("within " + deadline.toMillis() + " ms: " + what, e);
        }
    }

    void screenshot(String name) {
        save(chrome.getScreenshotAs(OutputType.FILE).toPath(), name);
    }

    private static void save(Path shot, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError("could not save the screenshot " + name, e);
        }
    }
}
