#!/usr/bin/env python3
"""Trains emoji-judge, the prompt-adherence judge moderation ships (package kind "judge", models/README.md).

A small dual encoder, contrastive like CLIP: an image encoder and a text encoder map into one unit-length
feature space; a sample's adherence score is the cosine similarity of its image and its prompt, and a
job's diversity is the mean pairwise distance of its samples' image features. Trained on the training
split only (held-out emoji stay unseen, as for emoji-base); it is not the judge models/eval/evaluate.py
grades with (that one is a subcategory classifier trained there), so the evaluation is not graded by
the model it checks.

The text encoder reads the engine's word ids (vocab.txt, 16 tokens); each word's embedding is the sum of
hashed character trigram embeddings (plus a whole-word embedding for words in a training caption), so
words never seen in training still land near words that share their letters.

    /usr/bin/python3 models/train/train_judge.py --steps 2500     # ~10 min on 2 cores
    /usr/bin/python3 models/train/train_judge.py --recalibrate --pass-rate 0.8   # a new threshold, same weights
"""
import argparse
import json
import os
import random
import shutil
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import common

OUT = os.path.join(common.ROOT, "models", "emoji-judge")
BUCKETS = 2048
GRAMS = 16  # trigrams kept per word
DIM = 128


def trigram_table(vocab_words):
    """Per vocabulary word, the hashed buckets of its character trigrams ('<cat>' -> '<ca', 'cat', 'at>');
    bucket 0 pads. Pad and <unk> get none."""
    table = np.zeros((len(vocab_words), GRAMS), dtype=np.int64)
    for i, w in enumerate(vocab_words):
        if i < 2:
            continue
        s = "<" + w + ">"
        grams = [s[j:j + 3] for j in range(len(s) - 2)][:GRAMS]
        for k, g in enumerate(grams):
            table[i, k] = 1 + zlib.crc32(g.encode()) % (BUCKETS - 1)
    return torch.from_numpy(table)


class TextEncoder(nn.Module):
    def __init__(self, table, seen):
        super().__init__()
        self.register_buffer("table", table)
        self.register_buffer("seen", seen)
        self.grams = nn.Embedding(BUCKETS, DIM, padding_idx=0)
        self.word = nn.Embedding(len(table), DIM)
        nn.init.normal_(self.word.weight, std=0.02)
        self.mlp = nn.Sequential(nn.Linear(DIM, 2 * DIM), nn.GELU(), nn.Linear(2 * DIM, DIM))
        self.word_dropout = 0.0

    def forward(self, tokens):
        e = self.grams(self.table[tokens]).sum(2)
        keep = self.seen[tokens]
        if self.training and self.word_dropout > 0:
            keep = keep * (torch.rand_like(keep) > self.word_dropout).float()
        e = e + self.word(tokens) * keep.unsqueeze(-1)
        mask = (tokens != 0).float().unsqueeze(-1)
        pooled = (e * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return F.normalize(self.mlp(pooled), dim=-1)


class ImageEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(8, cout), nn.SiLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1), nn.GroupNorm(8, cout), nn.SiLU(), nn.MaxPool2d(2))
        self.features = nn.Sequential(block(3, 24), block(24, 48), block(48, 96))
        self.head = nn.Linear(96, DIM)

    def forward(self, x):
        return F.normalize(self.head(self.features(x).mean(dim=(2, 3))), dim=-1)


def augment(x):
    """Small shifts and noise, and now and then a blur: generated previews are softer than the art."""
    x = torch.roll(x, shifts=tuple(torch.randint(-2, 3, (2,)).tolist()), dims=(2, 3))
    if random.random() < 0.3:
        x = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return (x + 0.05 * torch.randn_like(x)).clamp(-1, 1)


def heldout_pairs(rows, x, vocab):
    """Real held-out images with each of their three evaluation captions (as models/eval/evaluate.py words them)."""
    images, tokens, emoji = [], [], []
    for i, r in enumerate(rows):
        if r["split"] != "heldout":
            continue
        tags = [t for t in r["tags"] if t]
        for cap in [r["label"], r["label"] + " " + " ".join(tags[:2]), " ".join(tags[:3]) or r["label"]]:
            images.append(x[i])
            tokens.append(vocab.encode(cap))
            emoji.append(r["emoji"])
    return torch.stack(images), torch.tensor(tokens), emoji


def train(args, x, rows, vocab, seen, by_emoji, emoji_ids):
    text = TextEncoder(trigram_table(vocab.words), seen)
    text.word_dropout = 0.3
    image = ImageEncoder()
    scale = nn.Parameter(torch.tensor(np.log(10.0), dtype=torch.float32))
    params = list(text.parameters()) + list(image.parameters()) + [scale]
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.steps, pct_start=0.05)
    rng = random.Random(1)
    start = time.time()
    for step in range(args.steps):
        # distinct emoji per batch, so the only positive of an image is its own caption
        chosen = rng.sample(emoji_ids, args.batch)
        idx = [rng.choice(by_emoji[e]) for e in chosen]
        xb = augment(x[idx])
        tb = torch.tensor([vocab.encode(common.caption(rows[i], rng)) for i in idx])
        logits = scale.exp().clamp(max=50) * image(xb) @ text(tb).T
        target = torch.arange(len(idx))
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f} scale {scale.exp().item():.1f} {time.time() - start:.0f}s", flush=True)

    return image.eval(), text.eval()


