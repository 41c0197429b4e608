#!/usr/bin/env python3
"""Turns a diffusers Stable Diffusion 1.x / 2.x pipeline into a genq v2 package (models/README.md, "Converting a
diffusers pipeline").

NOT RUN ON genq's OWN MACHINES: it needs torch, diffusers and transformers, and the pipeline's weights (about 4 GB
for SD 1.5), none of which this project's build machines have or may download. What it writes follows the contract
the fixtures tiny-v2 and tiny-sd exercise end to end; the conversion itself is untested here.

    pip install torch diffusers transformers
    python models/convert/diffusers_to_genq.py /path/to/stable-diffusion-v1-5 out/sd15 --name sd15 --version 1 \
        --license creativeml-openrail-m

Then serve out/sd15 (genq.worker.model-paths), listed in genq.worker.unprobed-packages until a golden probe is
recorded for it (PackageProbeTest's recorder). CPU inference at 512x512 is slow: measure before offering it.
"""
import argparse
import json
import os
import shutil

import torch
from diffusers import StableDiffusionPipeline
from transformers import CLIPTokenizerFast


class TextEncoder(torch.nn.Module):
    """tokens [B, 77] -> CLIP's last hidden state [B, 77, D]: what the UNet cross-attends to."""

    def __init__(self, clip):
        super().__init__()
        self.clip = clip

    def forward(self, tokens):
        return self.clip(tokens, return_dict=False)[0]


class Denoiser(torch.nn.Module):
    """(latents [B, 4, h, w], t [B] float, cond [B, 77, D]) -> the UNet's prediction (epsilon or v, as configured)."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, cond):
        return self.unet(x, t, encoder_hidden_states=cond, return_dict=False)[0]


class VaeDecoder(torch.nn.Module):
    """latents / scaling_factor + shift_factor (genq applies both) -> image [B, 3, 8h, 8w] in about [-1, 1]."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, z):
        return self.vae.decode(z, return_dict=False)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("pipeline")
    p.add_argument("out")
    p.add_argument("--name", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--license", required=True)
    a = p.parse_args()
    pipe = StableDiffusionPipeline.from_pretrained(a.pipeline, torch_dtype=torch.float32, safety_checker=None)
    os.makedirs(a.out, exist_ok=True)
    length = pipe.tokenizer.model_max_length  # 77
    latent = pipe.unet.config.sample_size  # 64 for SD 1.5, 96 for SD 2.x 768-v
    channels = pipe.vae.config.latent_channels  # 4
    if pipe.unet.config.in_channels != channels:  # an inpainting UNet (9 channels) takes a mask and an image too
        raise SystemExit("the UNet takes %d channels, the VAE's latents have %d: not a text-to-image pipeline"
                         % (pipe.unet.config.in_channels, channels))
    down = pipe.vae_scale_factor  # 8
    width = pipe.text_encoder.config.hidden_size  # 768 (SD 1.x), 1024 (SD 2.x)
    with torch.no_grad():
        torch.jit.trace(TextEncoder(pipe.text_encoder).eval(), (torch.zeros(2, length, dtype=torch.long),)).save(
            os.path.join(a.out, "text_encoder.pt"))
        example = (torch.randn(2, channels, latent, latent), torch.tensor([10.0, 500.0]), torch.randn(2, length, width))
        torch.jit.trace(Denoiser(pipe.unet).eval(), example).save(os.path.join(a.out, "denoiser.pt"))
        torch.jit.trace(VaeDecoder(pipe.vae).eval(), (torch.randn(1, channels, latent, latent),)).save(
            os.path.join(a.out, "vae_decoder.pt"))
    # the fast tokenizer writes tokenizer.json; CLIP's often has no padding section, so the pad token is named below
    CLIPTokenizerFast.from_pretrained(a.pipeline, subfolder="tokenizer").save_pretrained(os.path.join(a.out, "tok"))
    os.replace(os.path.join(a.out, "tok", "tokenizer.json"), os.path.join(a.out, "tokenizer.json"))
    shutil.rmtree(os.path.join(a.out, "tok"))
    pipe.scheduler.save_config(a.out)  # writes scheduler_config.json
    with open(os.path.join(a.out, "scheduler_config.json")) as f:
        config = json.load(f)
    config["clip_sample"] = False  # latents: x0 must not be clipped (SD's own configs say so already)
    with open(os.path.join(a.out, "scheduler_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    vae = pipe.vae.config
    meta = {"format": 2, "name": a.name, "version": a.version, "kind": "text-to-image",
            "resolution": latent * down, "channels": 3, "license": a.license,
            "provenance": "converted from " + os.path.basename(os.path.normpath(a.pipeline))
                          + " by models/convert/diffusers_to_genq.py",
            "denoiser": "denoiser.pt",
            "text_encoder": {"file": "text_encoder.pt", "tokenizer": "tokenizer.json", "max_tokens": length,
                             "pad_token": pipe.tokenizer.pad_token},
            "vae_decoder": {"file": "vae_decoder.pt", "latent_channels": channels,
                            "scaling_factor": vae.scaling_factor,
                            "shift_factor": getattr(vae, "shift_factor", None) or 0.0, "downsample": down},
            "defaults": {"steps": 25, "guidance_scale": 7.5, "sampler": "dpmpp_2m"}}
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
