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

Evaluation leaves out a whole art family (Noto, Twemoji, Fluent: FAMILIES): its drawings of the concept
emoji, their look-alikes and the held-out emoji are never trained on and are what the fold is tested on.
--cross-validate runs the three folds; --final trains on everything for the shipped model.

    # the shipped recipe (emoji-safety 1.12001, MODEL_CARD.md; GPU, drop --device for a CPU):
    python3 models/train/train_safety.py --device cuda --final --weights-out /tmp/w48.pt
    python3 models/train/train_safety.py --device cuda --final --width 64 --steps 12000 --weights-out /tmp/w64.pt
    python3 models/train/train_safety.py --device cuda --cross-validate --folds-out /tmp/folds-w48   # and w64
    /usr/bin/python3 models/train/train_safety.py --export-from /tmp/w48.pt,/tmp/w64.pt --version 1.12001
    /usr/bin/python3 models/train/train_safety.py --score-folds /tmp/folds-w48,/tmp/folds-w64
"""
import argparse
import functools
import json
import math
import os
import random
import re
import sys

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

    def heads(self, x):
        h = self.features(x).mean(dim=(2, 3))
        return torch.sigmoid(self.head(h)), self.subcategory(h), self.identity(h)


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
            "fluent": ("fluent-flat", "fluent-color", "fluent-hc", "fluent-3d")}


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

    def __init__(self, unseen=None, extra=True):
        """unseen: the art family left out and tested on (unseen_indices), or None to train on everything."""
        x, rows = images(extra)
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


def scores(model, x, device="cpu"):
    """Concept scores [N, len(LABELS)] on the CPU, in batches of 256 on `device`."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 256].to(device)) for i in range(0, len(x), 256)]).cpu()


def metrics(p, y, thresholds):
    """Per concept: counts, precision and recall of scores p against labels y at thresholds {concept: t}."""
    out = {}
    for k, c in enumerate(LABELS):
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


def neutral_previews(base, n=400):
    """What moderation sees for everyday prompts: previews the base package draws (its defaults) for n
    captions of training emoji outside every concept (no flags), seeds 50000 up. Cached per base version
    in models/eval/cache. evaluate.py measures the flagged rate on other prompts (held-out emoji)."""
    version = json.load(open(os.path.join(base, "model.json")))["version"]
    path = os.path.join(common.ROOT, "models", "eval", "cache", f"neutral-previews-{version}-{n}.pt")
    if os.path.exists(path):
        return torch.load(path)
    import evaluate
    rows = common.load_rows(32)
    labels = sorted({r["label"] for r in rows
                     if r["split"] == "train" and not concepts_of(r) and r["category"] != "Flags"})
    prompts = random.Random(11).sample(labels, n)
    x = evaluate.generate(base, common.Vocab(os.path.join(base, "vocab.txt")), prompts, list(range(50000, 50000 + n)))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(x, path)
    return x


def fitted_thresholds(model, data, previews, budget, device="cpu"):
    """The recipe's thresholds, fitted on training data only: per concept the larger of the art rule
    (seen_precision_thresholds) and the review-load rule, the score that at most `budget` of the neutral
    previews reach (rounded up to 0.001). The art rule alone sat at the 0.01 floor, where 8.5% of everyday
    previews went to review."""
    art = seen_precision_thresholds(scores(model, data.x, device), data.y)
    if previews is None:
        return art
    p = scores(model, previews, device)
    return {c: max(art[c], math.ceil(torch.quantile(p[:, k], 1 - budget).item() * 1000) / 1000)
            for k, c in enumerate(LABELS)}


