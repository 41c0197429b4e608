#!/usr/bin/env python3
"""Trains emoji-safety: a multi-label concept classifier for moderation, on 32 px images.

Concept labels come from each emoji's caption label through the curated CONCEPTS below (the mapping
is the model card's). Positives are rare (a few dozen emoji), so the loss weights them up and training augments with
shifts, colour jitter and noise (generated images are noisier than the art).

A concept has only a handful of emoji per art style, too few to learn what a weapon looks like in a style
never seen. So the network also learns every emoji's subcategory (99 classes, thousands of images, both
styles: an auxiliary head, dropped at export), which teaches it features that carry across styles.

Evaluation uses what the model never saw: the concept emoji in Twemoji art (recall) and the held-out 5%
of emoji in Twemoji art (precision). Training sees Noto art (32 px, plus the 128 px Noto font renders
downsampled) and the other Twemoji emoji. --final trains on everything for the shipped model.

    /usr/bin/python3 models/train/train_safety.py              # train on Noto, print precision/recall on Twemoji
    /usr/bin/python3 models/train/train_safety.py --final      # train on everything, export models/emoji-safety
"""
import argparse
import json
import os
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

import common

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
    """image [B, 3, 32, 32] in [-1, 1] -> concept probabilities [B, len(LABELS)]."""

    def __init__(self, subcategories=1):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.SiLU(), nn.MaxPool2d(2))
        self.features = nn.Sequential(block(3, 32), block(32, 64), block(64, 128))
        self.head = nn.Linear(128, len(LABELS))
        self.subcategory = nn.Linear(128, subcategories)  # auxiliary, training only

    def forward(self, x):
        return torch.sigmoid(self.head(self.features(x).mean(dim=(2, 3))))

    def both(self, x):
        h = self.features(x).mean(dim=(2, 3))
        return torch.sigmoid(self.head(h)), self.subcategory(h)


def augment(x):
    shift = torch.randint(-3, 4, (2,)).tolist()
    x = torch.roll(x, shifts=shift, dims=(2, 3))
    x = x * (1 + 0.2 * (torch.rand(x.shape[0], 3, 1, 1) - 0.5)) + 0.1 * (torch.rand(x.shape[0], 3, 1, 1) - 0.5)
    grey = (torch.rand(x.shape[0], 1, 1, 1) < 0.2).float()
    x = grey * x.mean(dim=1, keepdim=True).expand_as(x) + (1 - grey) * x
    if torch.rand(1).item() < 0.5:  # a little smaller or larger, as drawings differ
        size = int(torch.randint(26, 39, (1,)).item())
        x = F.interpolate(F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False), size=(32, 32),
                          mode="bilinear", align_corners=False)
    return (x + 0.1 * torch.rand(1).item() * torch.randn_like(x)).clamp(-1, 1)


def dataset(final):
    images, rows = common.load(32)
    big, big_rows = common.load(128)
    x32 = common.to_tensor(images)
    x_big = F.interpolate(common.to_tensor(big), size=(32, 32), mode="area")
    y = torch.tensor([[1.0 if c in concepts_of(r) else 0.0 for c in LABELS] for r in rows])
    y_big = torch.tensor([[1.0 if c in concepts_of(r) else 0.0 for c in LABELS] for r in big_rows])
    subcats = sorted({r["subcategory"] for r in rows})
    s = torch.tensor([subcats.index(r["subcategory"]) for r in rows])
    s_big = torch.tensor([subcats.index(r["subcategory"]) for r in big_rows])

    def unseen(r):  # the Twemoji art of concept emoji and of held-out emoji
        return r["style"] == "twemoji" and (concepts_of(r) or r["split"] == "heldout")

    train = [i for i, r in enumerate(rows) if final or not unseen(r)]
    test = [i for i, r in enumerate(rows) if unseen(r)]
    xt = torch.cat([x32[train], x_big])
    yt = torch.cat([y[train], y_big])
    st = torch.cat([s[train], s_big])
    return xt, yt, st, len(subcats), x32[test], y[test], [rows[i] for i in test]


def evaluate(model, x, y, threshold=0.5):
    model.eval()
    with torch.no_grad():
        p = torch.cat([model(x[i:i + 256]) for i in range(0, len(x), 256)])
    out = {}
    for k, c in enumerate(LABELS):
        pred = p[:, k] >= threshold
        tp = (pred & (y[:, k] == 1)).sum().item()
        fp = (pred & (y[:, k] == 0)).sum().item()
        fn = (~pred & (y[:, k] == 1)).sum().item()
        out[c] = {"positives": int(y[:, k].sum().item()), "precision": tp / (tp + fp) if tp + fp else None,
                  "recall": tp / (tp + fn) if tp + fn else None}
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--final", action="store_true")
    p.add_argument("--out", default=os.path.join(common.ROOT, "models/emoji-safety"))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    common.seed_everything(2)
    xt, yt, st, n_subcats, xe, ye, _ = dataset(args.final)
    # sample positives often: about a third of each batch carries at least one concept
    pos = (yt.sum(1) > 0).float()
    weights = pos * (0.33 / pos.sum()) + (1 - pos) * (0.67 / (1 - pos).sum())
    model = SafetyNet(n_subcats)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    for step in range(1, args.steps + 1):
        model.train()
        idx = torch.multinomial(weights, args.batch, replacement=True)
        probs, subcat_logits = model.both(augment(xt[idx]))
        loss = F.binary_cross_entropy(probs, yt[idx]) + 0.5 * F.cross_entropy(subcat_logits, st[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 250 == 0:
            print(f"step {step} loss {loss.item():.4f}", flush=True)
    metrics = evaluate(model, xe, ye)
    print(f"evaluated on {len(xe)} unseen Twemoji images ({int(ye.sum())} concept positives)")
    print(json.dumps(metrics, indent=1))
    if args.final:
        model.eval()
        common.write_package(args.out, [("classifier.pt", model, (torch.zeros(2, 3, 32, 32),))],
                             {"format": 1, "name": "emoji-safety", "version": f"0.{args.steps}", "kind": "classifier",
                              "resolution": 32, "channels": 3, "classifier": "classifier.pt", "labels": LABELS,
                              "thresholds": {c: 0.5 for c in LABELS},
                              "license": "Apache-2.0 weights; trained on Noto (Apache-2.0) and Twemoji (CC-BY-4.0) art",
                              "provenance": f"models/train/train_safety.py --final, {args.steps} steps"})
        print("exported", args.out)


if __name__ == "__main__":
    main()
