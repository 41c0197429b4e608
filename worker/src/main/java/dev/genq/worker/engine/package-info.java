/**
 * The diffusion engine, shaped like diffusers: a {@link dev.genq.worker.engine.sampler.Sampler} is told its
 * timesteps once, then stepped; {@link dev.genq.worker.engine.DiffusionEngine} writes the loop once (noise
 * from per-sample streams, classifier-free guidance, the step, the listener between steps) for both stages.
 * A model package is read by {@link dev.genq.worker.engine.ModelSpec} and loaded by
 * {@link dev.genq.worker.engine.LoadedModel} (TorchScript through DJL); {@link dev.genq.worker.engine.Images}
 * holds the pixel conversions that {@code dev.genq.worker.stage}'s input and output types use.
 */
package dev.genq.worker.engine;
