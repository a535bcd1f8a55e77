package io.respite.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.respite.testing.RedisExtension;
import io.respite.testing.RedisServer;
import io.respite.testing.RespTestClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium loads {@code GET /} from the admin listener,
 * draws its six charts, and shows the hit ratio of the traffic sent through respite, with nothing
 * on the browser's console at error level. With {@code -Ddashboard.screenshot=PATH} it then puts
 * the proxy under mixed load for {@code dashboard.screenshot.seconds} (60 by default) and saves a
 * PNG of the page there, as {@code docs/dashboard.png} was made.
 */
@ExtendWith(RedisExtension.class)
class DashboardIT {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1000;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern PERCENT = Pattern.compile("(\\d+\\.\\d) %");

    /** What {@code #hit-ratio} shows while no read has been counted since the last poll. */
    private static final String NO_RATIO = "–";

    @Test
    void chartsDrawAndTheHitRatioFollowsTraffic(RedisServer redis) throws Exception {
        try (ProxyFixture fixture = ProxyFixture.startCaching(redis);
                HeadlessChromium browser = HeadlessChromium.start(WIDTH, HEIGHT)) {
            RespTestClient client = fixture.client();
            assertEquals("+OK\r\n", client.callString("SET", "page:hot", "v"));
            fixture.awaitCached(client, "page:hot", "$1\r\nv\r\n");

            ChromeDriver driver = browser.driver();
            driver.get("http://127.0.0.1:" + fixture.proxy().adminAddress().getPort() + "/");
            assertEquals("respite", driver.getTitle());
            WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
            wait.withMessage("six uPlot charts with a non-zero size").until(d -> drawnCharts(d) == 6);
            wait.withMessage("the first /stats read")
                    .until(d -> text(d, "state").contains("tracking, caching"));
            assertEquals(NO_RATIO, text(driver, "hit-ratio"), "no reads yet");

            // Three hits to one miss, interleaved so that any second the page measures holds about that ratio;
            // sent again on each poll of the page until it shows a figure.
            String ratio = wait.withMessage("#hit-ratio shows a percentage").until(d -> {
                sendReads(client, 10);
                String shown = text(d, "hit-ratio");
                return PERCENT.matcher(shown).matches() ? shown : null;
            });
            Matcher percent = PERCENT.matcher(ratio);
            assertTrue(percent.matches(), ratio);
            double shown = Double.parseDouble(percent.group(1));
            assertTrue(shown >= 60 && shown <= 90, "three hits to one miss, shown as " + ratio);
            assertTrue(Long.parseLong(text(driver, "reads").replace(",", "")) > 0, text(driver, "reads"));
            Object plotted = driver.executeScript("return charts.ratio.data[1].filter(v => v != null).length");
            assertTrue(((Number) plotted).longValue() >= 1, "hit-ratio points plotted: " + plotted);

            wait.withMessage("the hot-keys table names page:hot")
                    .until(d -> d.findElements(By.cssSelector("#hot-keys tr td.key")).stream()
                            .anyMatch(cell -> cell.getText().equals("page:hot")));
            assertEquals(List.of(), browser.consoleErrors(), "errors on the browser's console");

            String screenshot = System.getProperty("dashboard.screenshot", "");
            if (!screenshot.isEmpty()) {
                Duration load = Duration.ofSeconds(Long.getLong("dashboard.screenshot.seconds", 60));
                DashboardLoad.run(fixture, redis, load);
                saveScreenshot(driver, Path.of(screenshot));
                assertEquals(List.of(), browser.consoleErrors(), "errors on the browser's console under load");
            }
        }
    }

    /** Keys read once each, so that every read of one misses (respite caches absent keys too). */
    private int absent;

    /** {@code rounds} times three GETs of the cached key and one of a key never read before, which does not exist. */
    private void sendReads(RespTestClient client, int rounds) {
        try {
            for (int i = 0; i < rounds; i++) {
                for (int hit = 0; hit < 3; hit++) {
                    assertEquals("$1\r\nv\r\n", client.callString("GET", "page:hot"));
                }
                assertEquals("$-1\r\n", client.callString("GET", "page:absent:" + absent++));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many uPlot canvases the page shows with a non-zero size. */
    private static long drawnCharts(WebDriver driver) {
        return driver.findElements(By.cssSelector(".uplot canvas")).stream()
                .filter(canvas ->
                        canvas.getSize().getWidth() > 0 && canvas.getSize().getHeight() > 0)
                .count();
    }

    private static String text(WebDriver driver, String id) {
        WebElement element = driver.findElement(By.id(id));
        return element.getText();
    }

    /** Saves the whole page as a PNG: the window grows to the page's height first, tables included. */
    private static void saveScreenshot(ChromeDriver driver, Path target) throws IOException {
        Number chrome = (Number) driver.executeScript("return window.outerHeight - window.innerHeight");
        Number page = (Number) driver.executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(WIDTH, Math.max(HEIGHT, page.intValue() + chrome.intValue())));
        new WebDriverWait(driver, WAIT)
                .withMessage("the window shows the whole page")
                .until(d -> (Boolean)
                        driver.executeScript("return window.innerHeight >= document.documentElement.scrollHeight"));
        Path png = driver.getScreenshotAs(OutputType.FILE).toPath();
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.copy(png, target, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("dashboard screenshot: " + target.toAbsolutePath());
    }
}