def fit(data, args, device):
    """The recipe: class-balanced sampling (each concept's positives fill --concept-share of a batch),
    augmentation, BCE on the concepts + 0.5 x the subcategory cross-entropy + --identity-weight x the
    emoji identity cross-entropy, AdamW with one-cycle."""
    common.seed_everything(args.seed)
    yt = data.y
    n_c = yt.sum(0).clamp(min=1)
    neg = (yt.sum(1) == 0).float()
    weights = (yt * (args.concept_share / n_c)).sum(1) + neg * ((1 - args.concept_share * len(LABELS)) / neg.sum())
    xt, yt, st, et = data.x.to(device), yt.to(device), data.s.to(device), data.e.to(device)
    model = SafetyNet(data.subcategories, args.width, data.identity_concepts, args.mode).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    for step in range(1, args.steps + 1):
        model.train()
        idx = torch.multinomial(weights, args.batch, replacement=True).to(device)
        probs, subcat_logits, identity_logits = model.heads(augment(xt[idx], args.augment == "strong"))
        loss = F.binary_cross_entropy(probs, yt[idx]) + 0.5 * F.cross_entropy(subcat_logits, st[idx]) + \
            args.identity_weight * F.cross_entropy(identity_logits, et[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0:
            print(f"step {step} loss {loss.item():.4f}", flush=True)
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
    p.add_argument("--unseen", default="twemoji", choices=list(FAMILIES), help="the art family a single run tests on")
    p.add_argument("--cross-validate", action="store_true", help="one run per art family left out; pooled table")
    p.add_argument("--folds-out", default=None, help="save each fold's weights here (for --score-folds)")
    p.add_argument("--final", action="store_true", help="train on everything and export the package")
    p.add_argument("--weights-out", default=None, help="write the trained state dict (and metrics) here")
    p.add_argument("--export-from", default=None, help="export a --weights-out file instead of training")
    p.add_argument("--score-folds", default=None, help="folders of --folds-out weights (comma-separated: their "
                   "ensemble): score each fold's unseen images and write --scores-out (read by evaluate.py)")
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
        data = Data(None, states[0]["extra"])
        thresholds = fitted_thresholds(model, data, previews, args.review_budget)
        recipe = " + ".join(re.sub(r"--mode \w+", "--mode " + args.mode, s["recipe"]) for s in states)
        export(model, args.out, thresholds, args.version or f"0.{max(s['steps'] for s in states)}", recipe)
        return
    if args.score_folds:
        write_fold_scores(args.score_folds.split(","), args.scores_out, args.mode, previews, args.review_budget)
        return
    recipe = (f"--steps {args.steps} --batch {args.batch} --lr {args.lr} --width {args.width} --augment {args.augment} "
              f"--concept-share {args.concept_share} --identity-weight {args.identity_weight} --mode {args.mode}"
              + (" --no-extra" if args.no_extra else ""))
    extra = not args.no_extra
    if args.cross_validate:
        per_mode = {m: {} for m in MODES}  # every scoring of the same fold models, side by side
        for family in FAMILIES:
            data = Data(family, extra)
            model = fit(data, args, device)
            fitted = {}
            for mode in MODES:
                model.mode = mode
                fitted[mode] = fitted_thresholds(model, data, previews, args.review_budget, device)
                per_mode[mode][family] = metrics(scores(model, data.test_x, device), data.test_y, fitted[mode])
            model.mode = args.mode
            if args.folds_out:
                save_weights(model, os.path.join(args.folds_out, f"{family}.pt"), data, args, recipe,
                             fitted[args.mode], unseen=family)
        for mode in MODES:
            print(f"\nmode {mode}" + (" (the recipe's)" if mode == args.mode else ""))
            print(table(per_mode[mode]))
        print("RESULT", json.dumps({"recipe": recipe, "modes": {m: {"folds": f, "pooled": pooled(f)}
                                                                 for m, f in per_mode.items()}}))
        return
    data = Data(None if args.final else args.unseen, extra)
    model = fit(data, args, device)
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


def save_weights(model, path, data, args, recipe, thresholds, unseen=None, result=None):
    """State dict in float16 (half the bytes; scores move by < 1e-3) with what rebuilds the model."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({"model": {k: v.half() if v.is_floating_point() else v
                          for k, v in common.cpu_state(model.state_dict()).items()},
                "subcategories": data.subcategories, "width": args.width, "mode": model.mode,
                "thresholds": thresholds, "steps": args.steps, "recipe": recipe, "unseen": unseen,
                "extra": not args.no_extra, "result": result}, path)


def model_of(state, mode):
    """The SafetyNet of a save_weights file's contents, scoring by `mode`."""
    weights = {k: v.float() if v.is_floating_point() else v for k, v in state["model"].items()}
    model = SafetyNet(state["subcategories"], state["width"], weights["identity_concepts"], mode)
    model.load_state_dict(weights)
    return model.eval()


def ensemble(members):
    return members[0] if len(members) == 1 else Ensemble(members).eval()


def write_fold_scores(folders, out, mode, previews, budget):
    """Per art family: the scores that the fold models (their ensemble, if several folders) give the images
    they never saw, and the thresholds the recipe's rule fits on that fold's training images. evaluate.py
    turns this file into the held-out precision / recall table."""
    folds = {}
    for family in FAMILIES:
        states = [torch.load(os.path.join(folder, f"{family}.pt"), map_location="cpu") for folder in folders]
        model = ensemble([model_of(state, mode) for state in states])
        data = Data(family, states[0]["extra"])
        thresholds = fitted_thresholds(model, data, previews, budget)
        p = scores(model, data.test_x)
        folds[family] = {"thresholds": thresholds, "images": [
            {"emoji": r["emoji"], "label": r["label"], "style": r["style"], "split": r["split"],
             "concepts": concepts_of(r), "scores": [round(v, 5) for v in p[i].tolist()]}
            for i, r in enumerate(data.test_rows)]}
        print(family, "thresholds", thresholds, flush=True)
    with open(out, "w") as f:
        json.dump({"labels": LABELS, "mode": mode, "members": len(folders), "review_budget": budget, "folds": folds}, f, separators=(",", ":"))
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
