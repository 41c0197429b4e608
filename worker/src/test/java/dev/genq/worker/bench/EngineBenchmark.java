package dev.genq.worker.bench;

import dev.genq.worker.stage.LowResInput;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genq.worker.engine.BatchListener;
import dev.genq.worker.engine.DiffusionEngine;
import dev.genq.worker.engine.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Engine throughput, side by side with Python torch running the same TorchScript files in the same
 * run: seconds per batch, per-image latency, images/s, the batching gain, and achieved GFLOP/s
 * against the CPU's measured fp32 peak. Run by bench/engine-bench; not a test.
 */
public final class EngineBenchmark {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("genq.root", ".")).toAbsolutePath().normalize();
        int threads = Integer.getInteger("threads", 2);
        int baseSteps = Integer.getInteger("baseSteps", 10);
        int srSteps = Integer.getInteger("srSteps", 5);
        int reps = Integer.getInteger("reps", 3);
        int fixedRows = Integer.getInteger("fixedRows", 2);
        int fixedSrRows = Integer.getInteger("fixedSrRows", 1);
        int[] batches = Arrays.stream(System.getProperty("batches", "1,4,8,16").split(",")).mapToInt(Integer::parseInt).toArray();
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (!"shipped".equals(System.getProperty("only"))) { // -Donly=shipped: just the shipped package's table
            engineTable(root, threads, baseSteps, srSteps, reps, fixedRows, fixedSrRows, batches);
        }
        ShippedPreviewTable.print(root, Integer.getInteger("previewSamples", 4), Integer.getInteger("previewReps", 5));
    }

    static void engineTable(Path root, int threads, int baseSteps, int srSteps, int reps, int fixedRows, int fixedSrRows,
                            int[] batches) throws Exception {

        Path packages = root.resolve("models/bench/packages");
        JsonNode info = new ObjectMapper().readTree(packages.resolve("bench.json").toFile());
        double baseFlops = info.path("base").path("flops_per_row").asDouble();
        double srFlops = info.path("sr").path("flops_per_row").asDouble();

        double[][] djl = new double[2][batches.length];     // one forward per step, any batch size
        double[][] djlFixed = new double[2][batches.length]; // production: fixed-shape forwards
        try (LoadedModel base = LoadedModel.load(packages.resolve("bench-base"), Device.cpu());
             LoadedModel sr = LoadedModel.load(packages.resolve("bench-sr"), Device.cpu())) {
            for (int k = 0; k < batches.length; k++) {
                for (int mode = 0; mode < 2; mode++) {
                    djl[mode][k] = median(reps, new DiffusionEngine(0), base, sr, batches[k], baseSteps, srSteps, mode == 1);
                    djlFixed[mode][k] = median(reps, new DiffusionEngine(fixedRows, fixedSrRows), base, sr, batches[k], baseSteps, srSteps, mode == 1);
                }
            }
        }
        JsonNode peer = runPeer(root, threads, batches, baseSteps, srSteps, reps);
        double peak = sgemmGflops();

        System.out.printf("%nEngine benchmark: %d threads, DDIM with guidance, preview = %d base steps at 32x32, "
                + "full = preview + %d SR steps at 128x128; median of %d runs; peer: Python torch %s, same TorchScript%n%n",
                threads, baseSteps, srSteps, reps, peer.path("torch").asText());
        System.out.printf("Peak: fp32 SGEMM 2048x2048 in DJL's libtorch, measured in this run: %.0f GFLOP/s (%d threads)%n%n",
                peak, threads);
        System.out.println("| mode | batch | DJL s/batch | ms/image | images/s | torch s/batch | DJL vs torch | GFLOP/s | % of SGEMM peak | images/s, fixed " + fixedRows + "/" + fixedSrRows + "-row forwards (production) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int mode = 0; mode < 2; mode++) {
            String name = mode == 0 ? "preview" : "full";
            double flopsPerImage = baseSteps * 2 * baseFlops + (mode == 1 ? srSteps * srFlops : 0);
            for (int k = 0; k < batches.length; k++) {
                int b = batches[k];
                double s = djl[mode][k];
                double torch = peer.path(name).path(String.valueOf(b)).asDouble();
                double gflops = flopsPerImage * b / s / 1e9;
                System.out.printf("| %s | %d | %.3f | %.1f | %.1f | %.3f | %+.0f%% | %.1f | %.0f%% | %.1f |%n", name, b, s,
                        s / b * 1000, b / s, torch, (torch / s - 1) * 100, gflops, gflops / peak * 100,
                        b / djlFixed[mode][k]);
            }
        }
        int i1 = indexOf(batches, 1);
        int i8 = indexOf(batches, 8);
        if (i1 >= 0 && i8 >= 0) {
            System.out.printf("%nBatching gain at batch 8 vs 1 (images/s): preview %.2fx, full %.2fx%n",
                    8 / djl[0][i8] / (1 / djl[0][i1]), 8 / djl[1][i8] / (1 / djl[1][i1]));
        }
        System.out.printf("FLOPs per forward row: base %.2f GFLOP, super-resolution %.2f GFLOP; %s%n",
                baseFlops / 1e9, srFlops / 1e9, "'DJL vs torch' > 0 means DJL is faster");
    }

    /** The best fp32 matrix-multiply rate libtorch reaches here: the practical peak to compare with. */
    static double sgemmGflops() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            var a = m.randomNormal(new ai.djl.ndarray.types.Shape(2048, 2048));
            var b = m.randomNormal(new ai.djl.ndarray.types.Shape(2048, 2048));
            a.matMul(b).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 8; i++) {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * 2048 * 2048 * 2048 / best / 1e9;
        }
    }

    static double median(int reps, DiffusionEngine engine, LoadedModel base, LoadedModel sr, int batch, int baseSteps,
                         int srSteps, boolean full) {
        run(engine, base, sr, batch, baseSteps, srSteps, full); // warm-up
        double[] t = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            run(engine, base, sr, batch, baseSteps, srSteps, full);
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    static void run(DiffusionEngine engine, LoadedModel base, LoadedModel sr, int batch, int baseSteps, int srSteps,
                    boolean full) {
        List<DiffusionEngine.TextSample> samples = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            samples.add(new DiffusionEngine.TextSample(i, base.tokenizer().encode("w3 w4 w5").ids(),
                    base.tokenizer().encode("").ids(), 3.0));
        }
        var low = engine.textToImage(base, samples, DiffusionEngine.Sampling.ddim(baseSteps), BatchListener.ALL);
        if (full) {
            List<DiffusionEngine.UpscaleSample> up = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                up.add(LowResInput.sample(i, low.image(i), sr.spec()));
            }
            engine.upscale(sr, up, DiffusionEngine.Sampling.ddim(srSteps), BatchListener.ALL);
        }
    }

    static JsonNode runPeer(Path root, int threads, int[] batches, int baseSteps, int srSteps, int reps) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", root.resolve("models/bench/torch_peer.py").toString(),
                "--threads", String.valueOf(threads), "--batches",
                String.join(",", Arrays.stream(batches).mapToObj(String::valueOf).toList()),
                "--base-steps", String.valueOf(baseSteps), "--sr-steps", String.valueOf(srSteps),
                "--reps", String.valueOf(reps)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the torch peer failed");
        }
        return new ObjectMapper().readTree(out);
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
