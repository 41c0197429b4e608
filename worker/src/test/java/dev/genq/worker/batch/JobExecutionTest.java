package dev.genq.worker.batch;

import dev.genq.storage.job.ImageSize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.genq.storage.job.Job;
import dev.genq.storage.job.JobMode;
import dev.genq.storage.job.Stage;
import dev.genq.worker.engine.DiffusionEngine.SampleResult;
import dev.genq.worker.engine.DiffusionEngine.TextSample;
import dev.genq.worker.engine.DiffusionEngine.UpscaleSample;
import dev.genq.worker.engine.Images;
import dev.genq.worker.engine.LoadedModel;
import dev.genq.worker.stage.LowResInput;
import dev.genq.worker.stage.PngOutput;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A job's way through its stages, decided by {@code sampleDone} alone: no engine, no batcher. */
class JobExecutionTest {
    static LoadedModel base;
    static LoadedModel sr;

    @BeforeAll
    static void load() {
        System.setProperty("ai.djl.offline", "true");
        Path fixtures = Path.of("../models/fixtures").toAbsolutePath().normalize();
        base = LoadedModel.load(fixtures.resolve("tiny-base"), Device.cpu());
        sr = LoadedModel.load(fixtures.resolve("tiny-sr"), Device.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
        sr.close();
    }

    static Job job(JobMode mode, int samples) {
        Job job = new Job();
        job.id = UUID.randomUUID();
        job.mode = mode;
        job.prompt = "a red apple";
        job.negativePrompt = "green";
        job.numSamples = samples;
        job.seed = 10;
        job.steps = 4;
        job.guidanceScale = 3.0;
        job.sampler = "ddim";
        return job;
    }

    static float[] image(LoadedModel model, float value) {
        int r = model.spec().resolution();
        float[] chw = new float[model.spec().channels() * r * r];
        java.util.Arrays.fill(chw, value);
        return chw;
    }

    @Test
    void aFullJobGoesBaseThenSuperResolutionSampleBySampleAndFinishesAfterItsLast() {
        JobExecution run = new JobExecution(job(JobMode.FULL, 2), base, sr);
        assertEquals(List.of(Stage.BASE, Stage.SUPER_RESOLUTION), run.stages());
        assertEquals(4 + sr.spec().defaultSteps(), run.totalStepsPerSample());
        assertEquals(base.spec().nameAtVersion() + "+" + sr.spec().nameAtVersion(), run.modelVersion());

        List<SampleTask> first = run.initialTasks();
        assertEquals(2, first.size());
        TextSample text = assertInstanceOf(TextSample.class, first.get(1).input());
        assertEquals(11, text.seed(), "sample i runs with seed + i");
        assertEquals(3.0, text.guidanceScale());
        assertArrayEquals(base.tokenizer().encode("green").ids(), text.negativeTokens());

        float[] low = image(base, 0.5f);
        var next = run.sampleDone(Stage.BASE, 0, new SampleResult(low, 4, 0.1));
        SampleTask upscale = assertInstanceOf(JobExecution.Next.Queue.class, next).task();
        assertEquals(Stage.SUPER_RESOLUTION, upscale.key().stage());
        UpscaleSample in = assertInstanceOf(UpscaleSample.class, upscale.input());
        assertEquals(10, in.seed());
        int r = sr.spec().resolution();
        assertEquals(3 * r * r, in.upsampled().length, "the preview arrives upsampled to the model's resolution");
        assertEquals(0.5f, in.upsampled()[r * r / 2], 1e-6f);

        assertInstanceOf(JobExecution.Next.Queue.class, run.sampleDone(Stage.BASE, 1, new SampleResult(low, 4, 0.1)));
        assertInstanceOf(JobExecution.Next.Wait.class, run.sampleDone(Stage.SUPER_RESOLUTION, 1, new SampleResult(image(sr, 1f), 3, 0.2)));
        var done = run.sampleDone(Stage.SUPER_RESOLUTION, 0, new SampleResult(image(sr, -1f), 3, 0.2));
        assertInstanceOf(JobExecution.Next.Finish.class, done);
        assertEquals(-1f, run.finalImage(0)[0]);
        assertEquals(ImageSize.square(r), run.finalSize());
        assertEquals(4, run.result(Stage.BASE, 1).stepsRun());
    }

    @Test
    void aStoppedJobsDroppedSampleNeverReachesTheNextStageAndTheJobSettles() {
        JobExecution run = new JobExecution(job(JobMode.FULL, 2), base, sr);
        run.stop();
        assertInstanceOf(JobExecution.Next.Wait.class, run.sampleDone(Stage.BASE, 0, new SampleResult(null, 2, 0.05)));
        var last = run.sampleDone(Stage.BASE, 1, new SampleResult(image(base, 0f), 4, 0.1));
        assertInstanceOf(JobExecution.Next.SettleStopped.class, last, "completed, but the job was stopped: not upscaled");
        assertNull(run.result(Stage.SUPER_RESOLUTION, 1));
    }

    @Test
    void anUpscaleJobStartsAtSuperResolutionFromTheStoredPreview() {
        Job job = job(JobMode.FULL, 1);
        float[] preview = LowResInput.decodePng(Images.png(image(base, 0.2f), sr.spec().lowResolution()), sr.spec());
        JobExecution run = new JobExecution(job, base, sr, preview);
        assertEquals(List.of(Stage.SUPER_RESOLUTION), run.stages());
        assertEquals(sr.spec().nameAtVersion(), run.modelVersion());
        UpscaleSample in = assertInstanceOf(UpscaleSample.class, run.initialTasks().get(0).input());
        assertEquals(0.2f, in.upsampled()[0], 1f / 127.5f);
        assertInstanceOf(JobExecution.Next.Finish.class, run.sampleDone(Stage.SUPER_RESOLUTION, 0,
                new SampleResult(image(sr, 0f), 3, 0.2)));
    }

    @Test
    void aPreviewOfTheWrongSizeIsRefusedBeforeItReachesTheEngine() {
        assertThrows(IllegalArgumentException.class, () -> LowResInput.sample(1, new float[12], sr.spec()));
        byte[] wrong = Images.png(image(sr, 0f), sr.spec().resolution());
        assertThrows(IllegalArgumentException.class, () -> LowResInput.decodePng(wrong, sr.spec()));
    }

    @Test
    void theStoredPngIsThePictureAndItsDigest() throws Exception {
        int r = base.spec().resolution();
        float[] chw = image(base, -1f);
        for (int i = 0; i < r * r; i++) {
            chw[i] = 1f; // red channel full: a red square
        }
        PngOutput out = PngOutput.encode(chw, r);
        var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(out.png()));
        assertEquals(r, img.getWidth());
        assertEquals(0xFF0000, img.getRGB(r / 2, r / 2) & 0xFFFFFF);
        assertEquals(dev.genq.storage.job.Sha256.hex(out.png()), out.sha256());
        assertTrue(out.sha256().matches("[0-9a-f]{64}"));
    }
}
