package dev.pocketmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pocketmesh.contracts.FieldError;
import dev.pocketmesh.contracts.JobState;
import dev.pocketmesh.contracts.TrialKind;
import dev.pocketmesh.contracts.TrialState;
import dev.pocketmesh.learner.LearnerCatalog;
import dev.pocketmesh.spec.JobSpecException;
import dev.pocketmesh.spec.JobSpecParser;
import dev.pocketmesh.spec.JobSpecValidator;
import dev.pocketmesh.state.TrialRecord;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against the
 * whole mesh: a bad job file shows its field errors, a simulated job submitted through the page is followed live
 * to COMPLETED, its plots hold one point per trial, and its trials table sorts by accuracy. Screenshots are kept
 * under {@code target/dashboard/}.
 */
class DashboardIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "dashboard");

    private static ChromeDriver browser;
    private final MeshFixture fixture = MeshFixture.get();

    @BeforeAll
    static void openBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new AssertionError("DashboardIT needs Debian's Chromium and its driver at " + CHROMIUM + " and "
                    + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver");
        }
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1400,1600");
        // The driver is given explicitly, so Selenium Manager has nothing to download.
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aBadJobFileShowsItsFieldErrors() throws IOException {
        String bad = MeshFixture.simulatedJob("dash-bad", 0, 2, 100, 2, 1)
                .replace("layers: 4", "layers: 0").replace("{zoo: lenet5}", "{zoo: no-such-net}");
        List<String> expected;
        try {
            new JobSpecParser(new JobSpecValidator(LearnerCatalog.standard(), JobSpecValidator::localPathExists))
                    .parse(bad);
            throw new AssertionError("the bad job file was accepted");
        } catch (JobSpecException e) {
            expected = e.errors().stream().map(FieldError::field).toList();
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(3);

        browser.get(fixture.mesh.orchestratorUrl() + "/submit.html");
        type(browser.findElement(By.id("job-text")), bad);
        browser.findElement(By.id("submit-button")).click();
        waitUntil(Duration.ofSeconds(20), () -> browser.findElement(By.id("errors")).isDisplayed());
        List<String> shown = browser.findElements(By.cssSelector("#field-errors li")).stream()
                .map(li -> li.getDomAttribute("data-field")).toList();
        assertThat(shown).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(browser.findElement(By.id("field-errors")).getText()).contains("search.trials");
        screenshot("submit-errors.png");
    }

    @Test
    @SuppressWarnings("unchecked") // the page's script results
    void aJobSubmittedThroughThePageIsFollowedLiveToCompleted() throws IOException {
        String name = "dash-" + UUID.randomUUID().toString().substring(0, 6);
        browser.get(fixture.mesh.orchestratorUrl() + "/submit.html");
        type(browser.findElement(By.id("job-text")), MeshFixture.simulatedJob(name, 6, 2, 900, 3, 23));
        browser.findElement(By.id("submit-button")).click();

        waitUntil(Duration.ofSeconds(20), () -> browser.getCurrentUrl().contains("job.html?id="));
        String jobId = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("id=") + 3);
        waitUntil(Duration.ofSeconds(20), () -> !bodyState().isEmpty());
        String firstSeen = bodyState();
        assertThat(JobState.valueOf(firstSeen).isTerminal()).as("the page is open while the job runs").isFalse();

        // Epoch reports reach the open page live.
        waitUntil(Duration.ofSeconds(60), () -> intData("curves", "trials") > 0);
        screenshot("job-running.png");

        waitUntil(Duration.ofMinutes(2), () -> "COMPLETED".equals(bodyState()));
        assertThat(fixture.jobs.find(jobId).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        List<String> timeline = browser.findElements(By.cssSelector("#timeline li")).stream()
                .map(li -> li.getDomAttribute("data-state")).toList();
        assertThat(timeline).containsSubsequence("SUBMITTED", "BASELINE", "SEARCHING", "FINALIZING", "COMPLETED");

        // The plots hold one point per evaluated search trial, the front and the baseline, as the trials say.
        List<TrialRecord> trials = fixture.trials.listForJob(jobId);
        List<TrialRecord> evaluated = trials.stream()
                .filter(t -> t.kind() == TrialKind.SEARCH && t.state() == TrialState.EVALUATED).toList();
        long front = evaluated.stream().filter(a -> evaluated.stream().noneMatch(b -> dominates(b, a))).count();
        assertThat(evaluated).isNotEmpty();
        assertThat(intData("scatter", "trialPoints")).isEqualTo(evaluated.size());
        assertThat(intData("scatter", "frontPoints")).isEqualTo((int) front);
        assertThat(intData("scatter", "baselinePoints")).isEqualTo(1);
        assertThat(intData("best-so-far", "points")).isEqualTo(evaluated.size());
        assertThat(intData("layers", "bars")).isEqualTo(4); // the simulated learner's layers: 4 in the job file
        long trained = trials.stream().filter(t -> t.kind() == TrialKind.SEARCH).count();
        assertThat(intData("curves", "trials")).isGreaterThanOrEqualTo((int) trained);
        assertThat(browser.findElements(By.cssSelector("#downloads a"))).extracting(WebElement::getText)
                .contains("Report (HTML)", "Report (Markdown)", "Report (JSON)");

        // Every row has a cell under every header (the estimated-latency column included).
        int headers = browser.findElements(By.cssSelector("#trials thead th")).size();
        List<Object> cellsPerRow = (List<Object>) browser.executeScript("return [...document.querySelectorAll("
                + "'#trials tbody tr')].map(tr => tr.cells.length);");
        assertThat(cellsPerRow).hasSize((int) trained).allSatisfy(n -> assertThat(((Number) n).intValue())
                .isEqualTo(headers));

        // Sorted by accuracy: ascending on the first click, descending on the second.
        assertThat(accuracies()).hasSize((int) trained);
        browser.findElement(By.cssSelector("#trials th[data-key=accuracy]")).click();
        assertThat(browser.findElement(By.id("trials")).getDomAttribute("data-sort")).isEqualTo("accuracy:asc");
        assertThat(accuracies()).isSorted();
        browser.findElement(By.cssSelector("#trials th[data-key=accuracy]")).click();
        List<Double> descending = accuracies();
        assertThat(descending).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(descending.get(0)).isEqualTo(evaluated.stream()
                .mapToDouble(t -> t.metrics().get("accuracy")).max().orElseThrow());
        screenshot("job-completed.png");

        // Opened after the job ended, the page still draws every trial's curve (from the stored epoch reports).
        browser.get(fixture.mesh.orchestratorUrl() + "/job.html?id=" + jobId);
        waitUntil(Duration.ofSeconds(20), () -> "COMPLETED".equals(bodyState()));
        waitUntil(Duration.ofSeconds(20), () -> intData("curves", "trials") >= (int) trained);

        browser.get(fixture.mesh.orchestratorUrl() + "/");
        waitUntil(Duration.ofSeconds(20), () -> !browser.findElements(By.cssSelector("tr[data-job='" + jobId + "']"))
                .isEmpty());
        assertThat(browser.findElement(By.cssSelector("tr[data-job='" + jobId + "']")).getText()).contains("COMPLETED");
        screenshot("jobs.png");
    }

    /** Types the text as a user would; the page's textarea keeps it as typed. */
    private static void type(WebElement area, String text) {
        area.clear();
        area.sendKeys(text);
    }

    private static String bodyState() {
        String state = browser.findElement(By.tagName("body")).getDomAttribute("data-state");
        return state == null ? "" : state;
    }

    private static int intData(String id, String key) {
        String value = browser.findElement(By.id(id)).getDomAttribute("data-" + key.replaceAll("([A-Z])", "-$1")
                .toLowerCase(java.util.Locale.ROOT));
        return value == null ? -1 : Integer.parseInt(value);
    }

    /** The accuracy column as shown, top to bottom (rows without one, e.g. failed trials, are last and skipped). */
    @SuppressWarnings("unchecked")
    private static List<Double> accuracies() {
        // Read in one script: the page redraws its rows on every trial update.
        List<Object> values = (List<Object>) browser.executeScript("return [...document.querySelectorAll("
                + "'#trials tbody td[data-value]')].map(td => td.dataset.value);");
        return values.stream().map(v -> Double.parseDouble(String.valueOf(v))).toList();
    }

    private static boolean dominates(TrialRecord b, TrialRecord a) {
        Map<String, Double> mb = b.metrics();
        Map<String, Double> ma = a.metrics();
        double ba = mb.get("accuracy");
        double aa = ma.get("accuracy");
        double bc = mb.get("latencyMs");
        double ac = ma.get("latencyMs");
        return ba >= aa && bc <= ac && (ba > aa || bc < ac);
    }

    private static void waitUntil(Duration timeout, java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, timeout, Duration.ofMillis(200)).until(d -> condition.getAsBoolean());
    }

    private static void screenshot(String file) throws IOException {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
}
