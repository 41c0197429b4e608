package dev.genq.worker.bench;

import ai.djl.Device;
import dev.genq.worker.engine.BatchListener;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.engine.TimestepSpacing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shipped base package's 4-sample preview (what a default job computes) under each speed setting, side
 * by side in one run: the engine time a client waits for, as a ratio to the old default (25 leading steps).
 * Repetitions are interleaved across settings so that a slow moment of the machine hits them all alike.
 */
final class ShippedPreviewTable {
    private record Setting(String name, int steps, TimestepSpacing spacing, int forwardRows, boolean bf16) {
        Setting(String name, int steps, TimestepSpacing spacing, int forwardRows) {
            this(name, steps, spacing, forwardRows, false);
        }
    }

    private static final List<Setting> ALL = List.of(
            new Setting("25 steps, leading, 2-row forwards (1.9500's default)", 25, TimestepSpacing.LEADING, 2),
            new Setting("8 steps, trailing, 2-row forwards (1.9500-t8's default)", 8, TimestepSpacing.TRAILING, 2),
            new Setting("8 steps, trailing, 4-row forwards", 8, TimestepSpacing.TRAILING, 4),
            new Setting("8 steps, trailing, 8-row forwards", 8, TimestepSpacing.TRAILING, 8),
            new Setting("8 steps, trailing, one forward per step (not batch-invariant)", 8, TimestepSpacing.TRAILING, 0),
            new Setting("8 steps, trailing, 2-row forwards, bf16 denoiser (-Dbf16Package)", 8, TimestepSpacing.TRAILING, 2, true));

    private ShippedPreviewTable() {
    }

    /**
     * -Dbf16Package=DIR adds a row for a copy of the package whose denoiser was exported in bf16 (none ships:
     * README, Performance, says why).
     */
    static void print(Path root, int samples, int reps) {
        Path dir = root.resolve("models/emoji-base");
        String bf16Dir = System.getProperty("bf16Package");
        List<Setting> settings = ALL.stream().filter(s -> !s.bf16() || bf16Dir != null).toList();
        double[][] seconds = new double[settings.size()][reps];
        try (LoadedModel base = LoadedModel.load(dir, Device.cpu());
             LoadedModel bf16 = bf16Dir == null ? null : LoadedModel.load(Path.of(bf16Dir), Device.cpu())) {
            List<DiffusionEngine.TextSample> batch = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                batch.add(new DiffusionEngine.TextSample(i, base.tokenizer().encode("a grinning cat").ids(),
                        base.tokenizer().encode("").ids(), base.spec().defaultGuidanceScale()));
            }
            for (int r = -1; r < reps; r++) { // r = -1 warms every setting up
                for (int k = 0; k < settings.size(); k++) {
                    Setting s = settings.get(k);
                    DiffusionEngine engine = new DiffusionEngine(s.forwardRows(), 1);
                    DiffusionEngine.Sampling sampling = new DiffusionEngine.Sampling("ddim", s.steps(), 0, s.spacing());
                    long t0 = System.nanoTime();
                    engine.textToImage(s.bf16() ? bf16 : base, batch, sampling, BatchListener.ALL);
                    if (r >= 0) {
                        seconds[k][r] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
        }
        System.out.printf("%nShipped package %s: a %d-sample preview at its default guidance, DDIM; median of %d interleaved runs%n%n",
                dir.getFileName(), samples, reps);
        System.out.println("| setting | denoiser rows | engine s | vs 25-step default |");
        System.out.println("|---|---|---|---|");
        double first = 0;
        for (int k = 0; k < settings.size(); k++) {
            Setting s = settings.get(k);
            double[] t = seconds[k].clone();
            Arrays.sort(t);
            double median = t[reps / 2];
            if (k == 0) {
                first = median;
            }
            System.out.printf("| %s | %d | %.3f | %.2fx faster |%n", s.name(), s.steps() * 2 * samples, median, first / median);
        }
    }
}
