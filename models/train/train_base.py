#!/usr/bin/env python3
"""Trains emoji-base: a text-conditioned 32x32 denoiser (models/train/unet.py) with its own text encoder.

Epsilon prediction, cosine schedule over 1000 steps, 10% condition dropout so classifier-free guidance
works, weighted sampling (flags 0.25), bf16 autocast (GroupNorm in fp32), EMA weights for export.
Resumable: a checkpoint is written every --save-every steps to models/train/checkpoints/ (not committed);
--from-package starts from a shipped package's weights instead.

    /usr/bin/python3 models/train/train_base.py --steps 20000 --minutes 90      # continue a run
    /usr/bin/python3 models/train/train_base.py --export-only                    # write models/emoji-base

On a GPU (models/train/gpu_train.sh, gpu_sweep.sh): --device cuda --batch 256 --lr 3e-4 --minutes 8 --eval-every 500
--keep-best: every 500 steps the EMA weights draw previews for the held-out captions (seeds other than the
evaluation's) and the evaluation's judge scores them; the best snapshot is what is saved and exported.

--arch picks the network (ARCHS below; emoji-base 1.9500 is x40: cross-attention on the prompt's tokens,
character n-grams in the text encoder); --init-from starts a new arch from another one's weights wherever
the shapes match (the text encoder carries over between all of them).
"""
import argparse
import json
import os
import random
import sys

import numpy as np
import torch

import common
from unet import TextEncoder, UNet, char_grams

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval"))


# --arch: "v1" is emoji-base up to 0.27000 (one pooled prompt vector added to the timestep embedding);
# "x32" / "x48" add cross-attention on the prompt's tokens at 16x16, 8x8 and the middle, character n-grams
# in the text encoder and <unk> for the words no training caption contains (32 or 48 base channels).
ARCHS = {
    "v1": {"channels": (32, 64, 128), "xattn": False},
    "x32": {"channels": (32, 64, 128), "xattn": True},
    "x40": {"channels": (40, 80, 160), "xattn": True},
    "x48": {"channels": (48, 96, 192), "xattn": True},
}
DEFAULT_ARCH = "x40"  # emoji-base 1.9500


def package_arch(package):
    """The --arch of a package's denoiser, from its weights' names and widths."""
    state = torch.jit.load(os.path.join(package, "denoiser.pt")).state_dict()
    width = state["inp.weight"].shape[0]
    if not any(k.startswith("mid_x.") for k in state):
        return "v1"
    return {32: "x32", 40: "x40", 48: "x48"}[width]


def train_words(rows):
    """Every word of the training split's labels and tags (the words a training caption can contain)."""
    return {w for r in rows if r["split"] == "train" for t in [r["label"]] + r["tags"] for w in common.words(t)}


def build(vocab, arch="v1", seen=None):
    """(text encoder, UNet) of an --arch; seen: the words of the training captions (x archs: others map
    to <unk>; None reads them from the dataset)."""
    a = ARCHS[arch]
    if not a["xattn"]:
        return TextEncoder(len(vocab.words), dim=128, layers=2, max_tokens=common.MAX_TOKENS), \
            UNet(channels=a["channels"], attention_levels=(2,), cond_dim=128)
    if seen is None:
        seen = train_words(common.load_rows(32))
    word_ids = torch.tensor([i if i < 2 or w in seen else 1 for i, w in enumerate(vocab.words)])
    enc = TextEncoder(len(vocab.words), dim=128, layers=2, max_tokens=common.MAX_TOKENS,
                      grams=char_grams(vocab.words), n_grams=4096, word_ids=word_ids, tokens_out=True)
    unet = UNet(channels=a["channels"], attention_levels=(2,), cond_dim=128, xattn_levels=(1, 2),
                ctx_tokens=common.MAX_TOKENS, ctx_dim=128)
    return enc, unet


