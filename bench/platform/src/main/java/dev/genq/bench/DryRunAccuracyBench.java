package dev.genq.bench;

import dev.genq.client.Estimate;
import dev.genq.client.GenqClient;
import dev.genq.client.Job;
import dev.genq.client.JobRequest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How close a dry run's estimate comes to what the job is then billed: against a running platform (GENQ_URL,
 * GENQ_KEY, as the CLI), six warm-up jobs (1, 2 and 4 samples, each mode) so the gateway has measured costs, then N jobs of mixed samples, modes
 * and steps, each dry-run first. Prints a Markdown table (also in bench/platform/target/dry-run-accuracy.md). Not a
 * test: billed cost is measured compute time, which a loaded machine moves.
 */
public final class DryRunAccuracyBench {
    record Row(JobRequest request, Estimate estimate, Job job) {
        Double ratio() {
            return job.cost() == null || job.cost().usd().signum() == 0 ? null
                    : estimate.estimatedCostUsd().doubleValue() / job.cost().usd().doubleValue();
        }
    }

    public static void main(String[] args) throws Exception {
        String key = System.getenv("GENQ_KEY");
        if (key == null) {
            throw new IllegalArgumentException("set GENQ_KEY (and GENQ_URL if the gateway is not on 127.0.0.1:8080)");
        }
        GenqClient genq = GenqClient.builder(System.getenv().getOrDefault("GENQ_URL", "http://127.0.0.1:8080"), key).build();
        int jobs = Integer.getInteger("jobs", 20);
        Duration timeout = Duration.ofMinutes(5);
        String prompt = "a grinning cat";
        // the estimate learns each stage's cost per step and per sample from history: one job of each size, both modes
        for (int samples : new int[] {1, 2, 4}) {
            for (String mode : List.of("preview", "full")) {
                genq.waitFor(genq.submit(JobRequest.of(prompt).withMode(mode).withSamples(samples).withSteps(8)).id(), timeout);
            }
        }
        Thread.sleep(11_000); // the gateway keeps a measured cost for 10 s (genq.quotas.estimate-refresh) before measuring again
        Random random = new Random(Long.getLong("seed", 7));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            JobRequest r = JobRequest.of(prompt).withSamples(new int[] {1, 2, 4}[random.nextInt(3)])
                    .withMode(random.nextBoolean() ? "preview" : "full").withSteps(new int[] {4, 8, 12, 25}[random.nextInt(4)]);
            Estimate e = genq.estimate(r);
            rows.add(new Row(r, e, genq.waitFor(genq.submit(r).id(), timeout)));
        }
        StringBuilder out = new StringBuilder("| samples | mode | steps | estimate USD | measured | billed USD | ratio | status |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        BigDecimal estimated = BigDecimal.ZERO;
        BigDecimal billed = BigDecimal.ZERO;
        List<Double> ratios = new ArrayList<>();
        for (Row row : rows) {
            Double ratio = row.ratio();
            out.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | %s | %s | %s |%n", row.request().numSamples(),
                    row.request().mode(), row.request().steps(), row.estimate().estimatedCostUsd().toPlainString(),
                    row.estimate().costMeasured(), row.job().cost() == null ? "-" : row.job().cost().usd().toPlainString(),
                    ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio), row.job().status()));
            if (ratio != null) {
                ratios.add(ratio);
                estimated = estimated.add(row.estimate().estimatedCostUsd());
                billed = billed.add(row.job().cost().usd());
            }
        }
        ratios.sort(null);
        long within = ratios.stream().filter(x -> x >= 0.8 && x <= 1.2).count();
        out.append(String.format(Locale.ROOT, "%nTotal estimate / billed %.3f; per job min %.2f, median %.2f, max %.2f; "
                        + "within ±20%%: %d of %d%n", estimated.doubleValue() / billed.doubleValue(), ratios.get(0),
                ratios.get(ratios.size() / 2), ratios.get(ratios.size() - 1), within, ratios.size()));
        System.out.print(out);
        Path md = Path.of("bench/platform/target/dry-run-accuracy.md");
        Files.createDirectories(md.getParent());
        Files.writeString(md, out.toString());
    }
}
