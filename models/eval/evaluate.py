#!/usr/bin/env python3
"""Evaluates the shipped models and prints a table (models/README.md explains the packages).

- Prompt adherence: previews for >= 200 held-out captions (emoji never seen in training); the fraction
  whose subcategory, as predicted by a separately trained judge (a 99-way subcategory classifier trained
  here on the training split only, not a shipped model), has the caption's subcategory in its top 5.
  Ceiling: the judge on the real held-out images; floor: chance, 5/99.
- Frechet distance between generated and real held-out images in the judge's feature space, for previews
  and for full images (the super-resolved image brought back to 32 px).
- Super-resolution: PSNR and SSIM of SR(downsampled real) and of bicubic upscaling, held-out 128 px images.
- Safety: precision and recall per concept on real images of art the classifier never trained on (held
  out by art family: models/emoji-safety/heldout_scores.json from the recipe's cross-validation), at the
  shipped thresholds and at the art rule's (high recall); on the Twemoji art (seen by the package); and
  the flagged rate on generated images for concept prompts vs neutral prompts.

Generation uses the engine's samplers as written in the reference (DDIM, classifier-free guidance): the
Java engine matches them to 1e-4 (worker SamplerReferenceTest).

    /usr/bin/python3 models/eval/evaluate.py [--base models/emoji-base] [--sr models/emoji-sr] [--safety models/emoji-safety]
    /usr/bin/python3 models/eval/evaluate.py --only-safety      # the safety rows alone, ~3 minutes
    /usr/bin/python3 models/eval/evaluate.py --sweep 25:leading,8:trailing   # preview settings side by side
"""
import argparse
import json
import math
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
import common  # noqa: E402

CACHE = os.path.join(HERE, "cache")


class Judge(nn.Module):
    def __init__(self, classes):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(), nn.MaxPool2d(2))
        self.features = nn.Sequential(block(3, 32), block(32, 64), block(64, 128))
        self.head = nn.Linear(128, classes)

    def embed(self, x):
        return self.features(x).mean(dim=(2, 3))

    def forward(self, x):
        return self.head(self.embed(x))


def train_judge(x, y, classes, steps):
    path = os.path.join(CACHE, f"judge-{steps}.pt")
    judge = Judge(classes)
    if os.path.exists(path):
        judge.load_state_dict(torch.load(path))
        return judge.eval()
    opt = torch.optim.AdamW(judge.parameters(), lr=2e-3, weight_decay=1e-4)
    for step in range(steps):
        idx = torch.randint(0, len(x), (128,))
        xb = torch.roll(x[idx], shifts=tuple(torch.randint(-2, 3, (2,)).tolist()), dims=(2, 3))
        xb = (xb + 0.05 * torch.randn_like(xb)).clamp(-1, 1)
        loss = F.cross_entropy(judge(xb), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    os.makedirs(CACHE, exist_ok=True)
    torch.save(judge.state_dict(), path)
    return judge.eval()


def batched(fn, x, size=256):
    with torch.no_grad():
        return torch.cat([fn(x[i:i + size]) for i in range(0, len(x), size)])


def top5_hit(judge, x, targets):
    logits = batched(judge, x)
    top = logits.topk(5, dim=1).indices
    return (top == targets[:, None]).any(dim=1).float().mean().item()


def frechet(a, b):
    a, b = a.double().numpy(), b.double().numpy()
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # sqrt of s1 s2 through the symmetric form s1^1/2 s2 s1^1/2 (eigenvalues are real and >= 0)
    w, v = np.linalg.eigh(s1)
    r1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = r1 @ s2 @ r1
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_sqrt)


def spaced(steps, spacing="leading", limit=common.T):
    """The timesteps a run visits, noisiest first: the package's schedule.timestep_spacing (models/README.md)."""
    if spacing == "leading":
        return [int(math.floor(i * limit / steps)) for i in range(steps)][::-1]
    if spacing == "trailing":
        return (np.round(np.arange(limit, 0, -limit / steps)).astype(np.int64) - 1).tolist()
    if spacing == "linspace":
        return np.linspace(0, limit - 1, steps).round()[::-1].astype(np.int64).tolist()
    raise ValueError(spacing)


