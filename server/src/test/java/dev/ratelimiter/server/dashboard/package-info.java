/**
 * The dashboard page tested in a real browser: Debian's headless Chromium driven by Selenium
 * WebDriver against a server started in the test JVM. {@link dev.ratelimiter.server.dashboard.Chromium}
 * finds the browser and its driver, or says in one line why the browser tests are skipped.
 * Screenshots go to {@code server/target/dashboard/}. Depends on Selenium, the server's test
 * client and Micronaut Test.
 */
package dev.ratelimiter.server.dashboard;
