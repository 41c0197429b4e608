package dev.genq.worker.engine;

import dev.genq.storage.job.ImageSize;
import dev.genq.storage.job.Stage;
import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.genq.storage.inference.OneDnnIsaCap;
import dev.genq.worker.engine.text.PromptTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model package loaded into libtorch through DJL, warm and ready: the denoiser, and for text-to-image
 * models the text encoder and tokenizer. Loading checks that the denoiser really answers with an image
 * of its input's shape, so a broken package fails at start, not on a client's job.
 */
public final class LoadedModel implements AutoCloseable {
    private final ModelSpec spec;
    private final Model denoiser;
    private final TextEncoders textEncoders;
    private final NoiseSchedule schedule;
    private final SampleSpace space;

    private LoadedModel(ModelSpec spec, Model denoiser, TextEncoders textEncoders, SampleSpace space) {
        this.spec = spec;
        this.denoiser = denoiser;
        this.textEncoders = textEncoders;
        this.schedule = spec.scheduler().schedule();
        this.space = space;
    }

    public static LoadedModel load(Path dir, Device device) {
        OneDnnIsaCap.apply(); // before libtorch loads: its AVX-512 kernels corrupt results on some CPUs
        ModelSpec spec = ModelSpec.read(dir);
        Model denoiser = torchScript(dir, spec.denoiserFile(), device);
        TextEncoders encoders = null;
        SampleSpace space = new PixelSpace(spec.channels());
        try {
            if (spec.vaeDecoder() != null) {
                space = new LatentDecoder(torchScript(dir, spec.vaeDecoder().file(), device), spec);
            }
            if (!spec.textEncoders().isEmpty()) {
                encoders = TextEncoders.load(dir, spec.textEncoders(), device);
            }
            LoadedModel model = new LoadedModel(spec, denoiser, encoders, space);
            model.checkShapes(dir);
            return model;
        } catch (RuntimeException e) {
            denoiser.close();
            if (encoders != null) {
                encoders.close();
            }
            space.close();
            throw e;
        }
    }

    static Model torchScript(Path dir, String file, Device device) {
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new ModelPackageException(dir, "file '" + file + "' is missing");
        }
        String stem = file.endsWith(".pt") ? file.substring(0, file.length() - 3) : file;
        Model model = Model.newInstance(stem, device, "PyTorch");
        try {
            model.load(dir, stem);
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelPackageException(dir, "'" + file + "' is not a loadable TorchScript file: " + e.getMessage(), e);
        }
    }

    /**
     * One forward on zeros at every declared size: the denoiser must return exactly its input's shape, and a latent
     * package's decoder the picture's shape. A size a package declares but cannot draw refuses the package at load,
     * not a client's job later.
     */
    private void checkShapes(Path dir) {
        for (ImageSize size : spec.sizes()) {
            checkShapes(dir, size);
        }
    }

    private void checkShapes(Path dir, ImageSize size) {
        try (NDManager m = denoiser.getNDManager().newSubManager()) {
            Shape image = new Shape(1).addAll(space.sampleShape(size));
            NDArray x = m.zeros(image);
            NDArray t = m.create(new float[] {spec.timesteps() / 2f});
            NDArray cond;
            if (spec.kind() == Stage.BASE) {
                try {
                    cond = encode(m, m.zeros(new Shape(1, tokenizer().maxTokens()), ai.djl.ndarray.types.DataType.INT64));
                } catch (RuntimeException e) { // several encoders whose outputs do not concatenate, above all
                    throw new ModelPackageException(dir, "text encoders failed on a prompt of zeros (several encoders' "
                            + "outputs must agree on every axis but the last): " + e.getMessage(), e);
                }
            } else {
                cond = m.zeros(image);
            }
            Shape out;
            try {
                out = forward(m, x, t, cond).getShape();
            } catch (RuntimeException e) {
                throw new ModelPackageException(dir, "denoiser failed on a " + image + " input (size " + size + "): " + e.getMessage(), e);
            }
            if (!out.equals(image)) {
                throw new ModelPackageException(dir, "denoiser output shape " + out + " (size " + size + ") does not match the image shape " + image);
            }
            if (spec.kind() == Stage.BASE) {
                Shape picture = new Shape(1, spec.channels(), size.height(), size.width());
                Shape decoded;
                try {
                    decoded = space.pictures(m, x).getShape();
                } catch (RuntimeException e) {
                    throw new ModelPackageException(dir, "vae_decoder failed on a " + image + " input: " + e.getMessage(), e);
                }
                if (!decoded.equals(picture)) {
                    throw new ModelPackageException(dir, "vae_decoder output shape " + decoded + " is not the picture's " + picture);
                }
            }
        }
    }

    /** Token ids [batch, max_tokens] (int64; every encoder's, one after the other) to prompt embeddings. */
    NDArray encode(NDManager m, NDArray ids) {
        return textEncoders.encode(m, ids);
    }

    NDArray forward(NDManager m, NDArray x, NDArray t, NDArray cond) {
        return denoiser.getBlock().forward(new ParameterStore(m, false), new NDList(x, t, cond), false).get(0);
    }

    NDManager manager() {
        return denoiser.getNDManager();
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The prompt's tokenizer (every encoder's, as one), or null for a super-resolution model. */
    public PromptTokenizer tokenizer() {
        return textEncoders == null ? null : textEncoders.tokenizer();
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** Where the denoiser draws (for a super-resolution model: the picture). */
    SampleSpace space() {
        return space;
    }

    /** Whether jobs may start from an image: not when the denoiser draws latents (there is no VAE encoder). */
    public boolean takesImageInputs() {
        return spec.vaeDecoder() == null;
    }

    @Override
    public void close() {
        denoiser.close();
        if (textEncoders != null) {
            textEncoders.close();
        }
        space.close();
    }
}
