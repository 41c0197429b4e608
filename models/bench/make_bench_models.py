#!/usr/bin/env python3
"""Benchmark-size model packages with random weights (speed does not depend on the weights): the
base UNet at 32x32 and the super-resolution UNet at 128x128 of models/train/unet.py, with their FLOPs
per forward in bench.json. Written to models/bench/packages/ (not committed; reproducible).

    /usr/bin/python3 models/bench/make_bench_models.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
from unet import TextEncoder, UNet, flops  # noqa: E402

OUT = os.path.join(HERE, "packages")
VOCAB = ["<pad>", "<unk>"] + [f"w{i}" for i in range(998)]


def package(name, kind, resolution, files, extra):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    for fname, module, example in files:
        torch.jit.freeze(torch.jit.trace(module.eval(), example)).save(os.path.join(d, fname))
    meta = {"format": 1, "name": name, "version": "bench", "kind": kind, "resolution": resolution, "channels": 3,
            "prediction": "epsilon", "schedule": {"type": "cosine", "timesteps": 1000}, "denoiser": "denoiser.pt",
            "license": "Apache-2.0", "provenance": "random weights for benchmarking, models/bench/make_bench_models.py"}
    meta.update(extra)
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return d


def main():
    torch.manual_seed(0)
    enc = TextEncoder(len(VOCAB))
    base = UNet(channels=(32, 64, 128), attention_levels=(2,), cond_dim=128)
    sr = UNet(channels=(16, 32, 64, 128), attention_levels=(), image_cond=True)
    tok = torch.zeros(2, 16, dtype=torch.long)
    tok[:, 0] = 5
    d = package("bench-base", "text-to-image", 32, [
        ("text_encoder.pt", enc, (tok,)),
        ("denoiser.pt", base, (torch.randn(2, 3, 32, 32), torch.tensor([10.0, 500.0]), torch.randn(2, 128))),
    ], {"text_encoder": {"file": "text_encoder.pt", "vocab": "vocab.txt", "max_tokens": 16},
        "defaults": {"steps": 20, "guidance_scale": 3.0, "sampler": "ddim"}})
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    package("bench-sr", "super-resolution", 128, [
        ("denoiser.pt", sr, (torch.randn(2, 3, 128, 128), torch.tensor([10.0, 500.0]), torch.randn(2, 3, 128, 128))),
    ], {"low_resolution": 32, "defaults": {"steps": 10, "guidance_scale": 1.0, "sampler": "ddim"}})
    info = {
        "base": {"params": sum(p.numel() for p in base.parameters()),
                 "flops_per_row": flops(base, torch.randn(1, 3, 32, 32), torch.tensor([10.0]), torch.randn(1, 128))},
        "sr": {"params": sum(p.numel() for p in sr.parameters()),
               "flops_per_row": flops(sr, torch.randn(1, 3, 128, 128), torch.tensor([10.0]), torch.randn(1, 3, 128, 128))},
        "text_encoder": {"params": sum(p.numel() for p in enc.parameters())},
    }
    with open(os.path.join(OUT, "bench.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
