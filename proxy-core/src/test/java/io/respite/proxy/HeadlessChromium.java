package io.respite.proxy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Debian's headless Chromium driven through its own chromedriver: {@code $CHROMIUM} and
 * {@code $CHROMEDRIVER} if set, else {@code chromium} and {@code chromedriver} on {@code PATH}
 * ({@code scripts/ensure-chromium.sh} installs both). Both paths are given to Selenium, so Selenium
 * Manager never looks for, or downloads, a browser or a driver. The browser's console is recorded
 * at every level. When either binary is missing, {@link #start(int, int)} fails the test saying
 * what to install, as the Redis harness does for {@code redis-server}: a missing browser never
 * passes as a skipped test. Not thread-safe.
 */
final class HeadlessChromium implements AutoCloseable {

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** A new headless browser with a {@code width} x {@code height} window; fails when Chromium is missing. */
    static HeadlessChromium start(int width, int height) {
        Path chromium = locate("CHROMIUM", "chromium");
        Path chromedriver = locate("CHROMEDRIVER", "chromedriver");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--hide-scrollbars",
                        "--window-size=" + width + "," + height);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, Level.ALL.getName()));
        try {
            return new HeadlessChromium(service, new ChromeDriver(service, options));
        } catch (RuntimeException | Error e) {
            service.stop();
            throw e;
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    /** The console's entries at {@code SEVERE} (errors, failed loads) since the last call, one a line. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::toString)
                .collect(Collectors.toList());
    }

    /** Quits the browser and stops its driver. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    /** {@code $variable} if set (it must then be an executable file), else {@code name} on {@code PATH}. */
    private static Path locate(String variable, String name) {
        String explicit = System.getenv(variable);
        if (explicit != null && !explicit.isEmpty()) {
            Path path = Path.of(explicit);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new AssertionError(variable + "=" + explicit + " is not an executable file");
            }
            return path;
        }
        return onPath(name)
                .orElseThrow(() -> new AssertionError("missing " + name + ": run scripts/ensure-chromium.sh"
                        + " (Debian: apt-get install chromium chromium-driver) or set " + variable + "=/path/to/"
                        + name));
    }

    private static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
