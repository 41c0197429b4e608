#!/usr/bin/env python3
"""Trains emoji-sr: 4x diffusion super-resolution 32 -> 128, conditioned on the bilinearly upsampled
low-resolution image (the same upsampling the engine does). Trained on random 64x64 crops of the
128 px renders (the UNet is fully convolutional and runs at 128 for inference); the low-resolution
condition gets light Gaussian noise so the model tolerates the base model's artefacts (noise
conditioning augmentation, as in cascaded diffusion). Resumable like train_base.py.

    /usr/bin/python3 models/train/train_sr.py --steps 20000 --minutes 60
    /usr/bin/python3 models/train/train_sr.py --export-only          # write models/emoji-sr

On a GPU (models/train/gpu_train.sh): --device cuda --crop 128 --batch 48 --minutes 8 --eval-every 500
--keep-best: every 500 steps the EMA weights upscale the held-out images (area-downsampled to 32 px) from
each --eval-starts start timestep; the snapshot and start with the best margin over bicubic (the smaller of
the PSNR margin in dB and the SSIM margin in hundredths) are what is saved and exported.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

import common
from unet import UNet

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval"))

START_TIMESTEP = 700


def build():
    return UNet(channels=(16, 32, 64, 128), attention_levels=(), image_cond=True)


def low_res_condition(x128, noise_std):
    """128 -> 32 (area) -> 128 (bilinear, align_corners=False like the engine), plus optional noise."""
    low = F.interpolate(x128, size=(32, 32), mode="area")
    if noise_std > 0:
        low = low + noise_std * torch.randn_like(low)
    return F.interpolate(low, size=(128, 128), mode="bilinear", align_corners=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--minutes", type=float, default=0)
    p.add_argument("--save-every", type=int, default=200)
    p.add_argument("--cond-noise", type=float, default=0.05)
    p.add_argument("--checkpoint", default=os.path.join(common.ROOT, "models/train/checkpoints/emoji-sr.pt"))
    p.add_argument("--from-package", default=None)
    p.add_argument("--out", default=os.path.join(common.ROOT, "models/emoji-sr"))
    p.add_argument("--export-only", action="store_true")
    p.add_argument("--crop", type=int, default=64, help="training crop (128: whole images)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--start-timestep", type=int, default=START_TIMESTEP, help="the package's start_timestep")
    p.add_argument("--eval-every", type=int, default=0, help="score held-out PSNR/SSIM every N steps (0: never)")
    p.add_argument("--eval-starts", default="300,500,700")
    p.add_argument("--keep-best", action="store_true", help="save/export the best snapshot and start timestep")
    p.add_argument("--weights-out", default=None, help="also write {ema, step, start_timestep, history} here")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    common.seed_everything(1)
    device = common.device_of(args.device)

    images, rows = common.load(128)
    train = [i for i, r in enumerate(rows) if r["split"] == "train"]
    weights = torch.tensor([rows[i]["weight"] for i in train])
    data = common.to_tensor(images)
    held = data[[i for i, r in enumerate(rows) if r["split"] == "heldout"]]
    data = data.to(device)
    model = build().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    ckpt = common.Checkpoint(args.checkpoint)
    step, ema = common.resume(model, opt, ckpt)
    if ema is None and args.from_package:
        model.load_state_dict(torch.jit.load(os.path.join(args.from_package, "denoiser.pt")).state_dict())
    ema = ema or common.Ema(model)
    ab = common.cosine_alpha_bar()
    deadline = common.Deadline(args.minutes)
    log = common.StepLog()
    scorer = Scorer(held, [int(s) for s in args.eval_starts.split(",")], device) \
        if args.eval_every and not args.export_only else None
    best, history, begin, crop = None, [], step, args.crop
    while step < args.steps and not args.export_only and not deadline.passed():
        idx = [train[i] for i in torch.multinomial(weights, args.batch, replacement=True).tolist()]
        x128 = data[idx]
        cond = low_res_condition(x128, args.cond_noise)
        oy, ox = torch.randint(0, 128 - crop + 1, (2,)).tolist()
        x0 = x128[:, :, oy:oy + crop, ox:ox + crop]
        c = cond[:, :, oy:oy + crop, ox:ox + crop]
        loss = common.denoising_step(model, opt, ema, ab, step, args.lr, x0, lambda xt, t: model(xt, t, c),
                                     warm=step - begin)
        step += 1
        log.add(step, loss)
        if step % args.save_every == 0:
            common.save(ckpt, model, ema, opt, step)
        if scorer and step % args.eval_every == 0:
            scores = scorer(ema.shadow)
            history.append({"step": step, **scores})
            print("eval", json.dumps(history[-1]), flush=True)
            for start, (key, _, _) in scores.items():
                if best is None or key > best[0]:
                    best = (key, step, int(start), common.cpu_state(ema.shadow))
    if not args.export_only:
        common.save(ckpt, model, ema, opt, step)
    shadow, kept, start_timestep = ema.shadow, step, args.start_timestep
    if args.keep_best and best is not None:
        print(f"best: step {best[1]} start {best[2]} margin {best[0]:.3f}; bicubic {scorer.bicubic}")
        shadow, kept, start_timestep = best[3], best[1], best[2]
    if args.weights_out:
        torch.save({"ema": common.cpu_state(shadow), "step": kept, "last_step": step,
                    "start_timestep": start_timestep, "history": history,
                    "bicubic": scorer.bicubic if scorer else None}, args.weights_out)
    final = build()
    final.load_state_dict(common.cpu_state(shadow))
    step = kept
    common.write_package(args.out, [("denoiser.pt", final, (torch.randn(2, 3, 128, 128), torch.tensor([10.0, 500.0]),
                                                            torch.randn(2, 3, 128, 128)))],
                         {"format": 1, "name": "emoji-sr", "version": f"0.{step}", "kind": "super-resolution",
                          "resolution": 128, "low_resolution": 32, "channels": 3, "prediction": "epsilon",
                          "schedule": {"type": "cosine", "timesteps": common.T}, "denoiser": "denoiser.pt",
                          "defaults": {"steps": 20, "guidance_scale": 1.0, "sampler": "ddim"},
                          # sampling starts from the upsample noised to t=700, not from pure noise: from pure
                          # noise the image drifts (PSNR 12 dB); from t=700 it beats bicubic (evaluate.py)
                          "start_timestep": start_timestep,
                          "license": "Apache-2.0 weights; trained on Noto Color Emoji renders (OFL-1.1), see MODEL_CARD.md",
                          "provenance": f"models/train/train_sr.py, {step} steps, EMA weights"})
    print("exported", args.out, "at step", step)


class Scorer:
    """Held-out PSNR/SSIM of EMA weights for each start timestep, sampled as models/eval/evaluate.py's
    upscale() does (DDIM 20 steps from the noised bilinear upsample) on the training device, with noise
    seeds of its own. {start: (margin over bicubic, psnr, ssim)}."""

    def __init__(self, held, starts, device):
        import evaluate
        self.ev, self.device, self.starts, self.real = evaluate, device, starts, held
        self.low = F.interpolate(held, size=(32, 32), mode="area")
        bic = F.interpolate(self.low, size=(128, 128), mode="bicubic", align_corners=False).clamp(-1, 1)
        self.bicubic = (round(evaluate.psnr(bic, held), 3), round(evaluate.ssim(bic, held), 4))
        self.noise = torch.randn(len(held), 3, 128, 128, generator=torch.Generator().manual_seed(100000))
        self.model = build().to(device).eval()

    def __call__(self, shadow, steps=20):
        self.model.load_state_dict(shadow)
        tf32 = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
        up = F.interpolate(self.low, size=(128, 128), mode="bilinear", align_corners=False).to(self.device)
        out = {}
        for limit in self.starts:
            first = int(math.floor((steps - 1) * limit / steps))
            a = common.cosine_alpha_bar().double()[first].item()
            with torch.no_grad():
                x = math.sqrt(a) * up + math.sqrt(1 - a) * self.noise.to(self.device)
                sr = self.ev.ddim(lambda xt, t: self.model(xt, torch.full((len(up),), float(t), device=self.device), up),
                                  x, steps, limit).clamp(-1, 1).cpu()
            p, s = self.ev.psnr(sr, self.real), self.ev.ssim(sr, self.real)
            out[str(limit)] = (round(min(p - self.bicubic[0], 100 * (s - self.bicubic[1])), 4), round(p, 3), round(s, 4))
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
        return out


if __name__ == "__main__":
    main()
