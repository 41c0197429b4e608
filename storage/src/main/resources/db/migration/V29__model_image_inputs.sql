-- Whether jobs of a model may start from an image (image-to-image, inpainting, outpainting, variations): not a
-- latent package's, whose denoiser draws latents and which has no VAE encoder to bring an image there.
alter table models add column image_inputs boolean not null default true;
