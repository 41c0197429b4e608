#!/usr/bin/env python3
"""Trains emoji-safety: a multi-label concept classifier for moderation, on 32 px images.

Concept labels come from each emoji's caption label through the curated CONCEPTS below (the mapping
is the model card's). Positives are rare (a few dozen emoji), so the loss weights them up and training augments with
shifts, colour jitter and noise (generated images are noisier than the art).

A concept has only a handful of emoji per art style, too few to learn what a weapon looks like in a style
never seen. So the network also learns which emoji an image is (identity, 1,911 classes, each drawn by
several artists: build_dataset.py's extra art) and its subcategory, and a concept's score is the identity
probability mass of the emoji that depict it (--mode identity; "head" and "max" are the alternatives the
cross-validation compares).

Evaluation leaves out a whole art family (Noto, Twemoji, Fluent, EmojiOne: FAMILIES): its drawings of the
concept emoji, their look-alikes and the held-out emoji are never trained on and are what the fold is tested
on. --cross-validate runs one fold per family; --final trains on everything for the shipped model.

Generated previews are blurrier than any art: a blurry red ball with a stem scores as the bomb, which is why
the shipped thresholds carry a review budget. --negative-previews puts emoji-base's previews of everyday
prompts into every batch as negatives; --refit-from keeps a trained model's features and fits only its heads
again, with the previews and any new art (refit_heads, the CPU stand-in for a GPU retrain; a fold starts from
that fold's model, so the family left out stays unseen). Tried on 1.12001 and not shipped: the refit stopped
flagging previews of concept prompts too (MODEL_CARD.md, "Tried, not shipped").

    # emoji-safety 1.12001 (MODEL_CARD.md; GPU, drop --device for a CPU: hours at width 64; 1.12001 trained
    # before EmojiOne art was in the data, so its folds are noto, twemoji and fluent):
    S="--device cuda --negative-previews 0"
    python3 models/train/train_safety.py $S --final --weights-out w48.pt
    python3 models/train/train_safety.py $S --final --width 64 --steps 12000 --weights-out w64.pt
    python3 models/train/train_safety.py $S --cross-validate --folds-out folds-w48   # and w64
    /usr/bin/python3 models/train/train_safety.py --export-from w48.pt,w64.pt --version 1.12001
    /usr/bin/python3 models/train/train_safety.py --score-folds folds-w48,folds-w64 --score-members w48.pt,w64.pt
    # the refit that was tried (and w64 alike), then --export-from / --score-folds on its outputs:
    /usr/bin/python3 models/train/train_safety.py --final --refit-from w48.pt --negative-previews 3000 \
        --weights-out refit-w48.pt --out /tmp/refit-pkg
    /usr/bin/python3 models/train/train_safety.py --cross-validate --refit-from folds-w48 --refit-new w48.pt \
        --negative-previews 3000 --folds-out refit-folds-w48
"""
import argparse
import functools
import json
import math
import os
import random
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

import common

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "eval"))

# concept -> the emoji (by their emojibase label) that depict it. Curated rather than matched against tags:
# tags are too loose for a safety label ("medicine" tags the hospital, "bar" tags soap, "knife" the cutlery).
# "no smoking" is a prohibition sign, not tobacco; the water pistol is drawn as a gun, so it counts.
CONCEPTS = {
    "weapon": ["water pistol", "kitchen knife", "dagger", "bomb", "axe", "crossed swords", "bow and arrow"],
    "drug": ["pill", "syringe"],
    "tobacco": ["cigarette"],
    "alcohol": ["beer mug", "clinking beer mugs", "wine glass", "cocktail glass", "tropical drink", "sake",
                "bottle with popping cork", "clinking glasses", "tumbler glass"],
    "offensive_gesture": ["middle finger"],
}
LABELS = list(CONCEPTS)


def concepts_of(row):
    return [c for c, labels in CONCEPTS.items() if row["label"].lower() in labels]