def ddim(eps_fn, x, steps, limit=common.T, spacing="leading"):
    """DDIM (eta 0) over steps timesteps below limit, as the engine does (NoiseSchedule.spacedTimesteps)."""
    ab = common.cosine_alpha_bar().double()
    ts = spaced(steps, spacing, limit)
    for i, t in enumerate(ts):
        a = ab[t].item()
        a_prev = ab[ts[i + 1]].item() if i + 1 < steps else 1.0
        eps = eps_fn(x, t)
        x0 = ((x - math.sqrt(1 - a) * eps) / math.sqrt(a)).clamp(-1, 1)
        eps = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
        x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * eps
    return x


def generate(package, vocab, captions, seeds, steps=None, guidance=None, batch=32, spacing=None):
    """Previews as the engine makes them, by default with the package's defaults (DDIM, its steps, guidance
    scale and timestep spacing)."""
    meta = json.load(open(os.path.join(package, "model.json")))
    guidance = meta["defaults"]["guidance_scale"] if guidance is None else guidance
    steps = meta["defaults"]["steps"] if steps is None else steps
    spacing = meta["schedule"].get("timestep_spacing", "leading") if spacing is None else spacing
    enc = torch.jit.load(os.path.join(package, "text_encoder.pt"))
    den = torch.jit.load(os.path.join(package, "denoiser.pt"))
    out = []
    for i in range(0, len(captions), batch):
        caps = captions[i:i + batch]
        b = len(caps)
        with torch.no_grad():
            cond = enc(torch.tensor([vocab.encode(c) for c in caps] + [[0] * common.MAX_TOKENS] * b))
            x = torch.stack([torch.from_numpy(np.random.default_rng(s).standard_normal((3, 32, 32))).float()
                             for s in seeds[i:i + batch]])

            def eps_fn(xt, t):
                o = den(torch.cat([xt, xt]).float(), torch.full((2 * b,), float(t)), cond)
                return o[b:] + guidance * (o[:b] - o[b:])
            out.append(ddim(eps_fn, x, steps, spacing=spacing).clamp(-1, 1))
    return torch.cat(out)


def upscale(package, low, steps=20, batch=16):
    """The engine's super-resolution stage: from pure noise, or (start_timestep in model.json) from the
    bilinear upsample noised to the first timestep below start_timestep."""
    den = torch.jit.load(os.path.join(package, "denoiser.pt"))
    limit = json.load(open(os.path.join(package, "model.json"))).get("start_timestep") or common.T
    first = int(math.floor((steps - 1) * limit / steps))
    a = common.cosine_alpha_bar().double()[first].item() if limit < common.T else 0.0
    out = []
    for i in range(0, len(low), batch):
        up = F.interpolate(low[i:i + batch], size=(128, 128), mode="bilinear", align_corners=False)
        with torch.no_grad():
            x = math.sqrt(a) * up + math.sqrt(1 - a) * torch.randn(len(up), 3, 128, 128)
            out.append(ddim(lambda xt, t: den(xt.float(), torch.full((len(up),), float(t)), up), x, steps, limit).clamp(-1, 1))
    return torch.cat(out)


def heldout_captions(rows, subcats):
    """Held-out captions: label, label with tags, tags alone, for every held-out emoji (one style's row each).
    (captions, subcategory targets, {emoji: row})."""
    held = [i for i, r in enumerate(rows) if r["split"] == "heldout"]
    emoji_rows = {rows[i]["emoji"]: rows[i] for i in held}
    captions, targets = [], []
    for r in emoji_rows.values():
        tags = [t for t in r["tags"] if t]
        for cap in [r["label"], r["label"] + " " + " ".join(tags[:2]), " ".join(tags[:3]) or r["label"]]:
            captions.append(cap)
            targets.append(subcats.index(r["subcategory"]))
    return captions, torch.tensor(targets), emoji_rows


