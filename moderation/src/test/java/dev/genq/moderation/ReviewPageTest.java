package dev.genq.moderation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.genq.moderation.ModerationFixtures.Tenancy;
import dev.genq.moderation.release.SampleModerator;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobStatus;
import dev.genq.storage.job.Sample;
import dev.genq.storage.job.SampleId;
import dev.genq.storage.job.SampleStatus;
import dev.genq.storage.messaging.SampleGenerated;
import dev.genq.storage.review.ReviewEvent;
import dev.genq.storage.review.ReviewItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.Color;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page in real headless Chromium (Debian's chromium and chromium-driver): a reviewer signs in
 * with a key, sees each item's quality verdict, approves one item with the mouse, rejects another with the keyboard, and the result is
 * checked in the database.
 */
@QuarkusTest
class ReviewPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final ModerationFixtures fixtures;
    final SampleModerator moderator;
    WebDriver browser;

    @TestHTTPResource("/review/")
    URL page;

    ReviewPageTest(ModerationFixtures fixtures, SampleModerator moderator) {
        this.fixtures = fixtures;
        this.moderator = moderator;
    }

    @BeforeEach
    void startBrowser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.genq.local.RequiredTools.available("the review page in headless Chromium",
                dev.genq.local.RequiredTools.onPath(CHROMIUM.toString(), CHROMEDRIVER.toString()),
                "apt-get install chromium chromium-driver"), "Chromium is not installed");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("genq-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    static SampleStatus status(SampleGenerated e) {
        return QuarkusTransaction.requiringNew().call(() -> Sample.<Sample>findById(new SampleId(e.jobId(), e.idx())).status);
    }

    static JobStatus jobStatus(UUID job) {
        return QuarkusTransaction.requiringNew().call(() -> Job.<Job>findById(job).status);
    }

    WebElement row(String prompt) {
        return browser.findElements(By.cssSelector("#queue tbody tr")).stream()
                .filter(r -> r.getText().contains(prompt)).findFirst().orElseThrow(() -> new AssertionError("no row for " + prompt));
    }

    @Test
    void thePageCannotBeFramedAndLoadsNothingForeign() {
        io.restassured.RestAssured.given().when().get(page.toString()).then().statusCode(200)
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", org.hamcrest.Matchers.allOf(
                        org.hamcrest.Matchers.containsString("default-src 'self'"),
                        org.hamcrest.Matchers.containsString("frame-ancestors 'none'"),
                        org.hamcrest.Matchers.containsString("img-src 'self' http")));
    }

    @Test
    void aReviewerApprovesOneItemAndRejectsAnother() {
        Tenancy t = fixtures.tenant();
        SampleGenerated first = fixtures.job(t.tenant(), "first red square", Color.RED).get(0);
        SampleGenerated second = fixtures.job(t.tenant(), "second red square", Color.RED).get(0);
        moderator.handle(first);
        moderator.handle(second);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        browser.get(page.toString());
        browser.findElement(By.id("key")).sendKeys(t.reviewerKey());
        browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#queue tbody tr"), 2));
        assertEquals("2 pending", browser.findElement(By.id("status")).getText());
        // the quality verdict sits beside the safety scores: the judge's adherence and its pass mark
        assertTrue(row("first red square").getText().matches("(?s).*adherence -?\\d\\.\\d\\d \\(passes at -?\\d\\.\\d\\d\\).*"),
                row("first red square").getText());
        // the thumbnail really loads from quarantine through its presigned URL
        WebElement thumb = row("first red square").findElement(By.cssSelector("img.thumb"));
        wait.until(d -> ((Number) ((JavascriptExecutor) d).executeScript("return arguments[0].naturalWidth", thumb)).intValue() == 32);

        row("first red square").findElement(By.cssSelector("button.approve")).click();
        wait.until(ExpectedConditions.textToBe(By.id("status"), "1 pending"));

        row("second red square").click(); // select it, then decide with the keyboard
        browser.findElement(By.id("note")).sendKeys("a weapon-red square");
        browser.findElement(By.tagName("body")).click();
        browser.findElement(By.tagName("body")).sendKeys("r");
        wait.until(ExpectedConditions.textToBe(By.id("status"), "0 pending"));

        assertEquals(SampleStatus.RELEASED, status(first));
        assertEquals(JobStatus.SUCCEEDED, jobStatus(first.jobId()));
        assertEquals(SampleStatus.REJECTED, status(second));
        assertEquals(JobStatus.REJECTED, jobStatus(second.jobId()));
        List<String> trail = QuarkusTransaction.requiringNew().call(() -> {
            ReviewItem item = ReviewItem.find("jobId", second.jobId()).firstResult();
            return ReviewEvent.of(item.id).stream().map(e -> e.action + "|" + e.note).toList();
        });
        assertTrue(trail.contains("rejected|a weapon-red square"), trail.toString());
    }
}