class SafetyNet(nn.Module):
    """image [B, 3, 32, 32] in [-1, 1] -> concept probabilities [B, len(LABELS)].

    Besides the concept head it learns which emoji an image is (identity, ~1,900 classes, every emoji drawn
    by several artists) and its subcategory. Identity is what teaches "the same thing, drawn differently":
    with `mode` "identity" a concept's score is the probability mass of the emoji that depict it, with
    "max" the larger of that and the concept head, with "head" the concept head alone."""

    def __init__(self, subcategories=1, width=32, identity_concepts=None, mode="head"):
        super().__init__()
        w = width
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(), nn.MaxPool2d(2))
        self.width = w
        self.features = nn.Sequential(block(3, w), block(w, 2 * w), block(2 * w, 4 * w))
        self.head = nn.Linear(4 * w, len(LABELS))
        self.subcategory = nn.Linear(4 * w, subcategories)  # auxiliary, training only
        # [identities, concepts]: which emoji depicts which concept (0 / 1)
        ids = identity_concepts if identity_concepts is not None else torch.zeros(1, len(LABELS))
        self.register_buffer("identity_concepts", ids)
        self.identity = nn.Linear(4 * w, ids.shape[0])
        self.mode = mode

    def forward(self, x):
        h = self.features(x).mean(dim=(2, 3))
        head = torch.sigmoid(self.head(h))
        if self.mode == "head":
            return head
        mass = (torch.softmax(self.identity(h), dim=1) @ self.identity_concepts).clamp(0, 1)
        return mass if self.mode == "identity" else torch.maximum(head, mass)

    def pooled_features(self, x):
        return self.features(x).mean(dim=(2, 3))

    def loss(self, h, y, s, e, identity_weight):
        """The training loss on pooled features h: the first len(y) rows are art (concept labels y,
        subcategories s, emoji identities e): BCE on the concepts + 0.5 x the subcategory cross-entropy +
        identity_weight x the identity cross-entropy; any rows after them are negative previews, target 0
        for both the concept head and the identity mass (what is scored). A preview has no reliable identity
        (the base model misses its prompt half the time), so no identity or subcategory loss for it."""
        n, logits, identity = len(y), self.head(h), self.identity(h)
        loss = F.binary_cross_entropy_with_logits(logits[:n], y) + \
            0.5 * F.cross_entropy(self.subcategory(h[:n]), s) + identity_weight * F.cross_entropy(identity[:n], e)
        if len(h) > n:
            mass = (torch.softmax(identity[n:], dim=1) @ self.identity_concepts).clamp(0, 1 - 1e-6)
            loss = loss + F.binary_cross_entropy_with_logits(logits[n:], torch.zeros_like(logits[n:])) + \
                F.binary_cross_entropy(mass, torch.zeros_like(mass))
        return loss


class Ensemble(nn.Module):
    """The mean of several SafetyNets' concept scores (the shipped package: two recipes trained apart)."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        return torch.stack([m(x) for m in self.members]).mean(dim=0)


def augment(x, strong=False):
    """Shifts, scale, colour jitter, greyscale, noise; with strong=True (the default recipe since the GPU run)
    also per-sample rotation, flips, zoom, channel permutation, saturation, posterize (flat colours, like a
    style with no gradients) and blur, so that a drawing's style varies more than between Noto and Twemoji."""
    if strong:
        return strong_augment(x)
    shift, dev = torch.randint(-3, 4, (2,)).tolist(), x.device
    x = torch.roll(x, shifts=shift, dims=(2, 3))
    x = x * (1 + 0.2 * (torch.rand(x.shape[0], 3, 1, 1, device=dev) - 0.5)) + \
        0.1 * (torch.rand(x.shape[0], 3, 1, 1, device=dev) - 0.5)
    grey = (torch.rand(x.shape[0], 1, 1, 1, device=dev) < 0.2).float()
    x = grey * x.mean(dim=1, keepdim=True).expand_as(x) + (1 - grey) * x
    if torch.rand(1).item() < 0.5:  # a little smaller or larger, as drawings differ
        size = int(torch.randint(26, 39, (1,)).item())
        x = F.interpolate(F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False), size=(32, 32),
                          mode="bilinear", align_corners=False)
    return (x + 0.1 * torch.rand(1).item() * torch.randn_like(x)).clamp(-1, 1)