class Joint(torch.nn.Module):
    def __init__(self, encoder, unet, aux_classes=0):
        super().__init__()
        self.encoder = encoder
        self.unet = unet
        # --text-aux: the pooled prompt vector also predicts the emoji's subcategory (training only)
        self.aux = torch.nn.Linear(128, aux_classes) if aux_classes else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20000, help="total steps to reach (a resumed run continues)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--minutes", type=float, default=0, help="stop (with a checkpoint) after this long")
    p.add_argument("--save-every", type=int, default=200)
    p.add_argument("--checkpoint", default=os.path.join(common.ROOT, "models/train/checkpoints/emoji-base.pt"))
    p.add_argument("--from-package", default=None, help="start from this package's weights")
    p.add_argument("--out", default=os.path.join(common.ROOT, "models/emoji-base"))
    p.add_argument("--export-only", action="store_true")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--eval-every", type=int, default=0, help="score held-out adherence every N steps (0: never)")
    p.add_argument("--eval-guidance", default="3,5,8", help="guidance scales scored (--keep-best keeps the best pair)")
    p.add_argument("--keep-best", action="store_true", help="save/export the best-scoring EMA snapshot")
    p.add_argument("--judge", default=os.path.join(common.ROOT, "models/eval/cache/judge-2000.pt"))
    p.add_argument("--decay-steps", type=int, default=0, help="cosine learning-rate decay over this run's first N steps")
    p.add_argument("--guidance", type=float, default=5.0, help="the package's default guidance scale")
    p.add_argument("--weights-out", default=None, help="also write {ema, step, history} here (no optimizer)")
    p.add_argument("--arch", default=None, help=f"{', '.join(ARCHS)} (default: the checkpoint's, else {DEFAULT_ARCH})")
    p.add_argument("--init-from", default=None, help="start from this {ema} file's weights where shapes match")
    p.add_argument("--text-aux", type=float, default=0.0, help="weight of the subcategory loss on the prompt vector")
    p.add_argument("--word-drop", type=float, default=0.0, help="share of words trained as <unk> (x archs keep n-grams)")
    p.add_argument("--decay-time", action="store_true", help="cosine learning-rate decay to 5%% over --minutes")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    common.seed_everything(0)
    device = common.device_of(args.device)

    vocab = common.Vocab()
    images, rows = common.load(32)
    train = [i for i, r in enumerate(rows) if r["split"] == "train"]
    weights = torch.tensor([rows[i]["weight"] for i in train])
    data = common.to_tensor(images).to(device)
    ckpt = common.Checkpoint(args.checkpoint)
    saved = ckpt.load()
    # checkpoints from before --arch existed are all v1; a package tells its arch by its weights
    args.arch = args.arch or (saved.get("arch") or "v1" if saved else None) or \
        (package_arch(args.from_package) if args.from_package else DEFAULT_ARCH)
    seen = train_words(rows)
    subcats = sorted({r["subcategory"] for r in rows})
    n_aux = len(subcats) if args.text_aux and not args.export_only else 0
    model = Joint(*build(vocab, args.arch, seen), aux_classes=n_aux).to(device)
    model.encoder.word_drop = args.word_drop
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    if saved and n_aux and "aux.weight" not in saved.get("ema", {}):
        for k in ("model", "ema"):  # resuming without the auxiliary head: it starts fresh
            if k in saved:
                saved[k].update({n: v for n, v in model.state_dict().items() if n.startswith("aux.")})
        saved.pop("opt", None)
    if saved and not n_aux:
        for k in ("model", "ema"):  # an auxiliary head trained earlier is not part of this run or export
            if saved.get(k):
                saved[k] = {n: v for n, v in saved[k].items() if not n.startswith("aux.")}
    step, ema = common.resume(model, opt, ckpt, saved)
    if ema is None and args.init_from:
        init = torch.load(args.init_from, map_location="cpu")["ema"]
        own = model.state_dict()
        match = {k: v for k, v in init.items() if k in own and own[k].shape == v.shape}
        model.load_state_dict(match, strict=False)
        print(f"initialised {len(match)} of {len(own)} tensors from {args.init_from}")
    if ema is None and args.from_package:
        enc = torch.jit.load(os.path.join(args.from_package, "text_encoder.pt")).state_dict()
        den = torch.jit.load(os.path.join(args.from_package, "denoiser.pt")).state_dict()
        model.encoder.load_state_dict(enc)
        model.unet.load_state_dict(den)
        print("starting from", args.from_package)
    ema = ema or common.Ema(model)
    ab = common.cosine_alpha_bar()
    rng = random.Random(step)
    deadline = common.Deadline(args.minutes)
    log = common.StepLog()
    scorer = Scorer(args, rows, vocab, device) if args.eval_every and not args.export_only else None
    best, history, start = None, [], step
    while step < args.steps and not args.export_only and not deadline.passed():
        pick = torch.multinomial(weights, args.batch, replacement=True)
        idx = [train[i] for i in pick.tolist()]
        x0 = data[idx]
        keep = [rng.random() > 0.1 for _ in idx]
        tokens = torch.tensor([vocab.encode(common.caption(rows[i], rng)) if k
                               else [0] * common.MAX_TOKENS for i, k in zip(idx, keep)]).to(device)
        stash = {}

        def predict(xt, t):
            stash["cond"] = model.encoder(tokens)
            return model.unet(xt, t, stash["cond"])

        extra = None
        if n_aux:
            target = torch.tensor([subcats.index(rows[i]["subcategory"]) for i in idx], device=device)
            kept = torch.tensor(keep, device=device)

            def extra():
                logits = model.aux(stash["cond"][:, :128].float())
                return args.text_aux * torch.nn.functional.cross_entropy(logits[kept], target[kept])
        scale = common.cosine_decay(deadline.fraction(), 1.0) if args.decay_time else None
        loss = common.denoising_step(model, opt, ema, ab, step, args.lr, x0, predict, warm=step - start,
                                     decay=args.decay_steps, lr_scale=scale, extra=extra)
        step += 1
        log.add(step, loss)
        if step % args.save_every == 0:
            common.save(ckpt, model, ema, opt, step, args.arch)
        if scorer and step % args.eval_every == 0:
            scores = scorer(ema.shadow)
            history.append({"step": step, **scores})
            print("eval", json.dumps(history[-1]), flush=True)
            g, key = max(((g, scores[f"g{g:g}"]) for g in scorer.guidance), key=lambda gk: gk[1])
            if best is None or key > best[0]:
                best = (key, step, common.cpu_state(ema.shadow), g)
    if not args.export_only:
        common.save(ckpt, model, ema, opt, step, args.arch)
    shadow, kept = ema.shadow, step
    if args.keep_best and best is not None:
        print(f"best snapshot: step {best[1]}, guidance {best[3]:g}, adherence {best[0]:.3f} (selection seeds)")
        shadow, kept, args.guidance = best[2], best[1], best[3]
    if args.weights_out:
        torch.save({"ema": common.cpu_state(shadow), "step": kept, "last_step": step, "history": history,
                    "guidance": args.guidance, "arch": args.arch},
                   args.weights_out)
    ema.shadow = {k: v for k, v in common.cpu_state(shadow).items() if not k.startswith("aux.")}
    export(args.out, ema, vocab, kept, args.guidance, args.arch, seen)


