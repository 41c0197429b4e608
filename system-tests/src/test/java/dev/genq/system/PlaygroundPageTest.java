package dev.genq.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genq.local.RequiredTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The playground in real headless Chromium against the whole platform: a client signs in with a key of a tenant of
 * its own, generates previews with the keyboard alone, sees four real pictures load, upscales one, sees the cost the
 * API billed and the lineage in its gallery; live previews arrive from the event stream while a job runs; a refused
 * request shows the API's problem and creates nothing. Screenshots land in system-tests/target/playground/.
 */
class PlaygroundPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

    final Platform platform = Platform.get();
    WebDriver browser;
    WebDriverWait wait;
    String key;

    @BeforeEach
    void startBrowser() throws Exception {
        Assumptions.assumeTrue(RequiredTools.available("the playground in headless Chromium",
                RequiredTools.onPath(CHROMIUM.toString(), CHROMEDRIVER.toString()),
                "apt-get install chromium chromium-driver"), "Chromium is not installed");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createTempDirectory("genq-chromium"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        // the page re-draws a job's tiles on every event: an element found a moment ago may be gone, so look again
        wait = (WebDriverWait) new WebDriverWait(browser, JOB_TIMEOUT).ignoring(StaleElementReferenceException.class);
        key = platform.newTenant(""); // a tenant of its own: its gallery holds exactly this test's jobs
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theRootRedirectsToAPageThatCannotBeFramedAndLoadsNothingForeign() {
        Platform.Reply root = platform.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(platform.gatewayUrl + "/")).GET().build());
        assertEquals(303, root.status());
        assertEquals("/playground/", root.headers().firstValue("Location").orElse(""));
        Platform.Reply page = platform.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(platform.gatewayUrl + "/playground/")).GET().build());
        assertEquals(200, page.status());
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("default-src 'self'") && csp.contains("connect-src 'self'")
                && csp.contains("frame-ancestors 'none'") && csp.contains("img-src 'self' data: http://127.0.0.1:"), csp);
    }

    @Test
    void aClientGeneratesWithTheKeyboardSeesRealPicturesUpscalesOneAndSeesItsCost() throws Exception {
        signIn();
        WebElement prompt = browser.findElement(By.id("prompt"));
        wait.until(d -> prompt.equals(d.switchTo().activeElement())); // signing in puts the cursor in the prompt
        prompt.sendKeys("a red apple");
        replace("steps", "8");
        replace("seed", "11");
        browser.findElement(By.id("prompt")).sendKeys(Keys.ENTER); // the form submits from the keyboard

        List<WebElement> previews = awaitFinalImages(4, 32);
        for (WebElement img : previews) {
            Pictures.assertPicture(platform.download(img.getAttribute("src")), 32, "a preview the page shows");
        }
        String previewJob = text("job-id");
        JsonNode preview = platform.get(key, "/v1/jobs/" + previewJob).body();
        assertEquals("succeeded", preview.path("status").asText());
        assertCostShown(preview);
        screenshot("previews");

        // upscale sample 2 from the keyboard: its button takes focus, Enter presses it
        WebElement upscale = browser.findElement(By.cssSelector("#tiles li[data-sample='2'] button.upscale"));
        ((JavascriptExecutor) browser).executeScript("arguments[0].focus()", upscale);
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        wait.until(d -> !previewJob.equals(text("job-id")));
        WebElement upscaled = awaitFinalImages(1, 128).get(0);
        Pictures.assertPicture(platform.download(upscaled.getAttribute("src")), 128, "the upscale the page shows");
        JsonNode full = platform.get(key, "/v1/jobs/" + text("job-id")).body();
        assertEquals(previewJob, full.path("parent_id").asText());
        assertEquals(2, full.path("parent_sample").asInt());
        assertEquals("upscale of " + previewJob.substring(0, 8) + " #2", text("job-lineage"));
        assertCostShown(full);

        // the gallery: both jobs, newest first, the upscale naming its parent, each with its cost per sample
        wait.until(d -> galleryRows().size() == 2 && galleryRows().get(0).getText().contains("succeeded")
                && galleryRows().get(1).getText().contains("succeeded"));
        List<WebElement> rows = galleryRows();
        assertEquals(full.path("id").asText(), rows.get(0).getAttribute("data-id"));
        assertTrue(rows.get(0).getText().contains(previewJob.substring(0, 8) + " #2"), rows.get(0).getText());
        assertShows(preview.path("cost").path("usd").asDouble() / 4, rows.get(1).findElements(By.tagName("td")).get(5).getText());
        screenshot("upscaled");
    }

    @Test
    void livePreviewsArriveFromTheEventStreamWhileTheJobRuns() throws Exception {
        signIn();
        browser.findElement(By.id("prompt")).sendKeys("a green pear");
        replace("steps", "400"); // long, and canceled once a preview was seen: "while it runs" needs no fast machine
        replace("samples", "2");
        // the page re-draws its tiles on every event; an observer records the first live preview it ever shows, so the
        // check holds however briefly the preview stood before the next event replaced it
        ((JavascriptExecutor) browser).executeScript("""
                window.seenPreview = null;
                new MutationObserver(() => {
                  const img = document.querySelector('#tiles img.preview');
                  if (img && !window.seenPreview) {
                    window.seenPreview = { src: img.src.slice(0, 22), alt: img.alt };
                    const probe = new Image(); // the tile may be re-drawn meanwhile: decode its source on its own
                    probe.src = img.src;
                    probe.decode().then(() => window.seenPreview.width = probe.naturalWidth, () => window.seenPreview.width = -1);
                  }
                }).observe(document.getElementById('tiles'), { childList: true, subtree: true });""");
        browser.findElement(By.id("submit")).click();
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = wait.until(d -> {
            Object s = ((JavascriptExecutor) d).executeScript("return window.seenPreview && window.seenPreview.width ? window.seenPreview : null");
            return (Map<String, Object>) s;
        });
        assertEquals("data:image/png;base64,", seen.get("src"), "a preview is the stream's data URL");
        assertEquals(32L, ((Number) seen.get("width")).longValue(), "decoded at the model's size");
        assertTrue(String.valueOf(seen.get("alt")).matches("live preview of sample \\d, step \\d+ of 400"), String.valueOf(seen.get("alt")));
        screenshot("live-preview");

        int cancel = platform.post(key, "/v1/jobs/" + text("job-id") + "/cancel", "{}").status();
        assertTrue(cancel == 200 || cancel == 409, "canceled, or it had already finished: " + cancel);
        // the page follows the stream to the job's end, whichever it was
        wait.until(d -> text("job-status").startsWith(cancel == 200 ? "canceled" : "succeeded"));
    }

    @Test
    void aRefusedRequestShowsTheApisProblemAndCreatesNothing() {
        signIn();
        browser.findElement(By.id("prompt")).sendKeys("too many steps");
        replace("steps", "100000");
        browser.findElement(By.id("submit")).click();
        WebElement problem = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("problem")));
        assertTrue(problem.getText().startsWith("400 steps_out_of_range — 'steps' must be between 1 and"), problem.getText());
        assertTrue(platform.get(key, "/v1/jobs").body().path("data").isEmpty(), "nothing was created");

        browser.findElement(By.id("sign-out")).click(); // and a key that is not one is refused with its problem
        browser.findElement(By.id("key")).sendKeys("gq_not-a-key-000000000000000000000000000", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("problem"), "401"));
        assertTrue(browser.findElement(By.id("studio")).getAttribute("hidden") != null, "not signed in");
    }

    private void signIn() {
        browser.get(platform.gatewayUrl + "/");
        wait.until(ExpectedConditions.urlToBe(platform.gatewayUrl + "/playground/"));
        browser.findElement(By.id("key")).sendKeys(key, Keys.ENTER);
        // the model list comes from the models API, the default model chosen and its defaults filled in
        wait.until(d -> "tiny-base".equals(d.findElement(By.id("model")).getAttribute("value"))
                && !d.findElement(By.id("steps")).getAttribute("value").isEmpty());
        assertFalse(browser.findElement(By.id("model-hint")).getText().isEmpty());
    }

    private void replace(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private List<WebElement> galleryRows() {
        return browser.findElements(By.cssSelector("#gallery tbody tr"));
    }

    /** Waits until the job shown has {@code count} released images, loaded by the browser at {@code size} pixels. */
    private List<WebElement> awaitFinalImages(int count, int size) {
        return wait.until(d -> {
            List<WebElement> images = d.findElements(By.cssSelector("#tiles img.final"));
            return images.size() == count && images.stream().allMatch(i -> naturalWidth(i) == size) ? images : null;
        });
    }

    private long naturalWidth(WebElement img) {
        return ((Number) ((JavascriptExecutor) browser).executeScript("return arguments[0].naturalWidth", img)).longValue();
    }

    /** The page's cost line says what the API billed, in total and per sample (to the three digits it shows). */
    private void assertCostShown(JsonNode job) {
        double total = job.path("cost").path("usd").asDouble();
        int samples = job.path("samples").size();
        assertTrue(total > 0, "billed: " + job);
        wait.until(ExpectedConditions.textMatches(By.id("job-cost"), COST_LINE));
        java.util.regex.Matcher m = COST_LINE.matcher(text("job-cost"));
        assertTrue(m.matches(), text("job-cost"));
        assertShows(total, m.group(1));
        assertShows(total / samples, m.group(2));
    }

    static final java.util.regex.Pattern COST_LINE = java.util.regex.Pattern.compile("cost (\\S+) \\((\\S+) per sample\\)");

    /** {@code shown} is a dollar amount within rounding to three significant digits of {@code usd}. */
    private static void assertShows(double usd, String shown) {
        assertTrue(shown.startsWith("$"), shown);
        double value = Double.parseDouble(shown.substring(1).replace(",", ""));
        assertEquals(usd, value, usd * 0.005 + 1e-12, "shown " + shown + " for " + usd);
    }

    private void screenshot(String name) throws Exception {
        Path dir = platform.root().resolve("system-tests/target/playground");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