def strong_augment(x):
    b, dev = x.shape[0], x.device

    def u(lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(b, *shape, device=dev)

    def chance(p):
        return (torch.rand(b, 1, 1, 1, device=dev) < p).float()

    ang, zoom = u(-0.35, 0.35), u(0.75, 1.25)
    flip = torch.where(torch.rand(b, device=dev) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(ang) / zoom, torch.sin(ang) / zoom
    theta = torch.stack([torch.stack([cos * flip, -sin, u(-0.15, 0.15)], 1),
                         torch.stack([sin * flip, cos, u(-0.15, 0.15)], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x - 1, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + 1  # white fill
    perm = torch.argsort(torch.rand(b, 3, device=dev), dim=1)
    x = _mix(chance(0.3), torch.gather(x, 1, perm[:, :, None, None].expand_as(x)), x)  # hue: permute RGB
    grey = x.mean(dim=1, keepdim=True)
    x = grey + u(0.4, 1.5, 1, 1, 1) * (x - grey)  # saturation
    x = _mix(chance(0.15), grey.expand_as(x), x)
    x = x * u(0.8, 1.2, 1, 1, 1) + u(-0.15, 0.15, 3, 1, 1)  # contrast, colour cast
    levels = torch.randint(2, 6, (b, 1, 1, 1), device=dev).float()
    x = _mix(chance(0.3), torch.round((x.clamp(-1, 1) + 1) / 2 * levels) / levels * 2 - 1, x)
    x = _mix(chance(0.3), F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1), x)
    return (x + u(0, 0.1, 1, 1, 1) * torch.randn_like(x)).clamp(-1, 1)


def _mix(mask, a, b):
    return mask * a + (1 - mask) * b


# Art families: styles drawn from the same designs count as one, so that "never seen" means a different artist.
FAMILIES = {"noto": ("noto", "noto-font", "noto-2017"), "twemoji": ("twemoji",),
            "fluent": ("fluent-flat", "fluent-color", "fluent-hc", "fluent-3d"),
            "emojione": ("emojione", "emojione-bw")}


# what the models saved before EmojiOne joined the data trained on (their files do not list their styles)
LEGACY_STYLES = tuple(st for f, styles in FAMILIES.items() if f != "emojione" for st in styles)


def styles_of(state):
    """The art styles a save_weights file's model trained on."""
    return tuple(state.get("styles") or LEGACY_STYLES)


def family_of(style):
    return next(f for f, styles in FAMILIES.items() if style in styles)


@functools.lru_cache(maxsize=1)
def images(extra=True):
    """Every 32 px image with its row: Noto and Twemoji art, the 128 px Noto font renders area-downsampled
    and, with extra, the other drawings (2017 Noto, Fluent flat / color / high-contrast / 3D)."""
    x32, rows = common.load(32)
    big, big_rows = common.load(128)
    parts = [common.to_tensor(x32), F.interpolate(common.to_tensor(big), size=(32, 32), mode="area")]
    rows = rows + big_rows
    if extra:
        more, more_rows = common.load_extra()
        parts.append(common.to_tensor(more))
        rows = rows + more_rows
    return torch.cat(parts), rows


def unseen_indices(rows, family):
    """The drawings in `family` of the concept emoji, of their look-alikes (every emoji in a concept emoji's
    subcategory: other drinks, tools, hands, medical things) and of the held-out emoji: what a fold leaves
    out of training and tests on. Precision is measured against the look-alikes, the hardest negatives."""
    near = {r["subcategory"] for r in rows if concepts_of(r)}
    return [i for i, r in enumerate(rows) if family_of(r["style"]) == family
            and (concepts_of(r) or r["subcategory"] in near or r["split"] == "heldout")]


class Data:
    """Training tensors (x, y concepts, s subcategory, e emoji identity) and the test split."""

    def __init__(self, unseen=None, extra=True, negatives=None, styles=None):
        """unseen: the art family left out and tested on (unseen_indices), or None to train on everything.
        negatives: generated previews of everyday prompts (negative_previews) that no concept may flag.
        styles: only these art styles (a saved model's, to fit its thresholds on what it trained on)."""
        x, rows = images(extra)
        if styles is not None:
            keep = [i for i, r in enumerate(rows) if r["style"] in styles]
            x, rows = x[keep], [rows[i] for i in keep]
        self.styles = sorted({r["style"] for r in rows})
        y = torch.tensor([[1.0 if c in concepts_of(r) else 0.0 for c in LABELS] for r in rows])
        subcats = sorted({r["subcategory"] for r in rows})
        emoji = sorted({r["emoji"] for r in rows})
        by_code = {r["emoji"]: r for r in rows}
        s = torch.tensor([subcats.index(r["subcategory"]) for r in rows])
        index = {code: i for i, code in enumerate(emoji)}
        e = torch.tensor([index[r["emoji"]] for r in rows])
        test = unseen_indices(rows, unseen) if unseen else []
        left_out = set(test)
        train = [i for i in range(len(rows)) if i not in left_out]
        self.x, self.y, self.s, self.e = x[train], y[train], s[train], e[train]
        self.subcategories = len(subcats)
        self.identity_concepts = torch.tensor([[1.0 if c in concepts_of(by_code[code]) else 0.0 for c in LABELS]
                                               for code in emoji])
        self.test_x, self.test_y, self.test_rows = x[test], y[test], [rows[i] for i in test]
        self.negatives = negatives


def scores(model, x, device="cpu"):
    """Concept scores [N, len(LABELS)] on the CPU, in batches of 256 on `device`."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 256].to(device)) for i in range(0, len(x), 256)]).cpu()


def metrics(p, y, thresholds, labels=LABELS):
    """Per concept: counts, precision and recall of scores p against labels y at thresholds {concept: t}
    (columns in the order of `labels`)."""
    out = {}
    for k, c in enumerate(labels):
        th = thresholds[c]
        pred = p[:, k] >= th
        tp = (pred & (y[:, k] == 1)).sum().item()
        fp = (pred & (y[:, k] == 0)).sum().item()
        fn = (~pred & (y[:, k] == 1)).sum().item()
        out[c] = {"positives": int(y[:, k].sum().item()), "negatives": int((y[:, k] == 0).sum().item()),
                  "threshold": th, "tp": tp, "fp": fp,
                  "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / (tp + fn) if tp + fn else None}
    return out


def seen_precision_thresholds(p, y, precision=0.9, grid=(0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)):
    """Per concept, the lowest threshold on the grid at which precision on the (un-augmented) images the
    model trained on (their scores p, labels y) is at least `precision`: as low as it can go without
    flagging the known safe emoji that look alike (other drinks, kitchen tools...)."""
    out = {}
    for k, c in enumerate(LABELS):
        for th in grid:
            pred = p[:, k] >= th
            tp, fp = (pred & (y[:, k] == 1)).sum().item(), (pred & (y[:, k] == 0)).sum().item()
            if tp + fp and tp / (tp + fp) >= precision:
                out[c] = th
                break
        else:
            out[c] = grid[-1]
    return out


def everyday_labels():
    """Labels of training emoji outside every concept and outside the flags: the everyday prompts."""
    return sorted({r["label"] for r in common.load_rows(32)
                   if r["split"] == "train" and not concepts_of(r) and r["category"] != "Flags"})


def base_previews(base, name, prompts, first_seed):
    """Previews the base package draws (its defaults) for `prompts`, seeds first_seed up; cached per base
    version in models/eval/cache in float16 (a GPU machine gets the cache file with the data)."""
    version = json.load(open(os.path.join(base, "model.json")))["version"]
    path = os.path.join(common.ROOT, "models", "eval", "cache", f"{name}-{version}-{len(prompts)}.pt")
    if os.path.exists(path):
        return torch.load(path).float()
    import evaluate
    x = evaluate.generate(base, common.Vocab(os.path.join(base, "vocab.txt")), prompts,
                          list(range(first_seed, first_seed + len(prompts)))).half()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(x, path)
    return x.float()


def neutral_previews(base, n=400):
    """What moderation sees for everyday prompts: n previews of everyday labels, seeds 50000 up, that the
    review budget is fitted on. evaluate.py measures the flagged rate on other prompts (held-out emoji)."""
    return base_previews(base, "neutral-previews", random.Random(11).sample(everyday_labels(), n), 50000)


def negative_previews(base, n):
    """Training negatives: n previews of everyday labels (each label in turn, shuffled), seeds 60000 up, so
    other seeds than the review budget's. Generated previews are blurrier than any art, and without them a
    blurry red ball with a stem scores as the bomb; with them the classifier learns what an everyday
    preview looks like."""
    labels = everyday_labels()
    random.Random(13).shuffle(labels)
    return base_previews(base, "negative-previews", [labels[i % len(labels)] for i in range(n)], 60000)


def fitted_thresholds(model, data, previews, budget, device="cpu"):
    """The recipe's thresholds, fitted on training data only: per concept the larger of the art rule
    (seen_precision_thresholds) and the review-load rule, the score that at most `budget` of the neutral
    previews reach (rounded up to 0.001). The art rule alone sat at the 0.01 floor, where 8.5% of everyday
    previews went to review."""
    return operating_points(model, data, previews, budget, device)[1]


def operating_points(model, data, previews, budget, device="cpu"):
    """(the art rule's thresholds: the high-recall point, the recipe's: fitted_thresholds)."""
    art = seen_precision_thresholds(scores(model, data.x, device), data.y)
    if previews is None or not budget:
        return art, art
    p = scores(model, previews, device)
    return art, {c: max(art[c], math.ceil(torch.quantile(p[:, k], 1 - budget).item() * 1000) / 1000)
                 for k, c in enumerate(LABELS)}


def fit(data, args, device):
    """The recipe: class-balanced sampling (sampling_weights), augmentation, SafetyNet.loss (with
    --preview-share x batch negative previews in every batch, if any), AdamW with one-cycle."""
    common.seed_everything(args.seed)
    weights = sampling_weights(data.y, args.concept_share)
    xt, yt, st, et = data.x.to(device), data.y.to(device), data.s.to(device), data.e.to(device)
    model = SafetyNet(data.subcategories, args.width, data.identity_concepts, args.mode).to(device)
    negatives = data.negatives.to(device) if data.negatives is not None else None
    per_batch = round(args.batch * args.preview_share) if negatives is not None else 0
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    start = time.time()
    for step in range(1, args.steps + 1):
        model.train()
        idx = torch.multinomial(weights, args.batch, replacement=True).to(device)
        x = xt[idx]
        if per_batch:
            x = torch.cat([x, negatives[torch.randint(0, len(negatives), (per_batch,), device=device)]])
        h = model.pooled_features(augment(x, args.augment == "strong"))
        loss = model.loss(h, yt[idx], st[idx], et[idx], args.identity_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0:
            print(f"step {step} loss {loss.item():.4f} ({time.time() - start:.0f} s)", flush=True)
    return model.eval()


def sampling_weights(y, concept_share):
    """Per image: the chance to be drawn into a batch, so that each concept's positives fill
    `concept_share` of it and the images of no concept the rest."""
    n_c = y.sum(0).clamp(min=1)
    neg = (y.sum(1) == 0).float()
    return (y * (concept_share / n_c)).sum(1) + neg * ((1 - concept_share * len(LABELS)) / neg.sum())


def refit_heads(model, data, args, device="cpu"):
    """Keeps a trained network's features and fits its heads again (identity, subcategory, concepts) to
    `data`, its negative previews included: the CPU recipe for teaching a trained model the previews and new
    art, as a full retrain takes hours without a GPU. Features of --refit-copies augmented copies of every
    training image (BatchNorm in eval mode, as in use) and of the previews are computed once; then
    --refit-steps AdamW steps on the heads alone, batches sampled as in fit, the same loss."""
    common.seed_everything(args.seed)
    model.eval()

    def features(x):
        with torch.no_grad():
            return torch.cat([model.pooled_features(x[i:i + 512].to(device)) for i in range(0, len(x), 512)])

    strong = args.augment == "strong"
    copies = [features(data.x)] + [features(augment(data.x, strong)) for _ in range(args.refit_copies)]
    h = torch.stack(copies)  # [copies, N, features]
    negatives = features(data.negatives) if data.negatives is not None else None
    weights = sampling_weights(data.y, args.concept_share)
    yt, st, et = data.y.to(device), data.s.to(device), data.e.to(device)
    heads = [model.head, model.subcategory, model.identity]
    opt = torch.optim.AdamW([p for m in heads for p in m.parameters()], lr=args.refit_lr, weight_decay=1e-4)
    per_batch = round(args.batch * args.preview_share) if negatives is not None else 0
    for step in range(1, args.refit_steps + 1):
        idx = torch.multinomial(weights, args.batch, replacement=True).to(device)
        f = h[torch.randint(0, len(h), (args.batch,), device=device), idx]
        if per_batch:
            f = torch.cat([f, negatives[torch.randint(0, len(negatives), (per_batch,), device=device)]])
        loss = model.loss(f, yt[idx], st[idx], et[idx], args.identity_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 500 == 0:
            print(f"refit step {step} loss {loss.item():.4f}", flush=True)
    return model.eval()


def pooled(per_fold):
    """Sums the folds' counts per concept: {concept: {positives, negatives, tp, fp, precision, recall}}."""
    out = {}
    for c in LABELS:
        tp = sum(m[c]["tp"] for m in per_fold.values())
        fp = sum(m[c]["fp"] for m in per_fold.values())
        pos = sum(m[c]["positives"] for m in per_fold.values())
        out[c] = {"positives": pos, "negatives": sum(m[c]["negatives"] for m in per_fold.values()), "tp": tp,
                  "fp": fp, "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / pos if pos else None}
    return out


def table(per_fold):
    """Markdown: per concept, pooled precision / recall, then recall per art family left out."""
    total = pooled(per_fold)
    fmt = lambda v: "-" if v is None else f"{v:.2f}"
    lines = ["| concept | positives / negatives | precision | recall | " + " | ".join(
        f"recall, {f} unseen" for f in per_fold) + " |", "|---" * (4 + len(per_fold)) + "|"]
    for c in LABELS:
        t = total[c]
        lines.append(f"| {c} | {t['positives']} / {t['negatives']} | {fmt(t['precision'])} | {fmt(t['recall'])} | "
                     + " | ".join(fmt(m[c]["recall"]) for m in per_fold.values()) + " |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=8000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--width", type=int, default=48, help="channels of the first block (then x2, x4)")
    p.add_argument("--augment", default="strong", choices=["light", "strong"])
    p.add_argument("--concept-share", type=float, default=0.07, help="batch share of each concept's positives")
    p.add_argument("--identity-weight", type=float, default=1.0, help="weight of the emoji identity loss (0: off)")
    p.add_argument("--mode", default="identity", choices=["head", "identity", "max"], help="concept scores: SafetyNet")
    p.add_argument("--no-extra", action="store_true", help="Noto and Twemoji art only (the data of 0.8000)")
    p.add_argument("--negative-previews", type=int, default=0,
                   help="generated previews of everyday prompts trained on as negatives (0: none)")
    p.add_argument("--preview-share", type=float, default=0.25, help="previews added to a batch, x --batch")
    p.add_argument("--unseen", default="twemoji", choices=list(FAMILIES), help="the art family a single run tests on")
    p.add_argument("--cross-validate", action="store_true", help="one run per art family left out; pooled table")
    p.add_argument("--refit-from", default=None, help="refit_heads instead of training: a --weights-out file "
                   "(--final), or a --folds-out folder (--cross-validate; a family it lacks starts from --refit-new)")
    p.add_argument("--refit-new", default=None, help="--cross-validate --refit-from: the start for a family the "
                   "folder lacks, a model that never saw that family's art (one trained before it was added)")
    p.add_argument("--refit-steps", type=int, default=1200)
    p.add_argument("--refit-lr", type=float, default=3e-3)
    p.add_argument("--refit-copies", type=int, default=2, help="augmented copies of the images, for refit_heads")
    p.add_argument("--families", default=",".join(FAMILIES),
                   help="the families --cross-validate leaves out, one run each (split them across processes)")
    p.add_argument("--folds-out", default=None, help="save each fold's weights here (for --score-folds)")
    p.add_argument("--final", action="store_true", help="train on everything and export the package")
    p.add_argument("--weights-out", default=None, help="write the trained state dict (and metrics) here")
    p.add_argument("--export-from", default=None, help="export a --weights-out file instead of training")
    p.add_argument("--score-folds", default=None, help="folders of --folds-out weights (comma-separated: their "
                   "ensemble): score each fold's unseen images and write --scores-out (read by evaluate.py)")
    p.add_argument("--score-members", default=None, help="--score-folds: the package's --weights-out files "
                   "(comma-separated), for families that have no fold (art added after the package was trained)")
    p.add_argument("--scores-out", default=os.path.join(common.ROOT, "models/emoji-safety/heldout_scores.json"))
    p.add_argument("--base", default=os.path.join(common.ROOT, "models/emoji-base"),
                   help="the base package whose previews the review budget is fitted on")
    p.add_argument("--review-budget", type=float, default=0.005,
                   help="share of neutral previews a concept may flag (0: the art rule alone)")
    p.add_argument("--version", default=None, help="package version (default 0.<steps>)")
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--out", default=os.path.join(common.ROOT, "models/emoji-safety"))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = common.device_of(args.device)
    previews = neutral_previews(args.base) if args.review_budget else None
    if args.export_from:
        # one --weights-out file, or several (comma-separated) exported as their ensemble; the thresholds are
        # fitted again, by the same rule, to what is exported
        states = [torch.load(path, map_location="cpu") for path in args.export_from.split(",")]
        model = ensemble([model_of(state, args.mode) for state in states])
        data = Data(None, states[0]["extra"], styles=styles_of(states[0]))
        thresholds = fitted_thresholds(model, data, previews, args.review_budget)
        recipe = " + ".join(re.sub(r"--mode \w+", "--mode " + args.mode, s["recipe"]) for s in states)
        export(model, args.out, thresholds, args.version or f"0.{max(s['steps'] for s in states)}", recipe)
        return
    if args.score_folds:
        write_fold_scores(args.score_folds.split(","), args.scores_out, args.mode, previews, args.review_budget,
                          args.score_members.split(",") if args.score_members else None)
        return
    recipe = (f"--steps {args.steps} --batch {args.batch} --lr {args.lr} --width {args.width} --augment {args.augment} "
              f"--concept-share {args.concept_share} --identity-weight {args.identity_weight} --mode {args.mode} "
              f"--negative-previews {args.negative_previews} --preview-share {args.preview_share}"
              + (" --no-extra" if args.no_extra else ""))
    if args.refit_from:
        recipe = (f"--refit-from <{{{recipe_of(args.refit_from)}}}> --refit-steps {args.refit_steps} "
                  f"--refit-lr {args.refit_lr} --refit-copies {args.refit_copies} --batch {args.batch} "
                  f"--negative-previews {args.negative_previews} --preview-share {args.preview_share}")
    extra = not args.no_extra
    negatives = negative_previews(args.base, args.negative_previews) if args.negative_previews else None
    if args.cross_validate:
        # every scoring of the same fold models, side by side (a refit fits the heads of one scoring only)
        modes = (args.mode,) if args.refit_from else MODES
        per_mode = {m: {} for m in modes}
        for family in args.families.split(","):
            data = Data(family, extra, negatives)
            model = trained(data, args, device, family)
            fitted = {}
            for mode in modes:
                model.mode = mode
                fitted[mode] = fitted_thresholds(model, data, previews, args.review_budget, device)
                per_mode[mode][family] = metrics(scores(model, data.test_x, device), data.test_y, fitted[mode])
            model.mode = args.mode
            if args.folds_out:
                save_weights(model, os.path.join(args.folds_out, f"{family}.pt"), data, args, recipe,
                             fitted[args.mode], unseen=family)
        for mode in modes:
            print(f"\nmode {mode}" + (" (the recipe's)" if mode == args.mode else ""))
            print(table(per_mode[mode]))
        print("RESULT", json.dumps({"recipe": recipe, "modes": {m: {"folds": f, "pooled": pooled(f)}
                                                                 for m, f in per_mode.items()}}))
        return
    data = Data(None if args.final else args.unseen, extra, negatives)
    model = trained(data, args, device)
    thresholds = fitted_thresholds(model, data, previews, args.review_budget, device)
    print("thresholds", thresholds)
    result = {"unseen": None if args.final else args.unseen, "recipe": recipe, "thresholds": thresholds}
    if len(data.test_x):
        result["at_thresholds"] = metrics(scores(model, data.test_x, device), data.test_y, thresholds)
        print(table({args.unseen: result["at_thresholds"]}))
    print("RESULT", json.dumps(result))
    if args.weights_out:
        save_weights(model, args.weights_out, data, args, recipe, thresholds, result=result)
    if args.final:
        export(model.cpu(), args.out, thresholds, args.version or f"0.{args.steps}", recipe)


MODES = ("head", "identity", "max")


def trained(data, args, device, family=None):
    """fit, or with --refit-from refit_heads of the saved model (per family when cross-validating)."""
    if not args.refit_from:
        return fit(data, args, device)
    path = args.refit_from
    if family:
        path = os.path.join(path, f"{family}.pt")
        path = path if os.path.exists(path) else args.refit_new
    state = torch.load(path, map_location="cpu")
    print(f"refit {family or 'final'} from {path}", flush=True)
    return refit_heads(model_of(state, args.mode).to(device), data, args, device)


def recipe_of(path):
    """The recipe a --refit-from file or folder was trained with."""
    if os.path.isdir(path):
        path = os.path.join(path, sorted(f for f in os.listdir(path) if f.endswith(".pt"))[0])
    return torch.load(path, map_location="cpu")["recipe"]


def save_weights(model, path, data, args, recipe, thresholds, unseen=None, result=None):
    """State dict in float16 (half the bytes; scores move by < 1e-3) with what rebuilds the model."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({"model": {k: v.half() if v.is_floating_point() else v
                          for k, v in common.cpu_state(model.state_dict()).items()},
                "subcategories": data.subcategories, "width": model.width, "mode": model.mode,
                "thresholds": thresholds, "steps": args.steps, "recipe": recipe, "unseen": unseen,
                "extra": not args.no_extra, "styles": data.styles, "result": result}, path)


def model_of(state, mode):
    """The SafetyNet of a save_weights file's contents, scoring by `mode`."""
    weights = {k: v.float() if v.is_floating_point() else v for k, v in state["model"].items()}
    model = SafetyNet(state["subcategories"], state["width"], weights["identity_concepts"], mode)
    model.load_state_dict(weights)
    return model.eval()


def ensemble(members):
    return members[0] if len(members) == 1 else Ensemble(members).eval()


def write_fold_scores(folders, out, mode, previews, budget, members=None):
    """Per art family: the scores that the fold models (their ensemble, if several folders) give the images
    they never saw, and the thresholds the recipe's rule fits on that fold's training images (and the art
    rule's alone: the high-recall operating point). evaluate.py turns this file into the held-out precision /
    recall tables.

    A family added to the data after the package was trained has no fold: for it, the package's own
    `members` (its --weights-out files, which never saw that family's art) score its images, at the
    thresholds the rules fit on the members' own training data: the package as shipped."""
    folds = {}
    for family in FAMILIES:
        paths = [os.path.join(folder, f"{family}.pt") for folder in folders]
        source = "folds"
        if not any(os.path.exists(path) for path in paths):
            if not members:
                sys.exit(f"no {family}.pt in {folders}: pass --score-members (the package's members)")
            paths, source = members, "package"
        states = [torch.load(path, map_location="cpu") for path in paths]
        model = ensemble([model_of(state, mode) for state in states])
        if source == "package":
            if set(FAMILIES[family]) & set(styles_of(states[0])):
                sys.exit(f"the package's members trained on {family} art: not a held-out test")
            art, thresholds = operating_points(model, Data(None, states[0]["extra"], styles=styles_of(states[0])),
                                               previews, budget)
            data = Data(family, states[0]["extra"])  # that family's images, which the members never saw
        else:
            data = Data(family, states[0]["extra"], styles=styles_of(states[0]))
            art, thresholds = operating_points(model, data, previews, budget)
        p = scores(model, data.test_x)
        folds[family] = {"source": source, "thresholds": thresholds, "thresholds_art_rule": art, "images": [
            {"emoji": r["emoji"], "label": r["label"], "style": r["style"], "split": r["split"],
             "concepts": concepts_of(r), "scores": [round(v, 5) for v in p[i].tolist()]}
            for i, r in enumerate(data.test_rows)]}
        print(family, source, "thresholds", thresholds, "art rule", art, flush=True)
    with open(out, "w") as f:
        json.dump({"labels": LABELS, "mode": mode, "members": len(folders), "review_budget": budget,
                   "folds": folds}, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", out)


def export(model, out, thresholds, version, recipe):
    common.write_package(out, [("classifier.pt", model, (torch.zeros(2, 3, 32, 32),))],
                         {"format": 1, "name": "emoji-safety", "version": version, "kind": "classifier",
                          "resolution": 32, "channels": 3, "classifier": "classifier.pt", "labels": LABELS,
                          "thresholds": {c: float(thresholds[c]) for c in LABELS},
                          "license": "Apache-2.0 weights; trained on Noto (Apache-2.0), Twemoji (CC-BY-4.0) and "
                                     "Fluent Emoji (MIT) art",
                          "provenance": f"models/train/train_safety.py --final {recipe}"})
    print("exported", out)


if __name__ == "__main__":
    main()