class Scorer:
    """Held-out prompt adherence of EMA weights, as models/eval/evaluate.py measures it (its captions, its
    judge, DDIM 25 steps, classifier-free guidance) but on the training device, with seeds 100000+ rather
    than the evaluation's, so picking a snapshot does not pick the evaluation's noise."""

    def __init__(self, args, rows, vocab, device):
        import evaluate
        self.ev, self.device, self.vocab = evaluate, device, vocab
        self.guidance = [float(g) for g in args.eval_guidance.split(",")]
        subcats = sorted({r["subcategory"] for r in rows})
        self.captions, self.targets, _ = evaluate.heldout_captions(rows, subcats)
        self.judge = evaluate.Judge(len(subcats))
        self.judge.load_state_dict(torch.load(args.judge, map_location="cpu"))
        self.judge.eval()
        self.noise = torch.stack([torch.from_numpy(np.random.default_rng(100000 + s).standard_normal((3, 32, 32)))
                                  .float() for s in range(len(self.captions))])
        self.tokens = torch.tensor([vocab.encode(c) for c in self.captions] + [[0] * common.MAX_TOKENS] * len(self.captions))
        self.model = Joint(*build(vocab, args.arch)).to(device).eval()

    def __call__(self, shadow):
        self.model.load_state_dict({k: v for k, v in shadow.items() if not k.startswith("aux.")})
        tf32 = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
        out = {}
        with torch.no_grad():
            cond = self.model.encoder(self.tokens.to(self.device))
            b = len(self.captions)
            for g in self.guidance:
                def eps_fn(xt, t):
                    o = self.model.unet(torch.cat([xt, xt]), torch.full((2 * b,), float(t), device=self.device), cond)
                    return o[b:] + g * (o[:b] - o[b:])
                gen = self.ev.ddim(eps_fn, self.noise.to(self.device), 25).clamp(-1, 1).cpu()
                out[f"g{g:g}"] = round(self.ev.top5_hit(self.judge, gen, self.targets), 4)
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = tf32
        return out


def export(out, ema, vocab, step, guidance=5.0, arch="v1", seen=None):
    model = Joint(*build(vocab, arch, seen))
    model.load_state_dict({k: v for k, v in common.cpu_state(ema.shadow).items() if not k.startswith("aux.")})
    model.eval()
    tok = torch.zeros(2, common.MAX_TOKENS, dtype=torch.long)
    tok[:, 0] = 2
    tok[0, 1] = 3
    with torch.no_grad():
        cond = model.encoder(tok)
    common.write_package(out, [
        ("text_encoder.pt", model.encoder, (tok,)),
        ("denoiser.pt", model.unet, (torch.randn(2, 3, 32, 32), torch.tensor([10.0, 500.0]), cond)),
    ], {"format": 1, "name": "emoji-base", "version": f"0.{step}", "kind": "text-to-image", "resolution": 32,
        "channels": 3, "prediction": "epsilon", "schedule": {"type": "cosine", "timesteps": common.T},
        "denoiser": "denoiser.pt",
        "text_encoder": {"file": "text_encoder.pt", "vocab": "vocab.txt", "max_tokens": common.MAX_TOKENS},
        # the guidance scale is chosen on held-out captions (MODEL_CARD.md): --guidance
        "defaults": {"steps": 25, "guidance_scale": float(guidance), "sampler": "ddim"},
        "license": "Apache-2.0 weights; trained on Noto Emoji (Apache-2.0) and Twemoji (CC-BY-4.0) art, see MODEL_CARD.md",
        "provenance": f"models/train/train_base.py, {step} steps, EMA weights"})
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab.words) + "\n")
    print("exported", out, "at step", step)


if __name__ == "__main__":
    main()
