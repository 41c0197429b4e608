/**
 * What goes into and comes out of a stage, apart from the model (DJL's translators): {@link
 * dev.genq.worker.stage.PromptInput} tokenizes for the base stage, {@link dev.genq.worker.stage.LowResInput}
 * decodes and upsamples a preview for super-resolution, {@link dev.genq.worker.stage.PngOutput} encodes the
 * final image. A new stage input (an init image, a mask, latents to decode) is a new class here, not a
 * branch in the job or the batcher.
 */
package dev.genq.worker.stage;