def psnr(a, b):
    mse = ((a - b) ** 2).mean(dim=(1, 2, 3))
    return (10 * torch.log10(4.0 / mse)).mean().item()  # images in [-1, 1]: peak-to-peak 2


def ssim(a, b):
    a, b = (a + 1) / 2, (b + 1) / 2
    g = torch.exp(-(torch.arange(11) - 5.0) ** 2 / (2 * 1.5 ** 2))
    w = (g[:, None] * g[None, :]) / g.sum() ** 2
    w = w.expand(3, 1, 11, 11)
    mu_a, mu_b = F.conv2d(a, w, groups=3), F.conv2d(b, w, groups=3)
    saa = F.conv2d(a * a, w, groups=3) - mu_a ** 2
    sbb = F.conv2d(b * b, w, groups=3) - mu_b ** 2
    sab = F.conv2d(a * b, w, groups=3) - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    return (((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (saa + sbb + c2))).mean().item()


def flagged_rates(base, clf, meta, rows, train_safety, per_side=60):
    """Generated previews scored by the safety classifier: prompts for each concept vs neutral prompts.

    Concept prompts are the labels and tags of the emoji that define each concept (as a client would write
    them); neutral prompts are labels of held-out emoji outside every concept. Image scores only: the prompt policy
    flags named concepts in moderation regardless of the image.
    """
    rng = random.Random(5)
    by_concept = {c: sorted({r["label"] for r in rows if c in train_safety.concepts_of(r)}) for c in meta["labels"]}
    concept_prompts = []
    while len(concept_prompts) < per_side:
        for c, labels in by_concept.items():
            if labels and len(concept_prompts) < per_side:
                concept_prompts.append((c, rng.choice(labels)))
    # every held-out emoji outside the concepts, 4 seeds each (train_safety.py fits its review budget on
    # previews of training captions, so these prompts were never part of a fit)
    neutral = sorted({r["label"] for r in rows if r["split"] == "heldout" and not train_safety.concepts_of(r)})
    neutral_prompts = [label for label in neutral for _ in range(4)]
    vocab = common.Vocab(os.path.join(base, "vocab.txt"))
    gen_c = generate(base, vocab, [p for _, p in concept_prompts], list(range(1000, 1000 + per_side)))
    gen_n = generate(base, vocab, neutral_prompts, list(range(70000, 70000 + len(neutral_prompts))))
    th = torch.tensor([meta["thresholds"][c] for c in meta["labels"]])
    flag_c = batched(clf, gen_c) >= th
    flag_n = batched(clf, gen_n) >= th
    out = [("flagged, generated previews of concept prompts", f"{flag_c.any(1).float().mean():.1%}", f"N = {per_side}, any concept")]
    for k, c in enumerate(meta["labels"]):
        idx = [i for i, (cc, _) in enumerate(concept_prompts) if cc == c]
        if idx:
            out.append((f"  flagged as {c}, prompts for {c}", f"{flag_c[idx, k].float().mean():.1%}", f"N = {len(idx)}"))
    out.append(("flagged, generated previews of neutral prompts (false positives)", f"{flag_n.any(1).float().mean():.1%}",
                f"N = {len(neutral_prompts)} ({len(neutral)} held-out emoji x 4 seeds)"))
    return out


def heldout_safety(folds, labels, key="thresholds", point="shipped thresholds"):
    """Precision / recall per concept on art never seen in training: heldout_scores.json, written by
    train_safety.py --score-folds from the cross-validation folds (one model per art family left out,
    thresholds fitted on each fold's training images; for a family added after the package was trained,
    the package's own members). `key`: the operating point, "thresholds" (the recipe's, as shipped) or
    "thresholds_art_rule" (the high-recall point). Precision twice: against the held-out emoji only, and
    also against the look-alikes (the concept emoji's subcategories: other drinks, tools, hands)."""
    out = []
    for k, c in enumerate(labels):
        tp = pos = fp_held = fp_all = 0
        recalls = []
        for family, fold in folds.items():
            th = fold[key][c]
            f_tp = f_pos = 0
            for img in fold["images"]:
                hit = img["scores"][k] >= th
                if c in img["concepts"]:
                    f_pos += 1
                    f_tp += hit
                elif hit:
                    fp_all += 1
                    fp_held += img["split"] == "heldout"
            tp, pos = tp + f_tp, pos + f_pos
            recalls.append(f"{family} {f_tp}/{f_pos}")
        prec = lambda fp: f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        out.append((f"safety {c}: precision / recall, art never seen (held out by art family), {point}",
                    f"{prec(fp_held)} / {tp / pos:.2f}",
                    f"{pos} positives ({', '.join(recalls)}); precision with look-alikes too {prec(fp_all)}; "
                    "target P >= 0.8, R >= 0.9"))
    return out


def is_picture(img):
    """Moderation's picture check (PictureStats): >= 16 distinct 8-bit colours and luminance std >= 4 of 255."""
    rgb = ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch.int64)     # [3, H, W], as the PNG encoder rounds
    packed = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]
    lum = 0.299 * rgb[0].double() + 0.587 * rgb[1].double() + 0.114 * rgb[2].double()
    return len(torch.unique(packed)) >= 16 and lum.std(unbiased=False).item() >= 4.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", default=os.path.join(common.ROOT, "models/emoji-base"))
    p.add_argument("--sr", default=os.path.join(common.ROOT, "models/emoji-sr"))
    p.add_argument("--safety", default=os.path.join(common.ROOT, "models/emoji-safety"))
    p.add_argument("--judge-steps", type=int, default=2000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--judge-package", default=os.path.join(common.ROOT, "models/emoji-judge"))
    p.add_argument("--only-safety", action="store_true", help="just the safety rows (no judge, adherence or SR)")
    p.add_argument("--only-judge-package", action="store_true",
                   help="just the shipped judge's rows, on the previews cached by a full run (~1 minute)")
    p.add_argument("--sweep", help="compare preview settings side by side, e.g. 25:leading,8:trailing,4:trailing "
                   "(DDIM steps:spacing; adherence, Frechet distance, pass rate and seconds per preview in one run)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    common.seed_everything(3)
    rng = random.Random(3)

    images, rows = common.load(32)
    x = common.to_tensor(images)
    table = []
    if args.sweep:
        sweep(args, x, rows, table)
    elif args.only_judge_package:
        captions, _, _ = heldout_captions(rows, sorted({r["subcategory"] for r in rows}))
        judge_package(args, x, rows, captions, torch.load(os.path.join(CACHE, "previews.pt")), table)
    elif not args.only_safety:
        adherence_and_sr(args, x, rows, table)
    if not args.only_judge_package and not args.sweep:
        safety(args, x, rows, table)
    width = max(len(t[0]) for t in table)
    print(f"\n| {'metric'.ljust(width)} | value | note |\n|{'-' * (width + 2)}|---|---|")
    for name, value, note in table:
        print(f"| {name.ljust(width)} | {value} | {note} |")


def sweep(args, x, rows, table):
    """Preview settings side by side on the same captions and seeds: what each buys and costs."""
    import time
    subcats, y, held, judge = held_out_judge(args, x, rows)
    captions, targets, _ = heldout_captions(rows, subcats)
    real_feats = batched(judge.embed, x[held])
    vocab = common.Vocab(os.path.join(args.base, "vocab.txt"))
    for setting in args.sweep.split(","):
        steps, spacing = setting.split(":")
        t0 = time.perf_counter()
        gen = generate(args.base, vocab, captions, list(range(len(captions))), steps=int(steps), spacing=spacing)
        per = (time.perf_counter() - t0) / len(gen)
        passed = sum(is_picture(img) for img in gen)
        table.append((f"ddim {steps} steps, {spacing}",
                      f"adherence {top5_hit(judge, gen, targets):.1%}, FD {frechet(batched(judge.embed, gen), real_feats):.1f}, "
                      f"pass {passed / len(gen):.0%}", f"{per * 1000:.0f} ms per preview (batch 32, {args.threads} threads)"))


def held_out_judge(args, x, rows):
    """The subcategories, their labels, the held-out indices and the judge trained on the training split."""
    subcats = sorted({r["subcategory"] for r in rows})
    y = torch.tensor([subcats.index(r["subcategory"]) for r in rows])
    train = [i for i, r in enumerate(rows) if r["split"] == "train"]
    held = [i for i, r in enumerate(rows) if r["split"] == "heldout"]
    return subcats, y, held, train_judge(x[train], y[train], len(subcats), args.judge_steps)


def adherence_and_sr(args, x, rows, table):
    subcats, y, held, judge = held_out_judge(args, x, rows)
    ceiling = top5_hit(judge, x[held], y[held])

    captions, targets, emoji_rows = heldout_captions(rows, subcats)
    table.append(("held-out captions", f"{len(captions)} from {len(emoji_rows)} emoji", ""))
    table.append(("prompt adherence, real held-out images (ceiling)", f"{ceiling:.1%}", "judge top-5 subcategory"))
    table.append(("prompt adherence, chance (floor)", f"{5 / len(subcats):.1%}", f"5/{len(subcats)}"))
    real_feats = batched(judge.embed, x[held])
    if os.path.isdir(args.base):
        vocab = common.Vocab(os.path.join(args.base, "vocab.txt"))
        gen = generate(args.base, vocab, captions, list(range(len(captions))))
        table.append(("prompt adherence, generated previews", f"{top5_hit(judge, gen, targets):.1%}",
                      f"target >= 40%; {os.path.basename(args.base)} {json.load(open(os.path.join(args.base, 'model.json')))['version']}"))
        table.append(("Frechet distance, previews vs real held-out", f"{frechet(batched(judge.embed, gen), real_feats):.1f}",
                      "judge features (128-d)"))
        passed = sum(is_picture(img) for img in gen)
        table.append(("quality pass rate, generated previews", f"{passed / len(gen):.1%}",
                      f"{passed}/{len(gen)} pass moderation's picture check (>= 16 colours, luminance std >= 4)"))
        os.makedirs(CACHE, exist_ok=True)
        torch.save(gen, os.path.join(CACHE, "previews.pt"))
        judge_package(args, x, rows, captions, gen, table)
        if os.path.isdir(args.sr):
            full = upscale(args.sr, gen)
            back = F.interpolate(full, size=(32, 32), mode="area")
            table.append(("Frechet distance, full images (at 32 px) vs real held-out",
                          f"{frechet(batched(judge.embed, back), real_feats):.1f}", ""))
    else:
        table.append(("generated previews", "no base package", args.base))
    big, big_rows = common.load(128)
    held128 = [i for i, r in enumerate(big_rows) if r["split"] == "heldout"]
    real128 = common.to_tensor(big[held128])
    low = F.interpolate(real128, size=(32, 32), mode="area")
    bicubic = F.interpolate(low, size=(128, 128), mode="bicubic", align_corners=False).clamp(-1, 1)
    table.append(("bicubic 32->128, held-out 128 px", f"PSNR {psnr(bicubic, real128):.2f} dB, SSIM {ssim(bicubic, real128):.3f}",
                  f"{len(held128)} images"))
    if os.path.isdir(args.sr):
        sr = upscale(args.sr, low)
        table.append(("super-resolution 32->128, held-out 128 px", f"PSNR {psnr(sr, real128):.2f} dB, SSIM {ssim(sr, real128):.3f}",
                      "target: beats bicubic on both"))
    else:
        table.append(("super-resolution", "no SR package", args.sr))


def judge_package(args, x, rows, captions, gen, table):
    """The shipped judge (moderation's prompt adherence, models/emoji-judge) as moderation uses it: the share
    of pictures whose similarity to their prompt reaches the package threshold, for generated previews
    with their own prompt and with another held-out prompt, and for the real held-out images; and the
    diversity (mean pairwise cosine distance) of four previews of one prompt against four copies."""
    if not os.path.isdir(args.judge_package):
        table.append(("shipped judge", "no judge package", args.judge_package))
        return
    meta = json.load(open(os.path.join(args.judge_package, "model.json")))
    img_enc = torch.jit.load(os.path.join(args.judge_package, meta["image_encoder"]))
    txt_enc = torch.jit.load(os.path.join(args.judge_package, meta["text_encoder"]["file"]))
    vocab = common.Vocab(os.path.join(args.judge_package, meta["text_encoder"]["vocab"]))
    tokens = torch.tensor([vocab.encode(c) for c in captions])
    # the image the engine delivers is quantized to 8 bits before moderation sees it
    gen8 = torch.round((gen.clamp(-1, 1) + 1) * 127.5) / 127.5 - 1
    with torch.no_grad():
        fi, ft = batched(img_enc, gen8), batched(txt_enc, tokens)
    own = (fi * ft).sum(-1)
    # against a caption of the emoji half the list away (3 captions each; neighbours are often near-synonyms)
    other = (fi * ft.roll(3 * (len(captions) // 6), 0)).sum(-1)
    t = meta["threshold"]
    name = f"{meta['name']}@{meta['version']}"
    table.append((f"shipped judge {name}: adherence pass rate, previews with their prompt", f"{(own >= t).float().mean():.1%}",
                  f"threshold {t}; mean similarity {own.mean():.3f}"))
    table.append(("  the same previews against another emoji's prompt", f"{(other >= t).float().mean():.1%}",
                  f"mean similarity {other.mean():.3f}"))
    table.append(("  real held-out images with their prompt (calibration)", f"{meta['calibration']['real_matched_pass_rate']:.1%}",
                  f"mismatched: {meta['calibration']['real_mismatched_pass_rate']:.1%}"))
    # previews come 3 captions per emoji; a job of 4 samples is 4 seeds of one prompt: here the emoji's
    # captions' previews stand in, so the figure is an upper bound on one prompt's diversity
    groups = fi[: len(fi) // 3 * 3].reshape(-1, 3, fi.shape[-1])
    sims = groups @ groups.transpose(1, 2)
    div = ((1 - sims).sum(dim=(1, 2)) / 6).mean()
    table.append(("  diversity, previews of one emoji's 3 captions (identical samples: 0)", f"{div:.3f}", "mean pairwise cosine distance"))


def safety(args, x, rows, table):
    if os.path.isdir(args.safety):
        import train_safety
        meta = json.load(open(os.path.join(args.safety, "model.json")))
        clf = torch.jit.load(os.path.join(args.safety, meta["classifier"]))
        twemoji = [i for i, r in enumerate(rows) if r["style"] == "twemoji"]
        labels = torch.tensor([[1.0 if c in train_safety.concepts_of(rows[i]) else 0.0 for c in meta["labels"]] for i in twemoji])
        seen = train_safety.metrics(batched(clf, x[twemoji]), labels, meta["thresholds"], meta["labels"])
        nan = lambda v: float("nan") if v is None else v
        for c, m in seen.items():
            table.append((f"safety {c}: precision / recall, Twemoji art (seen in training by the package)",
                          f"{nan(m['precision']):.2f} / {nan(m['recall']):.2f}",
                          f"{m['positives']} positives; target P >= 0.8, R >= 0.9"))
        scores = os.path.join(args.safety, "heldout_scores.json")
        if os.path.exists(scores):
            folds = json.load(open(scores))["folds"]
            table.extend(heldout_safety(folds, meta["labels"]))
            table.extend(heldout_safety(folds, meta["labels"], "thresholds_art_rule", "art rule (high recall)"))
        if os.path.isdir(args.base):
            table.extend(flagged_rates(args.base, clf, meta, rows, train_safety))
    else:
        table.append(("safety", "no safety package", args.safety))


if __name__ == "__main__":
    main()
