package dev.ratelimiter.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.core.model.LimitDefinition;
import dev.ratelimiter.server.Api;
import dev.ratelimiter.server.TemporaryRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * With {@code ratelimiter.admin.token} set, the page shows no limit until the admin token is given:
 * it asks for it, refuses a wrong one, and shows the limits once the right one is entered.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(Chromium.Required.class)
class DashboardTokenBrowserTest implements TemporaryRegistry {
    private static final String ADMIN_TOKEN = "dashboard-admin-token-3c9e";
    private static final String KEY = "global:llm:dashboard:token:rpm";

    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(TemporaryRegistry.super.getProperties());
        properties.put("ratelimiter.admin.token", ADMIN_TOKEN);
        return properties;
    }

    @Test
    void asksForTheAdminTokenAndShowsTheLimitsOnlyWithTheRightOne() {
        new Api(server.getURI(), ADMIN_TOKEN).putLimit(LimitDefinition.rolling(KEY, 100, 60));
        ChromeDriver chrome = Chromium.start(1280, 900);
        try {
            WebDriverWait wait = new WebDriverWait(chrome, Duration.ofSeconds(10), Duration.ofMillis(50));
            chrome.get(server.getURI().resolve("/").toString());
            WebElement input = wait.until(d -> {
                WebElement field = d.findElement(By.id("token-input"));
                return field.isDisplayed() ? field : null;
            });
            assertEquals(0, chrome.findElements(By.cssSelector("article.limit")).size(), "no limit without the token");

            input.sendKeys("not-the-token");
            chrome.findElement(By.cssSelector("#token button[type=submit]")).click();
            wait.until(d -> d.findElement(By.id("token-error")).isDisplayed());
            assertTrue(chrome.findElement(By.id("token-error")).getText().contains("did not accept"));
            assertEquals(0, chrome.findElements(By.cssSelector("article.limit")).size());

            chrome.findElement(By.id("token-input")).sendKeys(ADMIN_TOKEN);
            chrome.findElement(By.cssSelector("#token button[type=submit]")).click();
            wait.until(d -> d.findElements(By.cssSelector("article.limit[data-key='" + KEY + "']"))
                            .size()
                    == 1);
            assertTrue(!chrome.findElement(By.id("token-form")).isDisplayed(), "the form is gone");
        } finally {
            chrome.quit();
        }
    }
}