def export(image, text, x, vocab):
    with torch.no_grad():
        torch.jit.trace(image, x[:2]).save(os.path.join(OUT, "image_encoder.pt"))
        torch.jit.trace(text, torch.tensor([vocab.encode("grinning cat"), vocab.encode("red apple")])).save(
            os.path.join(OUT, "text_encoder.pt"))
    shutil.copy(os.path.join(common.DATA, "vocab.txt"), os.path.join(OUT, "vocab.txt"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pass-rate", type=float, default=0.8,
                    help="the threshold lets this share of real held-out (image, caption) pairs pass")
    ap.add_argument("--recalibrate", action="store_true",
                    help="keep the exported weights; only choose the threshold again and rewrite model.json")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    random.seed(0)

    images, rows = common.load(32)
    x = common.to_tensor(images)
    vocab = common.Vocab()
    train_rows = [i for i, r in enumerate(rows) if r["split"] == "train"]
    by_emoji = {}
    for i in train_rows:
        by_emoji.setdefault(rows[i]["emoji"], []).append(i)
    emoji_ids = sorted(by_emoji)
    seen = torch.zeros(len(vocab.words))
    for i in train_rows:
        r = rows[i]
        for w in common.words(r["label"] + " " + " ".join(r["tags"])):
            if w in vocab.ids:
                seen[vocab.ids[w]] = 1.0
    seen[0] = 0.0
    seen[1] = 0.0

    if args.recalibrate:
        image = torch.jit.load(os.path.join(OUT, "image_encoder.pt"))
        text = torch.jit.load(os.path.join(OUT, "text_encoder.pt"))
        steps = json.load(open(os.path.join(OUT, "model.json")))["version"].split(".")[1]
    else:
        image, text = train(args, x, rows, vocab, seen, by_emoji, emoji_ids)
        steps = str(args.steps)
    hx, ht, hemoji = heldout_pairs(rows, x, vocab)
    with torch.no_grad():
        fi, ft = image(hx), text(ht)
        matched = (fi * ft).sum(-1)
        perm = torch.randperm(len(hx), generator=torch.Generator().manual_seed(3))
        other = torch.tensor([hemoji[p] != hemoji[i] for i, p in enumerate(perm.tolist())])
        mismatched = (fi[perm] * ft).sum(-1)[other]
    threshold = float(torch.quantile(matched, 1 - args.pass_rate))
    threshold = round(threshold, 3)
    calibration = {
        "heldout_pairs": len(hx),
        "real_matched_pass_rate": round(float((matched >= threshold).float().mean()), 3),
        "real_mismatched_pass_rate": round(float((mismatched >= threshold).float().mean()), 3),
        "real_matched_mean": round(float(matched.mean()), 3),
        "real_mismatched_mean": round(float(mismatched.mean()), 3),
    }
    print(json.dumps(calibration))

    os.makedirs(OUT, exist_ok=True)
    if not args.recalibrate:
        export(image, text, x, vocab)
    # the probe: the first held-out image and its label, whose similarity the loader checks
    probe_row = next(i for i, r in enumerate(rows) if r["split"] == "heldout")
    from PIL import Image
    Image.fromarray(images[probe_row]).save(os.path.join(OUT, "probe.png"))
    with torch.no_grad():
        probe_score = float((image(x[probe_row:probe_row + 1]) * text(torch.tensor([vocab.encode(rows[probe_row]["label"])]))).sum())
    meta = {
        "format": 1,
        "name": "emoji-judge",
        "version": "1." + steps,
        "kind": "judge",
        "resolution": 32,
        "channels": 3,
        "image_encoder": "image_encoder.pt",
        "text_encoder": {"file": "text_encoder.pt", "vocab": "vocab.txt", "max_tokens": common.MAX_TOKENS},
        "threshold": threshold,
        "calibration": calibration,
        "probe": {"image": "probe.png", "prompt": rows[probe_row]["label"], "expect": round(probe_score, 4),
                  "tolerance": 0.02},
        "license": "Apache-2.0 weights; trained on Noto Emoji (Apache-2.0) and Twemoji (CC-BY-4.0) art, training split only",
        "provenance": f"models/train/train_judge.py --steps {steps} --batch {args.batch} --pass-rate {args.pass_rate} (contrastive dual encoder, CPU)",
    }
    with open(os.path.join(OUT, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print("wrote", OUT, f"threshold {threshold}")


if __name__ == "__main__":
    main()
